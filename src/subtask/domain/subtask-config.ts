import type { FieldError } from '../../common/errors/app.exception';
import type { MtaskInputDto } from '../../scene/dto/mtask.dto';
import { MtaskFields, MtaskRow, SceneRow, toMtaskFields, toSceneRow } from '../../scene/domain/scene-rows';
import type { SubtaskState } from './states';

/** States a subtask leaves for `unconfigured` when the configuration it was checked against changes. */
export const RECONFIGURABLE_STATES: readonly SubtaskState[] = ['configured', 'stopped', 'failed', 'completed'];

const POLLING = 0;

export interface SubtaskChannel {
  vchan_refid: string | null;
}

export interface TaskConfig {
  mtasks: readonly MtaskRow[];
  scenes: readonly SceneRow[];
}

/**
 * A subtask without a channel (the one subtask of a video task without channels, or a node of a
 * picture source) runs every scene of its task: all such subtasks share one configuration.
 */
export function sharesTaskConfig(subtask: SubtaskChannel): boolean {
  return !subtask.vchan_refid;
}

/**
 * A subtask's configuration is its task's mtasks restricted to its own scenes: those bound to its
 * channel, or every scene when it shares the task's configuration. An mtask shows only when it
 * holds at least one of those scenes, except for shared configurations, which show every mtask.
 */
export function selectSubtaskConfig(subtask: SubtaskChannel, config: TaskConfig): { mtasks: MtaskRow[]; scenes: SceneRow[] } {
  if (sharesTaskConfig(subtask)) return { mtasks: [...config.mtasks], scenes: [...config.scenes] };
  const scenes = config.scenes.filter((s) => s.vchan_refid === subtask.vchan_refid);
  const holding = new Set(scenes.map((s) => s.mtask_id));
  return { mtasks: config.mtasks.filter((m) => holding.has(m.id)), scenes };
}

/**
 * The input of a channel subtask's configuration, with every scene bound to that channel. A scene
 * may leave its channel out (it is this one) or name this one; naming another is an error, since
 * a subtask edits only its own scenes.
 */
export function bindScenesToChannel(
  mtasks: readonly MtaskInputDto[] | null | undefined,
  channel: string,
  path = 'mtasks',
): { mtasks: MtaskInputDto[]; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const bound = (mtasks ?? []).map((mtask, i) => ({
    ...mtask,
    scenes: (mtask.scenes ?? []).map((scene, j) => {
      if (scene.vchan_refid && scene.vchan_refid !== channel) {
        errors.push({ field: `${path}[${i}].scenes[${j}].vchan_refid`, rule: 'vchanOtherSubtask', args: { expected: channel } });
      }
      return { ...scene, vchan_refid: channel };
    }),
  }));
  return { mtasks: bound, errors };
}

function firstByUnid(mtasks: readonly MtaskRow[]): Map<string, MtaskRow> {
  const byUnid = new Map<string, MtaskRow>();
  for (const m of mtasks) if (!byUnid.has(m.mtask_unid)) byUnid.set(m.mtask_unid, m);
  return byUnid;
}

function groupByMtask(scenes: readonly SceneRow[]): Map<string, SceneRow[]> {
  const groups = new Map<string, SceneRow[]>();
  for (const scene of scenes) groups.set(scene.mtask_id, [...(groups.get(scene.mtask_id) ?? []), scene]);
  return groups;
}

/** Same reading as validateMtasks: a bound scene runs on its camera, an unbound one on every camera of the task. */
function onPtzCamera(scene: SceneRow, channels: ReadonlyMap<string, { is_ptz: boolean }>): boolean {
  if (scene.vchan_refid) return channels.get(scene.vchan_refid)?.is_ptz === true;
  return channels.size > 0 && [...channels.values()].every((c) => c.is_ptz);
}

/**
 * What a channel subtask's input (bound by `bindScenesToChannel`, checked by validateMtasks) must
 * not break in the scenes other subtasks keep: an mtask it matches by `mtask_unid` is shared, so
 * a PTZ-only type must suit their cameras too; and scene ids stay unique across the task. Pure.
 */
export function checkAgainstOtherScenes(
  mtasks: readonly MtaskInputDto[],
  existing: TaskConfig,
  channel: string,
  channels: ReadonlyMap<string, { is_ptz: boolean }>,
  path = 'mtasks',
): FieldError[] {
  const errors: FieldError[] = [];
  const kept = existing.scenes.filter((s) => s.vchan_refid !== channel);
  const keptUnids = new Set(kept.map((s) => s.scene_unid));
  const keptByMtask = groupByMtask(kept);
  const byUnid = firstByUnid(existing.mtasks);
  mtasks.forEach((mtask, i) => {
    const type = mtask.type ?? POLLING;
    const shared = mtask.mtask_unid ? byUnid.get(mtask.mtask_unid) : undefined;
    if (shared && type !== POLLING && (keptByMtask.get(shared.id) ?? []).some((s) => !onPtzCamera(s, channels))) {
      errors.push({ field: `${path}[${i}].type`, rule: 'ptzRequired', args: { type } });
    }
    (mtask.scenes ?? []).forEach((scene, j) => {
      if (scene.scene_unid && keptUnids.has(scene.scene_unid)) {
        errors.push({ field: `${path}[${i}].scenes[${j}].scene_unid`, rule: 'sceneUnidTaken' });
      }
    });
  });
  return errors;
}

export interface ChannelConfigPlan {
  /** Existing (shared) mtasks whose name or schedule the input changes. */
  mtaskUpdates: { id: string; fields: MtaskFields }[];
  mtaskInserts: MtaskRow[];
  /** The channel's new scenes; its old ones are all deleted first. */
  sceneInserts: SceneRow[];
  /** Mtasks this save leaves without any scene. */
  mtaskDeletes: string[];
  /** Other channels with scenes in an mtask this save changes: their configuration changes too. */
  siblingChannels: string[];
}

const sameFields = (a: MtaskFields, b: MtaskFields): boolean =>
  a.name === b.name && a.type === b.type && a.time_interval === b.time_interval && a.start_time === b.start_time && a.end_time === b.end_time;

/**
 * The writes that replace one channel's configuration with `mtasks` (bound and validated): its
 * scenes are deleted and the input's inserted, bound to it, after the scenes the mtask already
 * has. Input mtasks are matched by `mtask_unid` to the task's (shared) mtasks and update their
 * name and schedule; the others are added after the task's last mtask, with a generated unid when
 * absent — unless they hold no scene, since an mtask without scenes belongs to no subtask. An
 * mtask this save leaves without scenes (it held this channel's only scenes, or the input
 * names it without scenes and nobody else has any) is deleted; an mtask that already had no
 * scenes and is not named is left alone. Pure but for `newId`.
 */
export function planChannelConfig(
  taskId: string,
  channel: string,
  mtasks: readonly MtaskInputDto[],
  existing: TaskConfig,
  newId: () => string,
): ChannelConfigPlan {
  const kept = existing.scenes.filter((s) => s.vchan_refid !== channel);
  const keptByMtask = groupByMtask(kept);
  const byUnid = firstByUnid(existing.mtasks);
  const nextScenePosition = new Map<string, number>();
  for (const s of kept) nextScenePosition.set(s.mtask_id, Math.max(nextScenePosition.get(s.mtask_id) ?? 0, s.position + 1));
  let nextMtaskPosition = existing.mtasks.reduce((max, m) => Math.max(max, m.position + 1), 0);

  const plan: ChannelConfigPlan = { mtaskUpdates: [], mtaskInserts: [], sceneInserts: [], mtaskDeletes: [], siblingChannels: [] };
  const candidates = new Set(existing.scenes.filter((s) => s.vchan_refid === channel).map((s) => s.mtask_id));
  const withNewScenes = new Set<string>();
  const siblings = new Set<string>();

  for (const mtask of mtasks) {
    const fields = toMtaskFields(mtask);
    const scenes = mtask.scenes ?? [];
    const shared = mtask.mtask_unid ? byUnid.get(mtask.mtask_unid) : undefined;
    let mtaskId: string;
    if (shared) {
      mtaskId = shared.id;
      candidates.add(mtaskId);
      if (!sameFields(shared, fields)) {
        plan.mtaskUpdates.push({ id: mtaskId, fields });
        for (const s of keptByMtask.get(mtaskId) ?? []) if (s.vchan_refid) siblings.add(s.vchan_refid);
      }
    } else {
      if (scenes.length === 0) continue;
      mtaskId = newId();
      plan.mtaskInserts.push({
        id: mtaskId,
        task_id: taskId,
        position: nextMtaskPosition++,
        mtask_unid: mtask.mtask_unid ?? mtaskId,
        ...fields,
        progress: null,
      });
    }
    for (const scene of scenes) {
      const position = nextScenePosition.get(mtaskId) ?? 0;
      nextScenePosition.set(mtaskId, position + 1);
      plan.sceneInserts.push(toSceneRow({ ...scene, vchan_refid: channel }, { id: newId(), mtask_id: mtaskId, task_id: taskId, position }));
      withNewScenes.add(mtaskId);
    }
  }
  plan.mtaskDeletes = existing.mtasks.filter((m) => candidates.has(m.id) && !keptByMtask.has(m.id) && !withNewScenes.has(m.id)).map((m) => m.id);
  const deleted = new Set(plan.mtaskDeletes);
  plan.mtaskUpdates = plan.mtaskUpdates.filter((u) => !deleted.has(u.id));
  plan.siblingChannels = [...siblings].sort();
  return plan;
}
