import type { Schedule } from '../../schedule/domain/schedule';
import { ScheduleDto } from '../../schedule/dto/schedule.dto';
import { ApiProperty, IntersectionType } from '@nestjs/swagger';
import { EnvelopeDto, ListEnvelopeDto } from '../../common/http/envelope.dto';
import { MtaskResponseDto } from '../../scene/dto/mtask-response.dto';
import { SUBTASK_STATES, TASK_STATUSES } from '../domain/task-status';
import { SOURCE_TYPES } from '../../subtask/domain/decompose';
import { SubtaskDto } from '../../subtask/dto/subtask-response.dto';
import { VchanDto } from './task-input.dto';
import { algoTypeCode, wireDateTime } from '../../common/http/api-schema';

const statusCountsSchema = {
  type: 'object' as const,
  properties: Object.fromEntries(SUBTASK_STATES.map((s) => [s, { type: 'integer' as const, minimum: 0 }])),
  required: [...SUBTASK_STATES],
  additionalProperties: false,
  example: { unconfigured: 0, configured: 0, scheduled: 0, dispatching: 0, running: 3, stopping: 0, stopped: 1, failed: 0, completed: 0, lost: 0 },
};

export class TaskDto {
  @ApiProperty({ type: String, example: '01936f0e-8d1c-7bb2-9a53-2f3c1d9e4a10' }) task_id: string;
  @ApiProperty({ type: String, example: 'North gate traffic' }) task_name: string;
  @ApiProperty(algoTypeCode) algo_type: string;
  @ApiProperty({ ...wireDateTime, description: 'Not before this (configured time zone)' }) run_dt: string;
  @ApiProperty({ type: String, format: 'uri', example: 'rtsp://192.168.9.155:8554/live/1' }) play_url: string;
  @ApiProperty({ nullable: true, type: String }) store_conf_unid: string | null;
  @ApiProperty({ type: String, enum: SOURCE_TYPES }) source_type: string;
  @ApiProperty({ type: [VchanDto] }) vchans: VchanDto[];
  @ApiProperty({ nullable: true, type: 'integer', minimum: 1, description: 'Picture sources: number of worker nodes' }) node_count: number | null;
  @ApiProperty({ nullable: true, type: String, format: 'uri' }) pull_source_url: string | null;
  @ApiProperty({ type: ScheduleDto, nullable: true, description: 'Weekly windows the subtasks run in after a start; null means always' })
  schedule: Schedule | null;
  @ApiProperty({ type: [MtaskResponseDto] }) mtasks: MtaskResponseDto[];
  @ApiProperty({ type: String, enum: TASK_STATUSES, description: 'Derived from the subtasks (API.md section 5)' }) status: string;
  @ApiProperty({ ...statusCountsSchema, description: 'How many subtasks are in each state' }) status_counts: Record<string, number>;
  @ApiProperty({ nullable: true, type: String, description: 'Why the task is not running, in the request\'s language (e.g. "2 of 16 subtasks failed: …")' })
  status_reason: string | null;
  @ApiProperty({ ...wireDateTime, nullable: true, description: 'When a waiting task (run_dt, a schedule window, a retry) moves on next' })
  next_transition_at: string | null;
  @ApiProperty(wireDateTime) create_dt: string;
  @ApiProperty(wireDateTime) update_dt: string;
}

export class TaskListResponseDto extends ListEnvelopeDto {
  @ApiProperty({ type: [TaskDto] }) list_data: TaskDto[];
}

/** The task fields beside ecode/enote, plus its subtasks. */
export class TaskDetailResponseDto extends IntersectionType(EnvelopeDto, TaskDto) {
  @ApiProperty({ type: [SubtaskDto] }) subtasks: SubtaskDto[];
}

export class TaskIdResponseDto extends EnvelopeDto {
  @ApiProperty({ type: String, example: '01936f0e-8d1c-7bb2-9a53-2f3c1d9e4a10' }) task_id: string;
}

export class ScheduleTransitionDto {
  @ApiProperty({ example: '2026-12-02 07:00:00.000', description: 'In the service time zone (TIME_ZONE), wire format' }) at: string;
  @ApiProperty({ type: String, format: 'date-time', example: '2026-12-01T23:00:00.000Z' }) at_utc: string;
  @ApiProperty({ enum: ['open', 'close'] }) kind: 'open' | 'close';
  @ApiProperty({ example: '2026-12-02T07:00:00+08:00', description: "In the schedule's own zone, ISO-8601 with offset" }) local: string;
}

export class SchedulePreviewResponseDto extends EnvelopeDto {
  @ApiProperty({ type: ScheduleDto, nullable: true }) schedule: Schedule | null;
  @ApiProperty({ type: [ScheduleTransitionDto] }) transitions: ScheduleTransitionDto[];
}
