import type { FieldError } from '../../common/errors/app.exception';
import { parseWireDateTime } from '../../common/time/datetime';
import { validateMtasks } from '../../scene/domain/validate-mtasks';
import { isPictureSource, SourceType } from '../../subtask/domain/decompose';
import type { CreateTaskDto, UpdateTaskDto } from '../dto/task-input.dto';

export interface TaskRulesContext {
  algoTypes: ReadonlySet<string>;
  xmlMaxBytes: number;
  timeZone: string;
}

/** Rules for a whole new task: dictionary code, source and split settings, then its mtasks. */
export function validateNewTask(dto: CreateTaskDto, ctx: TaskRulesContext): FieldError[] {
  const errors: FieldError[] = [];
  const sourceType: SourceType = dto.source_type ?? 'pull_video_stream';
  const pictures = isPictureSource(sourceType);

  if (!ctx.algoTypes.has(dto.algo_type)) errors.push({ field: 'algo_type', rule: 'algoTypeUnknown' });
  if (parseWireDateTime(dto.run_dt, ctx.timeZone) === null) errors.push({ field: 'run_dt', rule: 'isWireDateTime' });

  if (pictures) {
    if (!(typeof dto.node_count === 'number' && dto.node_count >= 1)) errors.push({ field: 'node_count', rule: 'nodeCountRequired' });
    if (sourceType === 'pull_pic_files' && !dto.pull_source_url) errors.push({ field: 'pull_source_url', rule: 'pullSourceUrlRequired' });
    if (dto.vchans?.length) errors.push({ field: 'vchans', rule: 'videoOnly' });
  } else {
    if (dto.node_count !== undefined && dto.node_count !== null) errors.push({ field: 'node_count', rule: 'picturesOnly' });
    if (dto.pull_source_url) errors.push({ field: 'pull_source_url', rule: 'picturesOnly' });
  }

  const channels = new Map<string, { is_ptz: boolean }>();
  (dto.vchans ?? []).forEach((vchan, i) => {
    if (channels.has(vchan.vchan_refid)) errors.push({ field: `vchans[${i}].vchan_refid`, rule: 'duplicate' });
    channels.set(vchan.vchan_refid, { is_ptz: vchan.is_ptz === true });
  });

  errors.push(...validateMtasks(dto.mtasks, { algoType: dto.algo_type, xmlMaxBytes: ctx.xmlMaxBytes, pictureSource: pictures, channels }));
  return errors;
}

export interface ExistingTaskShape {
  algo_type: string;
  source_type: SourceType;
  channels: ReadonlyMap<string, { is_ptz: boolean }>;
}

/** Rules for an edit: the task's source is fixed, so mtasks are checked against what it has. */
export function validateTaskUpdate(dto: UpdateTaskDto, task: ExistingTaskShape, ctx: Omit<TaskRulesContext, 'algoTypes'>): FieldError[] {
  const errors: FieldError[] = [];
  if (dto.run_dt !== undefined && parseWireDateTime(dto.run_dt, ctx.timeZone) === null) {
    errors.push({ field: 'run_dt', rule: 'isWireDateTime' });
  }
  errors.push(
    ...validateMtasks(dto.mtasks, {
      algoType: task.algo_type,
      xmlMaxBytes: ctx.xmlMaxBytes,
      pictureSource: isPictureSource(task.source_type),
      channels: task.channels,
    }),
  );
  return errors;
}
