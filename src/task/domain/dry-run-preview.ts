import type { DesiredState, SubtaskState } from './task-status';

export interface SubtaskSnapshot {
  id: string;
  vchan_refid: string | null;
  node_index: number | null;
  state: SubtaskState;
  desired_state: DesiredState;
}

export interface SubtaskPreview {
  subtask_id: string;
  vchan_refid: string | null;
  node_index: number | null;
  state_before: SubtaskState | null;
  state: SubtaskState;
  desired_state_before: DesiredState | null;
  desired_state: DesiredState;
}

/**
 * The subtasks a write would create (absent before) or move (state or desired state differ), in
 * the order they are in after it. Subtasks it leaves as they were are not listed.
 */
export function planPreview(before: readonly SubtaskSnapshot[], after: readonly SubtaskSnapshot[]): SubtaskPreview[] {
  const was = new Map(before.map((s) => [s.id, s]));
  return after
    .filter((s) => {
      const old = was.get(s.id);
      return !old || old.state !== s.state || old.desired_state !== s.desired_state;
    })
    .map((s) => {
      const old = was.get(s.id);
      return {
        subtask_id: s.id,
        vchan_refid: s.vchan_refid,
        node_index: s.node_index,
        state_before: old?.state ?? null,
        state: s.state,
        desired_state_before: old?.desired_state ?? null,
        desired_state: s.desired_state,
      };
    });
}
