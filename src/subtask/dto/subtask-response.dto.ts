import { ApiProperty, IntersectionType } from '@nestjs/swagger';
import { EnvelopeDto, ListEnvelopeDto } from '../../common/http/envelope.dto';
import { MtaskResponseDto } from '../../scene/dto/mtask-response.dto';
import { DESIRED_STATES, SUBTASK_STATES } from '../domain/states';
import { algoTypeCode, wireDateTime } from '../../common/http/api-schema';

export class SubtaskSourceDto {
  @ApiProperty({ nullable: true, type: String, description: 'Video channel (video sources)' }) vchan_refid: string | null;
  @ApiProperty({ nullable: true, type: String }) vchan_name: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'uri' }) play_url: string | null;
  @ApiProperty({ type: Boolean }) is_ptz: boolean;
  @ApiProperty({ nullable: true, type: 'integer', minimum: 0, description: 'Worker node index (picture sources)' }) node_index: number | null;
  @ApiProperty({ nullable: true, type: String, format: 'uri' }) pull_source_url: string | null;
}

export class SubtaskDto {
  @ApiProperty({ type: String }) subtask_id: string;
  @ApiProperty({ type: String }) task_id: string;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Order within the task' }) position: number;
  @ApiProperty({ type: SubtaskSourceDto }) source: SubtaskSourceDto;
  @ApiProperty({ type: String, enum: SUBTASK_STATES }) state: string;
  @ApiProperty({ type: String, enum: DESIRED_STATES, description: 'What the operator asked for: idle (never started), run or stop' }) desired_state: string;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Increases on every new start' }) generation: number;
  @ApiProperty({ nullable: true, type: String }) status_reason: string | null;
  @ApiProperty({ nullable: true, type: 'integer', minimum: 0, maximum: 100 }) progress: number | null;
  @ApiProperty({ ...wireDateTime, nullable: true, description: 'When the ops service reported the state last applied' }) reported_at: string | null;
  @ApiProperty({
    nullable: true,
    type: 'integer',
    minimum: 0,
    description: 'How long ago the last report applied to this subtask arrived, in ms (heartbeats count)',
  })
  report_age_ms: number | null;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Calls to the ops service for the current generation that met an unavailable ops service' })
  attempts: number;
  @ApiProperty({ ...wireDateTime, nullable: true, description: 'When the reconciler works on it next (a retry, run_dt, a stop to confirm)' })
  next_attempt_at: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The last failure talking to the ops service about it, kept after it recovers' }) last_error:
    string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The replica whose reconciler holds a claim on it right now' }) lease_owner: string | null;
  @ApiProperty({ ...wireDateTime, nullable: true, description: 'When that claim lapses unless renewed' }) lease_until: string | null;
  @ApiProperty(wireDateTime) update_dt: string;
}

export class SubtaskListResponseDto extends ListEnvelopeDto {
  @ApiProperty({ type: [SubtaskDto] }) list_data: SubtaskDto[];
}

/** GET /subtasks/{id}: the subtask, its task's algorithm type and its configuration. */
export class SubtaskDetailResponseDto extends IntersectionType(EnvelopeDto, SubtaskDto) {
  @ApiProperty({ ...algoTypeCode, description: `The task's algorithm type. ${algoTypeCode.description}` }) algo_type: string;
  @ApiProperty({
    type: [MtaskResponseDto],
    description: "The task's mtasks restricted to this subtask's scenes; is_running, status_reason and progress are this subtask's",
  })
  mtasks: MtaskResponseDto[];
}

/** PUT /subtasks/{id}/config and POST /subtasks/{id}/config-complete. */
export class SubtaskStateResponseDto extends EnvelopeDto {
  @ApiProperty({ type: String }) subtask_id: string;
  @ApiProperty({ type: String, enum: SUBTASK_STATES }) state: string;
}
