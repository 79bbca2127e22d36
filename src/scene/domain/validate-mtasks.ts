import type { FieldError } from '../../common/errors/app.exception';
import type { MtaskInputDto, SceneInputDto } from '../dto/mtask.dto';
import { validateAlgoArgs } from './algo-args';
import { checkXml } from './xml';

export interface MtaskRules {
  /** The big task's algorithm type; every scene must carry the same. */
  algoType: string;
  xmlMaxBytes: number;
  /** Picture sources have no cameras, so the PTZ and channel rules do not apply. */
  pictureSource: boolean;
  /** Declared video channels by vchan_refid; empty when the task streams its own play_url. */
  channels: ReadonlyMap<string, { is_ptz: boolean }>;
}

const POLLING = 0;
const TIME_PERIOD = 1;

function sceneXmlFields(scene: SceneInputDto): [string, string | undefined][] {
  return [
    ['callibration.calibration', scene.callibration?.calibration],
    ...(scene.rois ?? []).map((roi, k): [string, string | undefined] => [`rois[${k}].roi`, roi.roi]),
    ['config.xml', scene.config?.xml],
    ['basicConfig.xml', scene.basicConfig?.xml],
  ];
}

/**
 * A scene bound to a channel runs on that camera. An unbound one is refused in a task with
 * channels (`vchanRequired`); the PTZ rule still reads it as running on every camera, so on a
 * task without channels (no PTZ camera at all) types 1 and 2 are refused.
 */
function isPtzScene(scene: SceneInputDto, rules: MtaskRules): boolean {
  if (scene.vchan_refid) return rules.channels.get(scene.vchan_refid)?.is_ptz === true;
  return allChannelsPtz(rules);
}

function allChannelsPtz(rules: MtaskRules): boolean {
  return rules.channels.size > 0 && [...rules.channels.values()].every((c) => c.is_ptz);
}

/**
 * The domain rules on mtasks and scenes that a DTO cannot express: schedules per mtask type,
 * PTZ-only types, channel binding, algo_type equality, algo_args per algorithm type, unique ids
 * and well-formed, bounded XML. Task creation, task edit and subtask configuration all use it.
 * Pure: every problem is returned with its field path, nothing is thrown.
 */
export function validateMtasks(mtasks: readonly MtaskInputDto[] | null | undefined, rules: MtaskRules, path = 'mtasks'): FieldError[] {
  const errors: FieldError[] = [];
  const mtaskIds = new Set<string>();
  const sceneIds = new Set<string>();

  (mtasks ?? []).forEach((mtask, i) => {
    const at = `${path}[${i}]`;
    const type = mtask.type ?? POLLING;
    if (mtask.mtask_unid) {
      if (mtaskIds.has(mtask.mtask_unid)) errors.push({ field: `${at}.mtask_unid`, rule: 'duplicate' });
      mtaskIds.add(mtask.mtask_unid);
    }
    if (type === POLLING && !(typeof mtask.time_interval === 'number' && mtask.time_interval >= 1)) {
      errors.push({ field: `${at}.time_interval`, rule: 'timeIntervalRequired' });
    }
    if (type === TIME_PERIOD) {
      if (!mtask.start_time) errors.push({ field: `${at}.start_time`, rule: 'timeRangeRequired' });
      if (!mtask.end_time) errors.push({ field: `${at}.end_time`, rule: 'timeRangeRequired' });
    }
    const scenes = mtask.scenes ?? [];
    if (type !== POLLING && !rules.pictureSource) {
      const ptzOk = scenes.length > 0 ? scenes.every((s) => isPtzScene(s, rules)) : allChannelsPtz(rules);
      if (!ptzOk) errors.push({ field: `${at}.type`, rule: 'ptzRequired', args: { type } });
    }

    scenes.forEach((scene, j) => {
      const sceneAt = `${at}.scenes[${j}]`;
      if (scene.scene_unid) {
        if (sceneIds.has(scene.scene_unid)) errors.push({ field: `${sceneAt}.scene_unid`, rule: 'duplicate' });
        sceneIds.add(scene.scene_unid);
      }
      const sameAlgoType = String(scene.algo_type) === rules.algoType;
      if (!sameAlgoType) {
        errors.push({ field: `${sceneAt}.algo_type`, rule: 'algoTypeMismatch', args: { expected: rules.algoType } });
      }
      if (scene.vchan_refid && rules.pictureSource) {
        errors.push({ field: `${sceneAt}.vchan_refid`, rule: 'videoOnly' });
      } else if (scene.vchan_refid && !rules.channels.has(scene.vchan_refid)) {
        errors.push({ field: `${sceneAt}.vchan_refid`, rule: 'vchanUnknown' });
      } else if (!scene.vchan_refid && !rules.pictureSource && rules.channels.size > 0) {
        // A scene belongs to exactly one channel's subtask: in a task that declares channels it must name one.
        errors.push({ field: `${sceneAt}.vchan_refid`, rule: 'vchanRequired' });
      }
      // Arguments are checked against the task's type; a scene of another type is already refused
      // above, and checking its arguments against a schema it does not follow would only add noise.
      if (sameAlgoType) errors.push(...validateAlgoArgs(rules.algoType, scene.algo_args, `${sceneAt}.algo_args`));
      for (const [name, value] of sceneXmlFields(scene)) {
        if (value === undefined) continue;
        const problem = checkXml(value, rules.xmlMaxBytes);
        if (problem) errors.push({ field: `${sceneAt}.${name}`, rule: problem, args: { max: rules.xmlMaxBytes } });
      }
    });
  });
  return errors;
}
