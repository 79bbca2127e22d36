import { Body, Controller, Delete, Get, Headers, HttpCode, Inject, Param, Post, Put, Query, Res, UseFilters, UseInterceptors } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiBody, ApiHeader, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { notModified } from '../common/http/conditional';
import { IdempotencyInterceptor, IdempotentReplayFilter } from '../common/idempotency/idempotency.interceptor';
import { DryRunService } from './dry-run.service';
import { FleetListTasksQueryDto } from './dto/fleet.dto';
import { TaskQueryService } from './task-query.service';
import { ApiErrors, BODY_ERRORS } from '../common/http/api-errors';
import { CREATE_TASK_EXAMPLE, UPDATE_TASK_EXAMPLE } from '../common/http/api-examples';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { ok } from '../common/http/envelope';
import { RequestLanguage } from '../common/http/request-language';
import type { Language } from '../config/app-config';
import type { Actor } from '../journal/event';
import { RequestActor } from '../journal/actor.decorator';
import { SubtaskListResponseDto } from '../subtask/dto/subtask-response.dto';
import { SubtaskService } from './subtask.service';
import { CreateTaskDto, SchedulePreviewQueryDto, UpdateTaskDto } from './dto/task-input.dto';
import { SchedulePreviewResponseDto, TaskDetailResponseDto, TaskIdResponseDto, TaskListResponseDto } from './dto/task-response.dto';
import { parseWireDateTime } from '../common/time/datetime';
import { TaskService } from './task.service';

export const DRY_RUN_QUERY = {
  name: 'dry_run',
  required: false,
  enum: ['true', 'false'],
  description: 'true: validate and answer what would happen (dry_run, task_status, subtasks), writing nothing',
};
export const IF_NONE_MATCH = {
  name: 'If-None-Match',
  required: false,
  description: 'An ETag of an earlier answer (weak, W/"…"): 304 with no body while it is still current',
};
/** Named as the handler reads it (header names are case-insensitive), so the document lists it once, optional. */
export const IF_MATCH = {
  name: 'if-match',
  required: false,
  description: 'The ETag of the GET this edit is based on: 412 PRECONDITION_FAILED when it changed since',
};

@ApiTags('tasks')
@Controller('tasks')
export class TaskController {
  constructor(
    private readonly tasks: TaskService,
    private readonly subtasks: SubtaskService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly queries: TaskQueryService,
    private readonly dryRuns: DryRunService,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Create a big task and split it into subtasks (nothing is dispatched)' })
  @ApiBody({ type: CreateTaskDto, examples: { task: { summary: 'Two cameras', value: CREATE_TASK_EXAMPLE } } })
  @ApiOkResponse({ type: TaskIdResponseDto })
  @ApiErrors(BODY_ERRORS, 'IDEMPOTENCY_KEY_REUSED', 'IDEMPOTENCY_IN_PROGRESS')
  @ApiQuery(DRY_RUN_QUERY)
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: '1 to 255 printable characters: the same key and body within 24 h answer the first answer again (Idempotent-Replayed: true)',
  })
  @UseInterceptors(IdempotencyInterceptor)
  @UseFilters(IdempotentReplayFilter)
  async create(@Body() dto: CreateTaskDto, @RequestActor() actor: Actor, @Query('dry_run') dryRun?: string): Promise<TaskIdResponseDto> {
    return ok(await this.dryRuns.perform(dryRun, {}, () => this.tasks.create(dto, actor)));
  }

  @Get()
  @ApiOperation({ summary: 'List tasks, newest create_dt first, with derived status and nested configuration' })
  @ApiOkResponse({ type: TaskListResponseDto })
  @ApiErrors('VALIDATION_FAILED')
  @ApiHeader(IF_NONE_MATCH)
  async list(
    @Query() query: FleetListTasksQueryDto,
    @RequestLanguage() lang: Language,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TaskListResponseDto | undefined> {
    // The ETag comes from a light query (versions of the page's rows); the page is built only for a 200.
    const version = await this.queries.listVersion(query);
    if (notModified(reply, ifNoneMatch, version.etag)) return undefined;
    return ok(await this.queries.listPage(query, version, lang)) as TaskListResponseDto;
  }

  @Get(':task_id')
  @ApiOperation({ summary: 'One task with its status, counts and subtasks' })
  @ApiOkResponse({ type: TaskDetailResponseDto })
  @ApiErrors('TASK_NOT_FOUND')
  @ApiHeader(IF_NONE_MATCH)
  async get(
    @Param('task_id') id: string,
    @RequestLanguage() lang: Language,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<TaskDetailResponseDto | undefined> {
    if (notModified(reply, ifNoneMatch, await this.queries.taskEtag(id))) return undefined;
    const { task, subtasks } = await this.tasks.get(id, lang);
    return ok({ ...task, subtasks: this.subtasks.toDtos(subtasks) });
  }

  @Put(':task_id')
  @ApiOperation({ summary: 'Edit name, run_dt, play_url, store_conf_unid or mtasks while no subtask is active' })
  @ApiBody({ type: UpdateTaskDto, examples: { rename: { summary: 'Rename, start a day later', value: UPDATE_TASK_EXAMPLE } } })
  @ApiOkResponse({ type: TaskIdResponseDto })
  @ApiErrors(BODY_ERRORS, 'TASK_NOT_FOUND', 'TASK_ACTIVE', 'PRECONDITION_FAILED')
  @ApiQuery(DRY_RUN_QUERY)
  @ApiHeader(IF_MATCH)
  async update(
    @Param('task_id') id: string,
    @Body() dto: UpdateTaskDto,
    @RequestActor() actor: Actor,
    @Query('dry_run') dryRun?: string,
    @Headers('if-match') ifMatch?: string,
  ): Promise<TaskIdResponseDto> {
    return ok(
      await this.dryRuns.perform(dryRun, { taskId: id }, async () => {
        await this.tasks.update(id, dto, actor, { ifMatch });
        return { task_id: id };
      }),
    );
  }

  @Delete(':task_id')
  @ApiOperation({ summary: 'Delete a task (recoverable with restore); refused while any subtask is active' })
  @ApiOkResponse({ type: TaskIdResponseDto })
  @ApiErrors('TASK_NOT_FOUND', 'TASK_ACTIVE')
  async remove(@Param('task_id') id: string, @RequestActor() actor: Actor): Promise<TaskIdResponseDto> {
    await this.tasks.remove(id, actor);
    return ok({ task_id: id });
  }

  @Post(':task_id/restore')
  @HttpCode(200)
  @ApiOperation({ summary: 'Bring a deleted task back' })
  @ApiOkResponse({ type: TaskIdResponseDto })
  @ApiErrors('TASK_NOT_FOUND', 'TASK_NOT_DELETED')
  async restore(@Param('task_id') id: string, @RequestActor() actor: Actor): Promise<TaskIdResponseDto> {
    await this.tasks.restore(id, actor);
    return ok({ task_id: id });
  }

  @Get(':task_id/subtasks')
  @ApiOperation({ summary: "The task's subtasks with their state, reason and progress" })
  @ApiOkResponse({ type: SubtaskListResponseDto })
  @ApiErrors('TASK_NOT_FOUND')
  @ApiHeader(IF_NONE_MATCH)
  async listSubtasks(
    @Param('task_id') id: string,
    @Headers('if-none-match') ifNoneMatch: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<SubtaskListResponseDto | undefined> {
    await this.tasks.assertExists(id);
    if (notModified(reply, ifNoneMatch, await this.queries.subtaskListEtag(id))) return undefined;
    const list = await this.subtasks.listForTask(id);
    return ok({ total_num: list.length, offset: 0, list_size: list.length, list_data: list });
  }

  @Get(':task_id/schedule/preview')
  @ApiOperation({ summary: "The next openings and closings of the task's schedule (local and UTC)" })
  @ApiOkResponse({ type: SchedulePreviewResponseDto })
  async schedulePreview(@Param('task_id') id: string, @Query() query: SchedulePreviewQueryDto): Promise<SchedulePreviewResponseDto> {
    const from = query.from === undefined ? undefined : parseWireDateTime(query.from, this.config.time.zone)!;
    return ok(await this.tasks.schedulePreview(id, from, query.count));
  }
}
