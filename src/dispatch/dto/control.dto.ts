import { ApiProperty } from '@nestjs/swagger';
import { EnvelopeDto } from '../../common/http/envelope.dto';
import { DESIRED_STATES, SUBTASK_STATES, TASK_STATUSES } from '../../task/domain/task-status';

export class TaskControlResponseDto extends EnvelopeDto {
  @ApiProperty() task_id: string;
  @ApiProperty({ enum: TASK_STATUSES, description: 'The derived status right after the request was recorded' }) status: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer' } }) status_counts: Record<string, number>;
  @ApiProperty({ description: 'Subtasks whose desired state changed; 0 for a repeated request' }) changed: number;
}

export class SubtaskControlResponseDto extends EnvelopeDto {
  @ApiProperty() subtask_id: string;
  @ApiProperty() task_id: string;
  @ApiProperty({ enum: SUBTASK_STATES }) state: string;
  @ApiProperty({ enum: DESIRED_STATES }) desired_state: string;
  @ApiProperty({ description: 'Increases on every new start' }) generation: number;
}
