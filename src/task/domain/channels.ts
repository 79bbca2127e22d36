import type { VchanSpec } from '../../subtask/domain/decompose';

/** A task's video channels by id, with what configuration rules need to know of each. */
export function channelsOf(task: { vchans: readonly VchanSpec[] | null }): Map<string, { is_ptz: boolean }> {
  return new Map((task.vchans ?? []).map((v) => [v.vchan_refid, { is_ptz: v.is_ptz === true }]));
}
