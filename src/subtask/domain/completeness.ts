import type { FieldError } from '../../common/errors/app.exception';

/** What completeness reads of a scene, in the wire shape GET /subtasks/{id} answers. */
export interface SceneForCompleteness {
  rois: readonly { roi: string }[];
  callibration: { calibration: string } | null;
  config: { xml: string } | null;
}

export interface MtaskForCompleteness {
  scenes: readonly SceneForCompleteness[];
}

const present = (xml: string | null | undefined): boolean => typeof xml === 'string' && xml.trim() !== '';

/**
 * 配置完成: what a subtask's configuration (its mtasks as GET /subtasks/{id} shows them, in that
 * order) still lacks before it can run. It needs at least one scene, and every scene needs at
 * least one ROI, a calibration and an algorithm config; `basicConfig` and `algo_args` are
 * optional. Field paths index that same view. Empty when complete. Pure.
 */
export function findMissingConfig(mtasks: readonly MtaskForCompleteness[], path = 'mtasks'): FieldError[] {
  const errors: FieldError[] = [];
  if (!mtasks.some((m) => m.scenes.length > 0)) return [{ field: path, rule: 'noScenes' }];
  mtasks.forEach((mtask, i) => {
    mtask.scenes.forEach((scene, j) => {
      const at = `${path}[${i}].scenes[${j}]`;
      if (!scene.rois.some((r) => present(r.roi))) errors.push({ field: `${at}.rois`, rule: 'missingRoi' });
      if (!present(scene.callibration?.calibration)) errors.push({ field: `${at}.callibration`, rule: 'missingCalibration' });
      if (!present(scene.config?.xml)) errors.push({ field: `${at}.config`, rule: 'missingConfig' });
    });
  });
  return errors;
}
