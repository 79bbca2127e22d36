import { Controller, Get, Headers, Param, Query, Res } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { AcceptsQueryToken } from '../common/auth/query-token';
import { ok } from '../common/http/envelope';
import { AvailabilityService } from './availability.service';
import {
  AvailabilityQueryDto,
  EventCatchUpQueryDto,
  EventCatchUpResponseDto,
  EventHistoryQueryDto,
  EventHistoryResponseDto,
  EventStreamQueryDto,
  SubtaskAvailabilityResponseDto,
  TaskAvailabilityResponseDto,
} from './dto/events.dto';
import { EventHistoryService } from './event-history.service';
import { EventStreamService } from './event-stream.service';

@ApiTags('events')
@Controller()
export class EventsController {
  constructor(
    private readonly history: EventHistoryService,
    private readonly stream: EventStreamService,
    private readonly availability: AvailabilityService,
  ) {}

  @Get('tasks/:task_id/events')
  @ApiOperation({ summary: "The task's events and its subtasks', newest first; next_before pages on" })
  @ApiOkResponse({ type: EventHistoryResponseDto })
  async taskEvents(@Param('task_id') id: string, @Query() query: EventHistoryQueryDto): Promise<EventHistoryResponseDto> {
    return ok(await this.history.forTask(id, query));
  }

  @Get('subtasks/:subtask_id/events')
  @ApiOperation({ summary: "One subtask's events, newest first; next_before pages on" })
  @ApiOkResponse({ type: EventHistoryResponseDto })
  async subtaskEvents(@Param('subtask_id') id: string, @Query() query: EventHistoryQueryDto): Promise<EventHistoryResponseDto> {
    return ok(await this.history.forSubtask(id, query));
  }

  @Get('events')
  @ApiOperation({ summary: 'Every event after a cursor, oldest first (catch-up); 410 when events after it were pruned' })
  @ApiOkResponse({ type: EventCatchUpResponseDto })
  async events(@Query() query: EventCatchUpQueryDto): Promise<EventCatchUpResponseDto> {
    return ok(await this.history.catchUp(query));
  }

  @Get('events/stream')
  @AcceptsQueryToken()
  @ApiOperation({
    summary:
      'Live events as server-sent events: id = event_id, event = kind, data = the event; replays after Last-Event-ID (or after) first; a comment line at least every 15 s',
  })
  @ApiProduces('text/event-stream')
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Resume after this event_id (EventSource sends it on reconnect)' })
  @ApiOkResponse({ description: 'text/event-stream', schema: { type: 'string' } })
  async streamEvents(
    @Query() query: EventStreamQueryDto,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const cursor = lastEventId?.trim() || query.after;
    const after = cursor === undefined ? null : await this.history.resumeAfter(cursor);
    await this.stream.serve(reply, { taskId: query.task_id, kinds: query.kind }, after);
  }

  @Get('subtasks/:subtask_id/availability')
  @ApiOperation({ summary: 'Uptime, downtime, outages and MTTR of one subtask over a window (default the last 24 h)' })
  @ApiOkResponse({ type: SubtaskAvailabilityResponseDto })
  async subtaskAvailability(@Param('subtask_id') id: string, @Query() query: AvailabilityQueryDto): Promise<SubtaskAvailabilityResponseDto> {
    return ok(await this.availability.forSubtask(id, query));
  }

  @Get('tasks/:task_id/availability')
  @ApiOperation({ summary: 'Availability summed over the subtasks of a task, with one row per subtask' })
  @ApiOkResponse({ type: TaskAvailabilityResponseDto })
  async taskAvailability(@Param('task_id') id: string, @Query() query: AvailabilityQueryDto): Promise<TaskAvailabilityResponseDto> {
    return ok(await this.availability.forTask(id, query));
  }
}
