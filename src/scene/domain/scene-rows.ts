import type { MtaskInputDto, SceneInputDto } from '../dto/mtask.dto';
import type { MtaskEntity } from '../mtask.entity';
import type { SceneEntity } from '../scene.entity';

export type MtaskRow = Omit<MtaskEntity, 'task'>;
export type SceneRow = Omit<SceneEntity, 'mtask'>;

/** The columns of an mtask that its input sets (its name and schedule), with the defaults of absent ones. */
export type MtaskFields = Pick<MtaskRow, 'name' | 'type' | 'time_interval' | 'start_time' | 'end_time'>;

export function toMtaskFields(mtask: MtaskInputDto): MtaskFields {
  return {
    name: mtask.name ?? null,
    type: mtask.type ?? 0,
    time_interval: mtask.time_interval ?? null,
    start_time: mtask.start_time ?? null,
    end_time: mtask.end_time ?? null,
  };
}

/** One validated input scene → its row; `scene_unid` defaults to the row id. Pure. */
export function toSceneRow(scene: SceneInputDto, keys: { id: string; mtask_id: string; task_id: string; position: number }): SceneRow {
  return {
    ...keys,
    scene_unid: scene.scene_unid ?? keys.id,
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
  };
}

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
      ...toMtaskFields(mtask),
      progress: null,
    });
    (mtask.scenes ?? []).forEach((scene, j) => {
      sceneRows.push(toSceneRow(scene, { id: newId(), mtask_id: mtaskId, task_id: taskId, position: j }));
    });
  });
  return { mtasks: mtaskRows, scenes: sceneRows };
}
