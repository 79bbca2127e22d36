import { Body, Controller, Delete, Get, HttpCode, Inject, Param, Post, Put, Query } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
import { CreateTaskDto, ListTasksQueryDto, SchedulePreviewQueryDto, UpdateTaskDto } from './dto/task-input.dto';
import { SchedulePreviewResponseDto, TaskDetailResponseDto, TaskIdResponseDto, TaskListResponseDto } from './dto/task-response.dto';
import { parseWireDateTime } from '../common/time/datetime';
import { TaskService } from './task.service';

@ApiTags('tasks')
@Controller('tasks')
export class TaskController {
  constructor(
    private readonly tasks: TaskService,
    private readonly subtasks: SubtaskService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Post()
  @HttpCode(200)
  @ApiOperation({ summary: 'Create a big task and split it into subtasks (nothing is dispatched)' })
  @ApiBody({ type: CreateTaskDto, examples: { task: { summary: 'Two cameras', value: CREATE_TASK_EXAMPLE } } })
  @ApiOkResponse({ type: TaskIdResponseDto })
  @ApiErrors(BODY_ERRORS)
  async create(@Body() dto: CreateTaskDto, @RequestActor() actor: Actor): Promise<TaskIdResponseDto> {
    return ok(await this.tasks.create(dto, actor));
  }

  @Get()
  @ApiOperation({ summary: 'List tasks, newest create_dt first, with derived status and nested configuration' })
  @ApiOkResponse({ type: TaskListResponseDto })
  @ApiErrors('VALIDATION_FAILED')
  async list(@Query() query: ListTasksQueryDto, @RequestLanguage() lang: Language): Promise<TaskListResponseDto> {
    return ok(await this.tasks.list(query, lang));
  }

  @Get(':task_id')
  @ApiOperation({ summary: 'One task with its status, counts and subtasks' })
  @ApiOkResponse({ type: TaskDetailResponseDto })
  @ApiErrors('TASK_NOT_FOUND')
  async get(@Param('task_id') id: string, @RequestLanguage() lang: Language): Promise<TaskDetailResponseDto> {
    const { task, subtasks } = await this.tasks.get(id, lang);
    return ok({ ...task, subtasks: this.subtasks.toDtos(subtasks) });
  }

  @Put(':task_id')
  @ApiOperation({ summary: 'Edit name, run_dt, play_url, store_conf_unid or mtasks while no subtask is active' })
  @ApiBody({ type: UpdateTaskDto, examples: { rename: { summary: 'Rename, start a day later', value: UPDATE_TASK_EXAMPLE } } })
  @ApiOkResponse({ type: TaskIdResponseDto })
  @ApiErrors(BODY_ERRORS, 'TASK_NOT_FOUND', 'TASK_ACTIVE')
  async update(@Param('task_id') id: string, @Body() dto: UpdateTaskDto, @RequestActor() actor: Actor): Promise<TaskIdResponseDto> {
    await this.tasks.update(id, dto, actor);
    return ok({ task_id: id });
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
  async listSubtasks(@Param('task_id') id: string): Promise<SubtaskListResponseDto> {
    await this.tasks.assertExists(id);
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
