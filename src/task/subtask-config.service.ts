import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { AppException, FieldError } from '../common/errors/app.exception';
import { etagMatches, subtaskEtag } from '../common/http/etag';
import type { Payload } from '../common/http/envelope';
import { CLOCK, Clock } from '../common/time/clock';
import { Actor, SYSTEM_ACTOR } from '../journal/event';
import { JournalRepository } from '../journal/journal.repository';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { TransactionRunner } from '../database/transaction.runner';
import { toMtaskRows } from '../scene/domain/scene-rows';
import { validateMtasks } from '../scene/domain/validate-mtasks';
import type { MtaskResponseDto } from '../scene/dto/mtask-response.dto';
import { toMtaskResponses } from '../scene/scene.mapper';
import { SceneRepository } from '../scene/scene.repository';
import { throwIfInvalid } from '../scene/throw-if-invalid';
import { channelsOf } from './domain/channels';
import { TaskStatusService } from './task-status.service';
import { TaskRepository } from './task.repository';
import type { TaskEntity } from './task.entity';
import { assertNoneActive } from '../subtask/active-guard';
import { findMissingConfig } from '../subtask/domain/completeness';
import { isPictureSource } from '../subtask/domain/decompose';
import {
  bindScenesToChannel,
  checkAgainstOtherScenes,
  planChannelConfig,
  RECONFIGURABLE_STATES,
  selectSubtaskConfig,
  sharesTaskConfig,
} from '../subtask/domain/subtask-config';
import type { SubtaskConfigDto } from '../subtask/dto/subtask-config.dto';
import type { SubtaskDetailResponseDto, SubtaskStateResponseDto } from '../subtask/dto/subtask-response.dto';
import { SubtaskRow, toSubtaskDetailDto } from '../subtask/subtask.mapper';
import { SubtaskRepository } from '../subtask/subtask.repository';

type StateAnswer = Payload<SubtaskStateResponseDto>;

/** Drops repeats of one rule on one field (the same PTZ problem found on the input and on the merged mtask). */
function distinct(errors: FieldError[]): FieldError[] {
  const seen = new Set<string>();
  return errors.filter((e) => {
    const key = `${e.field}\u0000${e.rule}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * 配置完成 as one item of a bulk run over a task already known. Re-deriving the task's status reads
 * every subtask of the task, so each item marks it instead (in its own transaction, so a crash
 * mid-run leaves it marked for the sweep) and the caller re-derives it once at the end.
 */
export interface BulkCompletion {
  taskId: string;
  markStatus: (em: EntityManager, taskId: string) => Promise<void>;
}

/**
 * One subtask's configuration: read it, save a draft, and mark it complete (配置完成). Each write
 * is one transaction that first locks the task row, as every writer of a task's subtasks and
 * configuration does, then reads the subtasks, and refreshes the task's derived status before it
 * commits.
 */
@Injectable()
export class SubtaskConfigService {
  constructor(
    private readonly subtasks: SubtaskRepository,
    private readonly tasks: TaskRepository,
    private readonly scenes: SceneRepository,
    private readonly status: TaskStatusService,
    private readonly tx: TransactionRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly journal: JournalRepository,
  ) {}

  async get(id: string): Promise<Payload<SubtaskDetailResponseDto>> {
    const subtask = await this.subtasks.findById(id);
    const task = subtask && (await this.tasks.findLive(subtask.task_id));
    if (!subtask || !task) throw new AppException('SUBTASK_NOT_FOUND', { id });
    return toSubtaskDetailDto(subtask, task.algo_type, await this.view(subtask), this.config.time.zone, this.clock.now());
  }

  /**
   * Saves the subtask's configuration draft. A channel subtask replaces its channel's scenes and
   * updates the shared mtasks it names; a subtask without a channel replaces the task's whole
   * configuration, which its siblings share. Whoever's configuration changes must not be active
   * and, if it had been configured (or has run), must be completed again.
   */
  async saveConfig(id: string, dto: SubtaskConfigDto, actor: Actor = SYSTEM_ACTOR, options: { ifMatch?: string } = {}): Promise<StateAnswer> {
    const taskId = await this.taskIdOf(id);
    return this.tx.run(async (em) => {
      const task = await this.lockLiveTask(em, taskId, id);
      const siblings = await this.subtasks.findByTask(task.id, em, this.tx.lockMode());
      const subtask = siblings.find((s) => s.id === id);
      if (!subtask) throw new AppException('SUBTASK_NOT_FOUND', { id });
      // If-Match is compared under the task's row lock, with the ETag GET /subtasks/{id} gives.
      if (options.ifMatch !== undefined && !etagMatches(options.ifMatch, subtaskEtag(subtask, task.update_dt))) throw new AppException('PRECONDITION_FAILED');
      assertNoneActive([subtask], 'SUBTASK_ACTIVE');

      const changed = sharesTaskConfig(subtask)
        ? await this.replaceTaskConfig(em, task, siblings, dto)
        : await this.replaceChannelConfig(em, task, subtask, siblings, dto);

      const now = this.clock.now();
      const siblings_ = changed.filter((s) => s.id !== id);
      await this.subtasks.moveStates(
        em,
        [subtask, ...siblings_].map((s) => s.id),
        RECONFIGURABLE_STATES,
        'unconfigured',
        now,
      );
      await this.subtasks.touch(em, id, now);
      await this.tasks.touch(em, task.id, now);
      const after = (s: SubtaskRow) => (RECONFIGURABLE_STATES.includes(s.state) ? 'unconfigured' : s.state);
      await this.journal.append(
        em,
        [
          {
            kind: 'subtask.config',
            task_id: task.id,
            subtask_id: id,
            from: subtask.state,
            to: after(subtask),
            generation: subtask.generation,
            reason: 'draft saved',
            actor,
          },
          ...siblings_.map((s) => ({
            kind: 'subtask.config' as const,
            task_id: task.id,
            subtask_id: s.id,
            from: s.state,
            to: after(s),
            generation: s.generation,
            reason: `shared configuration changed through subtask ${id}`,
            actor,
          })),
        ],
        now,
      );
      await this.status.refresh(em, [task.id], actor);
      return { subtask_id: id, state: (await this.subtasks.findById(id, em))!.state };
    });
  }

  /**
   * 配置完成. Complete → `configured` (from `unconfigured`; already `configured` is a success that
   * changes nothing). A `stopped`, `failed` or `completed` subtask was configured before it ran and
   * any edit since would have moved it back to `unconfigured`, so it keeps its state (still OK).
   */
  async complete(id: string, actor: Actor = SYSTEM_ACTOR, bulk?: BulkCompletion): Promise<StateAnswer> {
    const taskId = bulk?.taskId ?? (await this.taskIdOf(id));
    return this.tx.run(async (em) => {
      const task = await this.lockLiveTask(em, taskId, id);
      const subtask = await this.subtasks.findById(id, em, this.tx.lockMode());
      if (!subtask) throw new AppException('SUBTASK_NOT_FOUND', { id });
      assertNoneActive([subtask], 'SUBTASK_ACTIVE');

      const missing = findMissingConfig(await this.view(subtask, em));
      if (missing.length) throw new AppException('CONFIG_INCOMPLETE', { count: missing.length }, missing, { subtask_id: id });

      if (subtask.state === 'unconfigured') {
        const now = this.clock.now();
        await this.subtasks.moveStates(em, [id], ['unconfigured'], 'configured', now);
        await this.journal.append(
          em,
          [
            {
              kind: 'subtask.config',
              task_id: task.id,
              subtask_id: id,
              from: 'unconfigured',
              to: 'configured',
              generation: subtask.generation,
              reason: '配置完成',
              actor,
            },
          ],
          now,
        );
      }
      if (bulk) await bulk.markStatus(em, task.id);
      else await this.status.refresh(em, [task.id], actor);
      return { subtask_id: id, state: (await this.subtasks.findById(id, em))!.state };
    });
  }

  /** What GET /subtasks/{id} shows of the configuration: the subtask's mtasks and scenes, with its own run info. */
  private async view(subtask: SubtaskRow, em?: EntityManager): Promise<MtaskResponseDto[]> {
    const own = selectSubtaskConfig(subtask, await this.scenes.loadForSubtask(subtask.task_id, subtask.vchan_refid, em));
    return toMtaskResponses(own.mtasks, own.scenes, [subtask]);
  }

  /** Shared configuration: validated like a task edit, and every sibling's configuration changes with it. */
  private async replaceTaskConfig(em: EntityManager, task: TaskEntity, siblings: SubtaskRow[], dto: SubtaskConfigDto): Promise<SubtaskRow[]> {
    throwIfInvalid(
      validateMtasks(dto.mtasks, {
        algoType: task.algo_type,
        xmlMaxBytes: this.config.validation.xmlMaxBytes,
        pictureSource: isPictureSource(task.source_type),
        channels: channelsOf(task),
      }),
    );
    assertNoneActive(siblings, 'SUBTASK_ACTIVE');
    const rows = toMtaskRows(task.id, dto.mtasks, uuidv7);
    await this.scenes.replaceForTask(em, task.id, rows.mtasks, rows.scenes);
    return siblings;
  }

  /**
   * One channel's configuration: its scenes are replaced; the shared mtasks it names are updated,
   * which changes the configuration of the other channels with scenes in them.
   */
  private async replaceChannelConfig(
    em: EntityManager,
    task: TaskEntity,
    subtask: SubtaskRow,
    siblings: SubtaskRow[],
    dto: SubtaskConfigDto,
  ): Promise<SubtaskRow[]> {
    const channel = subtask.vchan_refid!;
    const channels = channelsOf(task);
    const bound = bindScenesToChannel(dto.mtasks, channel);
    const existing = await this.scenes.loadForTasks([task.id], em);
    throwIfInvalid(
      distinct([
        ...bound.errors,
        // The input is this channel's alone: its scenes are checked on this camera only.
        ...validateMtasks(bound.mtasks, {
          algoType: task.algo_type,
          xmlMaxBytes: this.config.validation.xmlMaxBytes,
          pictureSource: false,
          channels: new Map([[channel, { is_ptz: channels.get(channel)?.is_ptz ?? Boolean(subtask.is_ptz) }]]),
        }),
        ...checkAgainstOtherScenes(bound.mtasks, existing, channel, channels),
      ]),
    );
    const plan = planChannelConfig(task.id, channel, bound.mtasks, existing, uuidv7);
    const changed = siblings.filter((s) => s.id !== subtask.id && s.vchan_refid !== null && plan.siblingChannels.includes(s.vchan_refid));
    assertNoneActive(changed, 'SUBTASK_ACTIVE');
    await this.scenes.replaceForChannel(em, task.id, channel, plan);
    return changed;
  }

  /**
   * The subtask's task id, read before the transaction: on MySQL a transaction's snapshot starts
   * at its first plain read, so reading only after the task lock sees what the lock holder wrote.
   */
  private async taskIdOf(id: string): Promise<string> {
    const subtask = await this.subtasks.findById(id);
    if (!subtask) throw new AppException('SUBTASK_NOT_FOUND', { id });
    return subtask.task_id;
  }

  /** A subtask of a deleted task is not found either. */
  private async lockLiveTask(em: EntityManager, taskId: string, subtaskId: string): Promise<TaskEntity> {
    const task = await this.tasks.lockLive(em, taskId);
    if (!task) throw new AppException('SUBTASK_NOT_FOUND', { id: subtaskId });
    return task;
  }
}
