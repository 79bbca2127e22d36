import { ApiProperty, IntersectionType, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { EnvelopeDto, ListEnvelopeDto } from '../../common/http/envelope.dto';
import { IsDigits, IsText, IsWireDateTime } from '../../common/validation/decorators';
import { EVENT_KINDS } from '../../journal/event';

/** `kind=a,b` or `kind=a&kind=b`: the kinds wanted. */
const toKinds = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value.split(',').map((s) => s.trim())
    : Array.isArray(value)
      ? value.flatMap((v: unknown) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()) : [v]))
      : value;

const KIND_DOC = { description: `Only these kinds, comma-separated: ${EVENT_KINDS.join(', ')}`, example: 'subtask.state,task.desired' };
const CURSOR = 'an event_id (20 digits; 0 = before every event)';

class EventListQueryDto {
  @ApiPropertyOptional({ ...KIND_DOC, type: String })
  @IsOptional()
  @Transform(toKinds)
  @IsIn(EVENT_KINDS, { each: true })
  kind?: string[];

  @ApiPropertyOptional({ minimum: 1, maximum: 100, default: 10 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(100)
  limit?: number;
}

export class EventHistoryQueryDto extends EventListQueryDto {
  @ApiPropertyOptional({ description: `Only events older than this cursor, ${CURSOR}: the previous page's next_before` })
  @IsOptional()
  @IsDigits(20)
  before?: string;
}

export class EventCatchUpQueryDto extends EventListQueryDto {
  @ApiPropertyOptional({ description: `Only events after this cursor, ${CURSOR}; without it, from the oldest kept` })
  @IsOptional()
  @IsDigits(20)
  after?: string;

  @ApiPropertyOptional({ description: "Only this task's events (and its subtasks')" })
  @IsOptional()
  @IsText()
  @MaxLength(36)
  task_id?: string;
}

export class EventStreamQueryDto {
  @ApiPropertyOptional({ description: `Resume after this cursor, ${CURSOR}; Last-Event-ID wins when both are sent; without either, live events only` })
  @IsOptional()
  @IsDigits(20)
  after?: string;

  @ApiPropertyOptional({ description: "Only this task's events (and its subtasks')" })
  @IsOptional()
  @IsText()
  @MaxLength(36)
  task_id?: string;

  @ApiPropertyOptional({ ...KIND_DOC, type: String })
  @IsOptional()
  @Transform(toKinds)
  @IsIn(EVENT_KINDS, { each: true })
  kind?: string[];

  @ApiPropertyOptional({ description: "The token, for browsers' EventSource, which cannot send Authorization (never logged)" })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  access_token?: string;
}

export class AvailabilityQueryDto {
  @ApiPropertyOptional({ example: '2026-05-01 00:00:00.000', description: 'Window start; default `to` minus 24 h' })
  @IsOptional()
  @IsWireDateTime()
  from?: string;

  @ApiPropertyOptional({ example: '2026-05-02 00:00:00.000', description: 'Window end, at most now; default now' })
  @IsOptional()
  @IsWireDateTime()
  to?: string;
}

export class UserActorDto {
  @ApiProperty({ enum: ['user', 'ops', 'system'] }) type: string;
  @ApiPropertyOptional({ description: "The token's subject (user actors only)" }) subject?: string;
  @ApiPropertyOptional({ description: "The token's role (user actors only)" }) role?: string;
}

export class EventDto {
  @ApiProperty({ example: '00000000000000000042', description: 'Opaque cursor; later events compare greater as strings' }) event_id: string;
  @ApiProperty({ example: '2026-05-01 08:00:00.000' }) at: string;
  @ApiProperty({ enum: EVENT_KINDS }) kind: string;
  @ApiProperty() task_id: string;
  @ApiProperty({ nullable: true, type: String }) subtask_id: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Previous state / value' }) from: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'New state / value' }) to: string | null;
  @ApiProperty({ nullable: true, type: 'integer', minimum: 0, description: 'The dispatch generation of a subtask event' }) generation: number | null;
  @ApiProperty({ nullable: true, type: String }) reason: string | null;
  @ApiProperty({ type: UserActorDto }) actor: UserActorDto;
}

export class EventHistoryResponseDto extends ListEnvelopeDto {
  @ApiProperty({ type: [EventDto], description: 'Newest first' }) list_data: EventDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `before` for the next (older) page; null on the last page' }) next_before: string | null;
}

export class EventCatchUpResponseDto extends ListEnvelopeDto {
  @ApiProperty({ type: [EventDto], description: 'Oldest first' }) list_data: EventDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `after` to continue: the last event here (or the cursor sent, when none)' }) next_after:
    string | null;
}

export class AvailabilityFiguresDto {
  @ApiProperty({
    nullable: true,
    type: 'number',
    format: 'double',
    minimum: 0,
    maximum: 1,
    description: 'running_ms / (running_ms + down_ms); null when nothing should have run',
  })
  uptime_ratio: number | null;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Time running while it should run' }) running_ms: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Time failed, lost or recovering after it had run, while it should run' }) down_ms: number;
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Unbroken stretches of downtime' }) outages: number;
  @ApiProperty({ type: 'integer', minimum: 0 }) longest_outage_ms: number;
  @ApiProperty({ nullable: true, type: 'integer', minimum: 0, description: 'Mean outage length; null without outages' }) mttr_ms: number | null;
}

/** The window the figures cover. */
class AvailabilityWindowDto extends AvailabilityFiguresDto {
  @ApiProperty({ example: '2026-05-01 00:00:00.000' }) from: string;
  @ApiProperty({ example: '2026-05-02 00:00:00.000' }) to: string;
}

export class SubtaskAvailabilityDto extends AvailabilityFiguresDto {
  @ApiProperty() subtask_id: string;
}

export class SubtaskAvailabilityResponseDto extends IntersectionType(EnvelopeDto, AvailabilityWindowDto) {
  @ApiProperty() subtask_id: string;
}

export class TaskAvailabilityResponseDto extends IntersectionType(EnvelopeDto, AvailabilityWindowDto) {
  @ApiProperty() task_id: string;
  @ApiProperty({ type: [SubtaskAvailabilityDto], description: 'One row per subtask, in position order' }) subtasks: SubtaskAvailabilityDto[];
}
