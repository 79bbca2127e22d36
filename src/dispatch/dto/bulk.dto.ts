import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsNotEmpty, MaxLength } from 'class-validator';
import { IsText } from '../../common/validation/decorators';
import { EnvelopeDto } from '../../common/http/envelope.dto';
import { SUBTASK_STATES, TASK_STATUSES } from '../../task/domain/task-status';

export class BulkTaskIdsDto {
  @ApiProperty({
    type: [String],
    minItems: 1,
    maxItems: 100,
    uniqueItems: true,
    description: 'The tasks to act on, each on its own; 1 to 100 distinct ids',
    example: ['01936f0e-8d1c-7bb2-9a53-2f3c1d9e4a10'],
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @ArrayUnique()
  @IsText({ each: true })
  @IsNotEmpty({ each: true })
  @MaxLength(64, { each: true })
  task_ids: string[];
}

class BulkItemDto {
  @ApiProperty({ type: 'integer', example: 200, description: "This item's HTTP status: 200, or the error the single-item endpoint would answer (404, 409, …)" })
  ecode: number;
  @ApiProperty({ type: String, example: 'OK', description: "In the request's language" }) enote: string;
  @ApiPropertyOptional({ type: String, example: 'TASK_ACTIVE', description: 'The stable error code, on a failed item' }) error?: string;
}

export class BulkTaskItemDto extends BulkItemDto {
  @ApiProperty({ type: String }) task_id: string;
  @ApiPropertyOptional({ type: String, enum: TASK_STATUSES, description: 'start and stop: the derived status right after' }) status?: string;
  @ApiPropertyOptional({ type: 'integer', minimum: 0, description: 'start and stop: subtasks whose desired state changed' }) changed?: number;
}

export class BulkSubtaskItemDto extends BulkItemDto {
  @ApiProperty({ type: String }) subtask_id: string;
  @ApiPropertyOptional({ type: String, enum: SUBTASK_STATES, description: 'Its state after 配置完成' }) state?: string;
  @ApiPropertyOptional({ type: 'array', items: { type: 'object' }, description: 'CONFIG_INCOMPLETE: what is missing, localized' }) errors?: {
    field: string;
    message: string;
  }[];
}

export class BulkTaskResponseDto extends EnvelopeDto {
  @ApiProperty({ type: [BulkTaskItemDto], description: 'One per task id, in input order' }) results: BulkTaskItemDto[];
}

export class BulkSubtaskResponseDto extends EnvelopeDto {
  @ApiProperty({ type: String }) task_id: string;
  @ApiProperty({ type: [BulkSubtaskItemDto], description: "One per subtask of the task, in the task's order" }) results: BulkSubtaskItemDto[];
}
