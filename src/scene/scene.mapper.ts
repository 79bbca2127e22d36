import type { SubtaskState } from '../status/domain/derive-task-status';
import type { MtaskResponseDto, SceneResponseDto } from './dto/mtask-response.dto';
import type { MtaskRow, SceneRow } from './domain/scene-rows';

/** What scenes show of the subtasks that run them. */
export interface SubtaskRunInfo {
  vchan_refid: string | null;
  state: SubtaskState;
  status_reason: string | null;
  progress: number | null;
}

const codeOut = (code: string): number => Number(code);

/** Subtasks that run a scene: the channel's subtask, or every subtask when the scene names no channel. */
function runnersOf(scene: SceneRow, subtasks: readonly SubtaskRunInfo[]): readonly SubtaskRunInfo[] {
  if (!scene.vchan_refid) return subtasks;
  const bound = subtasks.filter((s) => s.vchan_refid === scene.vchan_refid);
  return bound.length ? bound : subtasks.filter((s) => s.vchan_refid === null);
}

export function toSceneResponse(scene: SceneRow, subtasks: readonly SubtaskRunInfo[]): SceneResponseDto {
  const runners = runnersOf(scene, subtasks);
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
function mtaskProgress(scenes: readonly SceneRow[], subtasks: readonly SubtaskRunInfo[]): number | null {
  const runners = new Set(scenes.flatMap((scene) => runnersOf(scene, subtasks)));
  const reported = [...runners].map((s) => s.progress).filter((p): p is number => p !== null);
  return reported.length ? Math.round(reported.reduce((a, b) => a + b, 0) / reported.length) : null;
}

/** mtask rows + their scene rows (any order) → the original's nested shape, in position order. */
export function toMtaskResponses(
  mtasks: readonly MtaskRow[],
  scenes: readonly SceneRow[],
  subtasks: readonly SubtaskRunInfo[],
): MtaskResponseDto[] {
  const scenesByMtask = new Map<string, SceneRow[]>();
  for (const scene of scenes) {
    const list = scenesByMtask.get(scene.mtask_id);
    if (list) list.push(scene);
    else scenesByMtask.set(scene.mtask_id, [scene]);
  }
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
        progress: mtaskProgress(own, subtasks),
        scenes: own.map((scene) => toSceneResponse(scene, subtasks)),
      };
    });
}
