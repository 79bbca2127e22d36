import type { MtaskResponseDto, SceneResponseDto } from './dto/mtask-response.dto';
import type { MtaskRow, SceneRow } from './domain/scene-rows';

/** What scenes show of the subtasks that run them. */
export interface SubtaskRunInfo {
  vchan_refid: string | null;
  /** The subtask's state name; a scene is running while one of its subtasks is `running`. */
  state: string;
  status_reason: string | null;
  progress: number | null;
}

const codeOut = (code: string): number => Number(code);

/**
 * A task's subtasks indexed by channel, built once per task: looking each scene's runners up by
 * scanning every subtask made a task with n channels cost n² (a million steps at 1,000 channels).
 */
interface RunnerIndex {
  all: readonly SubtaskRunInfo[];
  byChannel: Map<string, SubtaskRunInfo[]>;
  unbound: SubtaskRunInfo[];
}

function indexRunners(subtasks: readonly SubtaskRunInfo[]): RunnerIndex {
  const byChannel = new Map<string, SubtaskRunInfo[]>();
  const unbound: SubtaskRunInfo[] = [];
  for (const subtask of subtasks) {
    if (subtask.vchan_refid === null) {
      unbound.push(subtask);
      continue;
    }
    const list = byChannel.get(subtask.vchan_refid);
    if (list) list.push(subtask);
    else byChannel.set(subtask.vchan_refid, [subtask]);
  }
  return { all: subtasks, byChannel, unbound };
}

/** Subtasks that run a scene: the channel's subtask, or every subtask when the scene names no channel. */
function runnersOf(scene: SceneRow, index: RunnerIndex): readonly SubtaskRunInfo[] {
  if (!scene.vchan_refid) return index.all;
  return index.byChannel.get(scene.vchan_refid) ?? index.unbound;
}

export function toSceneResponse(scene: SceneRow, subtasks: readonly SubtaskRunInfo[] | RunnerIndex): SceneResponseDto {
  const runners = runnersOf(scene, Array.isArray(subtasks) ? indexRunners(subtasks) : (subtasks as RunnerIndex));
  return {
    scene_unid: scene.scene_unid,
    name: scene.name,
    preset: scene.preset,
    callibration: scene.calibration === null ? null : { calibration: scene.calibration },
    rois: scene.rois.map((roi) => ({ roi })),
    config: scene.config_xml === null ? null : { xml: scene.config_xml },
    basicConfig: scene.basic_config_xml === null ? null : { xml: scene.basic_config_xml },
    link_scenes: scene.link_scenes,
    algo_type: codeOut(scene.algo_type),
    algo_args: scene.algo_args,
    is_record: scene.is_record,
    is_active: scene.is_active,
    vchan_refid: scene.vchan_refid,
    play_urls: scene.play_urls,
    is_running: runners.some((s) => s.state === 'running') ? 1 : 0,
    status_reason: runners.find((s) => s.status_reason)?.status_reason ?? null,
  };
}

/** Average reported progress of the subtasks running an mtask's scenes; null until something reported. */
function mtaskProgress(scenes: readonly SceneRow[], index: RunnerIndex): number | null {
  const runners = new Set(scenes.flatMap((scene) => runnersOf(scene, index)));
  const reported = [...runners].map((s) => s.progress).filter((p): p is number => p !== null);
  return reported.length ? Math.round(reported.reduce((a, b) => a + b, 0) / reported.length) : null;
}

/** mtask rows + their scene rows (any order) → the original's nested shape, in position order. */
export function toMtaskResponses(mtasks: readonly MtaskRow[], scenes: readonly SceneRow[], subtasks: readonly SubtaskRunInfo[]): MtaskResponseDto[] {
  const scenesByMtask = new Map<string, SceneRow[]>();
  for (const scene of scenes) {
    const list = scenesByMtask.get(scene.mtask_id);
    if (list) list.push(scene);
    else scenesByMtask.set(scene.mtask_id, [scene]);
  }
  const index = indexRunners(subtasks);
  return [...mtasks]
    .sort((a, b) => a.position - b.position)
    .map((mtask) => {
      const own = (scenesByMtask.get(mtask.id) ?? []).sort((a, b) => a.position - b.position);
      return {
        mtask_unid: mtask.mtask_unid,
        name: mtask.name,
        type: mtask.type,
        time_interval: mtask.time_interval,
        start_time: mtask.start_time,
        end_time: mtask.end_time,
        progress: mtaskProgress(own, index),
        scenes: own.map((scene) => toSceneResponse(scene, index)),
      };
    });
}
