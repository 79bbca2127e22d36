import { PagingQueryDto } from '../../common/http/paging-query.dto';
import { ApiProperty, ApiPropertyOptional, OmitType } from '@nestjs/swagger';
import { IsIn, IsOptional, MaxLength } from 'class-validator';
import { IsInList, IsText } from '../../common/validation/decorators';
import { ListEnvelopeDto } from '../../common/http/envelope.dto';
import { DESIRED_STATES, SUBTASK_STATES, TASK_STATUSES } from '../domain/task-status';
import type { DesiredState, SubtaskState } from '../domain/task-status';
import { SubtaskDto } from '../../subtask/dto/subtask-response.dto';
import { TaskDto } from './task-response.dto';
import { ListTasksQueryDto } from './task-input.dto';

/** GET /tasks: the list's filters, with several statuses, the deleted tasks, and a summary view. */
export class FleetListTasksQueryDto extends OmitType(ListTasksQueryDto, ['status'] as const) {
  @ApiPropertyOptional({
    type: String,
    example: 'running,degraded',
    description: `Only tasks with one of these derived statuses, comma-separated: ${TASK_STATUSES.join(', ')}`,
  })
  @IsOptional()
  @IsText()
  @MaxLength(256)
  @IsInList(TASK_STATUSES)
  status?: string;

  @ApiPropertyOptional({
    type: String,
    enum: ['true', 'false'],
    default: 'false',
    description: 'true: only the deleted tasks (recoverable with restore) instead of the live ones',
  })
  @IsOptional()
  @IsIn(['true', 'false'])
  deleted?: 'true' | 'false';

  @ApiPropertyOptional({ type: String, enum: ['full', 'summary'], default: 'full', description: 'summary: without mtasks and scenes' })
  @IsOptional()
  @IsIn(['full', 'summary'])
  view?: 'full' | 'summary';
}

/** GET /subtasks: subtasks across live tasks, newest first. */
export class ListSubtasksQueryDto extends PagingQueryDto {
  @ApiPropertyOptional({ type: String, enum: SUBTASK_STATES, description: 'Only subtasks in this state (e.g. failed)' })
  @IsOptional()
  @IsIn(SUBTASK_STATES)
  state?: SubtaskState;

  @ApiPropertyOptional({ type: String, enum: DESIRED_STATES, description: 'Only subtasks that should be in this state' })
  @IsOptional()
  @IsIn(DESIRED_STATES)
  desired_state?: DesiredState;

  @ApiPropertyOptional({ type: String, maxLength: 36, description: 'Only the subtasks of this task' })
  @IsOptional()
  @IsText()
  @MaxLength(36)
  task_id?: string;

  @ApiPropertyOptional({ type: String, maxLength: 128, description: 'Only the subtasks of this video channel, across tasks' })
  @IsOptional()
  @IsText()
  @MaxLength(128)
  vchan_refid?: string;
}

export class SubtaskSearchResponseDto extends ListEnvelopeDto {
  @ApiProperty({ type: [SubtaskDto] }) list_data: SubtaskDto[];
}

/** A list item of `view=summary`: the task without mtasks and scenes. */
export class TaskSummaryDto extends OmitType(TaskDto, ['mtasks'] as const) {}

/** One subtask a dry run would create or move. */
export class DryRunSubtaskDto {
  @ApiProperty({ type: String, description: 'For a create, the id it would get (not kept)' }) subtask_id: string;
  @ApiProperty({ type: String, nullable: true }) vchan_refid: string | null;
  @ApiProperty({ type: 'integer', nullable: true }) node_index: number | null;
  @ApiProperty({ type: String, enum: SUBTASK_STATES, nullable: true, description: 'Its state now; null when it would be created' }) state_before: string | null;
  @ApiProperty({ type: String, enum: SUBTASK_STATES, description: 'Its state after the request' }) state: string;
  @ApiProperty({ type: String, enum: DESIRED_STATES, nullable: true }) desired_state_before: string | null;
  @ApiProperty({ type: String, enum: DESIRED_STATES }) desired_state: string;
}

/**
 * What `?dry_run=true` adds to the answer the request would give: nothing was written; the task's
 * status after it, and the subtasks it would create or move.
 */
export class DryRunPreviewDto {
  @ApiProperty({ type: Boolean, enum: [true] }) dry_run: true;
  @ApiProperty({ type: String, enum: TASK_STATUSES, description: "The task's derived status after the request" }) task_status: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'integer', minimum: 0 }, description: 'How many subtasks would be in each state' })
  task_status_counts: Record<string, number>;
  @ApiProperty({ type: [DryRunSubtaskDto], description: 'The subtasks it would create or whose state or desired state it would change' })
  subtasks: DryRunSubtaskDto[];
}
