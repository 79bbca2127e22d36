import { ApiProperty } from '@nestjs/swagger';
import { EnvelopeDto } from '../../common/http/envelope.dto';
import { DESIRED_STATES, SUBTASK_STATES, TASK_STATUSES } from '../../task/domain/task-status';

export class TaskControlResponseDto extends EnvelopeDto {
  @ApiProperty({ type: String }) task_id: string;
  @ApiProperty({ type: String, enum: TASK_STATUSES, description: 'The derived status right after the request was recorded' }) status: string;
  @ApiProperty({
    type: 'object',
    properties: Object.fromEntries(SUBTASK_STATES.map((s) => [s, { type: 'integer', minimum: 0 }])),
    additionalProperties: false,
    description: 'How many subtasks are in each state',
  })
  status_counts: Record<string, number>;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Subtasks whose desired state changed; 0 for a repeated request' }) changed: number;
}

export class SubtaskControlResponseDto extends EnvelopeDto {
  @ApiProperty({ type: String }) subtask_id: string;
  @ApiProperty({ type: String }) task_id: string;
  @ApiProperty({ type: String, enum: SUBTASK_STATES }) state: string;
  @ApiProperty({ type: String, enum: DESIRED_STATES }) desired_state: string;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Increases on every new start' }) generation: number;
}
