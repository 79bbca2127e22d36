import type { MtaskInputDto } from '../dto/mtask.dto';
import type { MtaskEntity } from '../mtask.entity';
import type { SceneEntity } from '../scene.entity';

export type MtaskRow = Omit<MtaskEntity, 'task'>;
export type SceneRow = Omit<SceneEntity, 'mtask'>;

/** Turns validated input mtasks into rows, generating ids (and unids the client left out). Pure but for `newId`. */
export function toMtaskRows(
  taskId: string,
  mtasks: readonly MtaskInputDto[] | null | undefined,
  newId: () => string,
): { mtasks: MtaskRow[]; scenes: SceneRow[] } {
  const mtaskRows: MtaskRow[] = [];
  const sceneRows: SceneRow[] = [];
  (mtasks ?? []).forEach((mtask, i) => {
    const mtaskId = newId();
    mtaskRows.push({
      id: mtaskId,
      task_id: taskId,
      position: i,
      mtask_unid: mtask.mtask_unid ?? mtaskId,
      name: mtask.name ?? null,
      type: mtask.type ?? 0,
      time_interval: mtask.time_interval ?? null,
      start_time: mtask.start_time ?? null,
      end_time: mtask.end_time ?? null,
      progress: null,
    });
    (mtask.scenes ?? []).forEach((scene, j) => {
      const sceneId = newId();
      sceneRows.push({
        id: sceneId,
        mtask_id: mtaskId,
        task_id: taskId,
        position: j,
        scene_unid: scene.scene_unid ?? sceneId,
        name: scene.name ?? null,
        preset: scene.preset ?? null,
        calibration: scene.callibration?.calibration ?? null,
        rois: (scene.rois ?? []).map((r) => r.roi),
        config_xml: scene.config?.xml ?? null,
        basic_config_xml: scene.basicConfig?.xml ?? null,
        link_scenes: scene.link_scenes ?? [],
        algo_type: String(scene.algo_type),
        algo_args: scene.algo_args ?? {},
        is_record: scene.is_record ?? null,
        is_active: scene.is_active ?? null,
        vchan_refid: scene.vchan_refid ?? null,
        play_urls: scene.play_urls ? { http: scene.play_urls.http ?? null, rtsp: scene.play_urls.rtsp ?? null } : null,
      });
    });
  });
  return { mtasks: mtaskRows, scenes: sceneRows };
}
