import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { AppException } from '../common/errors/app.exception';
import { etagMatches, subtaskVersionOf, taskEtag } from '../common/http/etag';
import { formatWireDateTime, parseWireDateTime } from '../common/time/datetime';
import { previewTransitions, Schedule } from '../schedule/domain/schedule';
import type { ScheduleDto } from '../schedule/dto/schedule.dto';
import { CLOCK, Clock } from '../common/time/clock';
import { APP_CONFIG, AppConfig, Language } from '../config/app-config';
import { Actor, stateChange, SYSTEM_ACTOR } from '../journal/event';
import { JournalRepository } from '../journal/journal.repository';
import { TransactionRunner } from '../database/transaction.runner';
import { DictionaryService } from '../dictionary/dictionary.service';
import { toMtaskRows } from '../scene/domain/scene-rows';
import { SceneRepository } from '../scene/scene.repository';
import { throwIfInvalid } from '../scene/throw-if-invalid';
import { countStates, deriveTaskStatus } from './domain/task-status';
import { decomposeIntoSubtasks, SourceType } from '../subtask/domain/decompose';
import { RECONFIGURABLE_STATES } from '../subtask/domain/subtask-config';
import type { SubtaskRow } from '../subtask/subtask.mapper';
import { assertNoneActive } from '../subtask/active-guard';
import { SubtaskRepository } from '../subtask/subtask.repository';
import { channelsOf } from './domain/channels';
import { validateNewTask, validateTaskUpdate } from './domain/validate-task';
import { TaskStatusService } from './task-status.service';
import { CreateTaskDto, UpdateTaskDto } from './dto/task-input.dto';
import type { TaskDto } from './dto/task-response.dto';
import { TaskEntity } from './task.entity';
import { toTaskDto } from './task.mapper';
import { TaskRepository } from './task.repository';

export const ALGO_TYPE_DICT = 'algo_type';

@Injectable()
export class TaskService implements OnModuleInit {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly scenes: SceneRepository,
    private readonly subtasks: SubtaskRepository,
    private readonly dictionary: DictionaryService,
    private readonly status: TaskStatusService,
    private readonly tx: TransactionRunner,
    private readonly journal: JournalRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.dictionary.registerUsageCheck(ALGO_TYPE_DICT, (code) => this.tasks.usesAlgoType(code));
  }

  private get rulesContext() {
    return { xmlMaxBytes: this.config.validation.xmlMaxBytes, timeZone: this.config.time.zone };
  }

  async create(dto: CreateTaskDto, actor: Actor = SYSTEM_ACTOR): Promise<{ task_id: string }> {
    const algoTypes = await this.dictionary.codes(ALGO_TYPE_DICT);
    throwIfInvalid(validateNewTask(dto, { ...this.rulesContext, algoTypes }));

    const now = this.clock.now();
    const taskId = uuidv7();
    const sourceType: SourceType = dto.source_type ?? 'pull_video_stream';
    const subtasks: SubtaskRow[] = decomposeIntoSubtasks({ ...dto, source_type: sourceType }).map((spec) => ({
      ...spec,
      id: uuidv7(),
      task_id: taskId,
      state: 'unconfigured',
      desired_state: 'idle',
      generation: 0,
      status_reason: null,
      progress: null,
      reported_at: null,
      heartbeat_at: null,
      attempts: 0,
      last_error: null,
      next_attempt_at: null,
      lease_owner: null,
      lease_until: null,
      create_dt: now,
      update_dt: now,
    }));
    const task: TaskEntity = {
      id: taskId,
      task_name: dto.task_name,
      algo_type: dto.algo_type,
      run_dt: parseWireDateTime(dto.run_dt, this.config.time.zone)!,
      play_url: dto.play_url,
      store_conf_unid: dto.store_conf_unid ?? null,
      source_type: sourceType,
      vchans: sourceType === 'pull_video_stream' ? (dto.vchans ?? []).map((v) => ({ ...v })) : null,
      node_count: sourceType === 'pull_video_stream' ? null : (dto.node_count ?? null),
      pull_source_url: sourceType === 'pull_pic_files' ? (dto.pull_source_url ?? null) : null,
      schedule: this.scheduleOf(dto.schedule),
      status: deriveTaskStatus(subtasks),
      status_counts: countStates(subtasks),
      status_reason: null,
      next_transition_at: null,
      create_dt: now,
      update_dt: now,
      deleted_dt: null,
    };
    const config = toMtaskRows(taskId, dto.mtasks, uuidv7);

    // The transaction answers the id, so a dry run's probe knows which task it made.
    return this.tx.run(async (em) => {
      await this.tasks.insert(em, task);
      await this.subtasks.insertAll(em, subtasks);
      await this.scenes.insertAll(em, config.mtasks, config.scenes);
      await this.journal.append(em, [{ kind: 'task.created', task_id: taskId, to: task.status, reason: `${subtasks.length} subtask(s)`, actor }], now);
      // Last: concurrent creates share the counter rows, locked from here to the commit.
      await this.tasks.countLive(em, task.create_dt, 1);
      return { task_id: taskId };
    });
  }

  async get(id: string, lang: Language = this.config.i18n.defaultLanguage): Promise<{ task: TaskDto; subtasks: SubtaskRow[] }> {
    const task = await this.tasks.findLive(id);
    if (!task) throw new AppException('TASK_NOT_FOUND', { id });
    const [config, subtasks] = await Promise.all([this.scenes.loadForTasks([id]), this.subtasks.findByTask(id)]);
    return { task: toTaskDto(task, { ...config, subtasks }, this.config.time.zone, lang), subtasks };
  }

  async assertExists(id: string): Promise<void> {
    if (!(await this.tasks.findLive(id))) throw new AppException('TASK_NOT_FOUND', { id });
  }

  async update(id: string, dto: UpdateTaskDto, actor: Actor = SYSTEM_ACTOR, options: { ifMatch?: string } = {}): Promise<void> {
    await this.tx.run(async (em) => {
      const now = this.clock.now();
      const task = await this.lockLiveTask(em, id);
      const subtasks = await this.subtasks.findByTask(id, em, this.tx.lockMode());
      // If-Match is compared under the row lock, with the ETag GET /tasks/{id} gives.
      if (options.ifMatch !== undefined && !etagMatches(options.ifMatch, taskEtag(task, subtaskVersionOf(subtasks))))
        throw new AppException('PRECONDITION_FAILED');
      assertNoneActive(subtasks, 'TASK_ACTIVE');
      throwIfInvalid(validateTaskUpdate(dto, { algo_type: task.algo_type, source_type: task.source_type, channels: channelsOf(task) }, this.rulesContext));

      const patch: Partial<TaskEntity> = { update_dt: now };
      if (dto.task_name !== undefined) patch.task_name = dto.task_name;
      if (dto.run_dt !== undefined) patch.run_dt = parseWireDateTime(dto.run_dt, this.config.time.zone)!;
      if (dto.play_url !== undefined) patch.play_url = dto.play_url;
      if (dto.store_conf_unid !== undefined) patch.store_conf_unid = dto.store_conf_unid;
      if (dto.schedule !== undefined) patch.schedule = this.scheduleOf(dto.schedule);
      await this.tasks.update(em, id, patch);
      const fields = Object.keys(dto).filter((k) => (dto as Record<string, unknown>)[k] !== undefined);
      await this.journal.append(em, [{ kind: 'task.updated', task_id: id, reason: fields.join(', ').slice(0, 1024), actor }], now);

      if (dto.mtasks !== undefined) {
        const config = toMtaskRows(id, dto.mtasks, uuidv7);
        await this.scenes.replaceForTask(em, id, config.mtasks, config.scenes);
        // The subtasks were checked against the old configuration: they must be completed again.
        const reset = subtasks.filter((s) => RECONFIGURABLE_STATES.includes(s.state) && s.state !== 'unconfigured');
        await this.subtasks.moveStates(
          em,
          reset.map((s) => s.id),
          RECONFIGURABLE_STATES,
          'unconfigured',
          now,
        );
        await this.journal.append(
          em,
          reset.map((s) => stateChange(s, s.state, 'unconfigured', actor, 'the task configuration was replaced')),
          now,
        );
        await this.status.refresh(em, [id], actor);
      }
    });
  }

  async remove(id: string, actor: Actor = SYSTEM_ACTOR): Promise<void> {
    await this.tx.run(async (em) => {
      const task = await this.lockLiveTask(em, id);
      assertNoneActive(await this.subtasks.findByTask(id, em), 'TASK_ACTIVE');
      const now = this.clock.now();
      await this.tasks.update(em, id, { deleted_dt: now });
      await this.journal.append(em, [{ kind: 'task.deleted', task_id: id, actor }], now);
      await this.tasks.countLive(em, task.create_dt, -1);
    });
  }

  async restore(id: string, actor: Actor = SYSTEM_ACTOR): Promise<void> {
    await this.tx.run(async (em) => {
      const task = await this.tasks.findAny(id, em, this.tx.lockMode());
      if (!task) throw new AppException('TASK_NOT_FOUND', { id });
      if (!task.deleted_dt) throw new AppException('TASK_NOT_DELETED', { id });
      const now = this.clock.now();
      await this.tasks.update(em, id, { deleted_dt: null, update_dt: now });
      await this.journal.append(em, [{ kind: 'task.restored', task_id: id, actor }], now);
      await this.tasks.countLive(em, task.create_dt, 1);
    });
  }

  /** As stored: the zone filled in (the service's TIME_ZONE when absent), so the windows never change meaning. */
  private scheduleOf(input: ScheduleDto | null | undefined): Schedule | null {
    if (!input) return null;
    return { timezone: input.timezone ?? this.config.time.zone, windows: input.windows.map((w) => ({ days: [...w.days], start: w.start, end: w.end })) };
  }

  /** The next openings and closings of the task's schedule, for the SPA to show. */
  async schedulePreview(
    id: string,
    from: Date | undefined,
    count: number | undefined,
  ): Promise<{ schedule: Schedule | null; transitions: { at: string; at_utc: string; kind: 'open' | 'close'; local: string }[] }> {
    const task = await this.tasks.findLive(id);
    if (!task) throw new AppException('TASK_NOT_FOUND', { id });
    if (!task.schedule) return { schedule: null, transitions: [] };
    const transitions = previewTransitions(task.schedule, from ?? this.clock.now(), count ?? 10);
    return {
      schedule: task.schedule,
      transitions: transitions.map((t) => ({ at: formatWireDateTime(t.at, this.config.time.zone)!, at_utc: t.at.toISOString(), kind: t.kind, local: t.local })),
    };
  }

  private async lockLiveTask(em: EntityManager, id: string): Promise<TaskEntity> {
    const task = await this.tasks.lockLive(em, id);
    if (!task) throw new AppException('TASK_NOT_FOUND', { id });
    return task;
  }
}
