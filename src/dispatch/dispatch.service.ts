import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppException } from '../common/errors/app.exception';
import { CLOCK, Clock } from '../common/time/clock';
import { Actor, NewEvent, stateChange, SYSTEM_ACTOR } from '../journal/event';
import { JournalRepository } from '../journal/journal.repository';
import { TransactionRunner } from '../database/transaction.runner';
import type { StatusCounts, TaskStatus } from '../task/domain/task-status';
import { TaskStatusService } from '../task/task-status.service';
import type { SubtaskRow } from '../subtask/subtask.mapper';
import { SubtaskRepository } from '../subtask/subtask.repository';
import type { TaskEntity } from '../task/task.entity';
import { TaskRepository } from '../task/task.repository';
import { ControlPatch, planStart, planStop } from './domain/transitions';
import { ReconcilerService } from './reconciler.service';

export interface TaskControlResult {
  task_id: string;
  status: TaskStatus;
  status_counts: StatusCounts;
  changed: number;
}

export interface SubtaskControlResult {
  subtask_id: string;
  task_id: string;
  state: string;
  desired_state: string;
  generation: number;
}

type Planner = (subtask: SubtaskRow, task: TaskEntity, now: Date) => ControlPatch | null;
const START: Planner = (subtask, task, now) => planStart(subtask, task.run_dt, now, task.schedule);
const STOP: Planner = (subtask, _task, now) => planStop(subtask, now);

/**
 * Start and stop only record what the operator wants, in one transaction under the task's row
 * lock (so two concurrent starts cannot both bump a generation); the reconciler does the work.
 */
@Injectable()
export class DispatchService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly subtasks: SubtaskRepository,
    private readonly status: TaskStatusService,
    private readonly reconciler: ReconcilerService,
    private readonly tx: TransactionRunner,
    private readonly journal: JournalRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  startTask(taskId: string, actor: Actor = SYSTEM_ACTOR): Promise<TaskControlResult> {
    return this.controlTask(taskId, START, actor);
  }

  stopTask(taskId: string, actor: Actor = SYSTEM_ACTOR): Promise<TaskControlResult> {
    return this.controlTask(taskId, STOP, actor);
  }

  startSubtask(subtaskId: string, actor: Actor = SYSTEM_ACTOR): Promise<SubtaskControlResult> {
    return this.controlSubtask(subtaskId, START, actor);
  }

  stopSubtask(subtaskId: string, actor: Actor = SYSTEM_ACTOR): Promise<SubtaskControlResult> {
    return this.controlSubtask(subtaskId, STOP, actor);
  }

  private async controlTask(taskId: string, plan: Planner, actor: Actor): Promise<TaskControlResult> {
    const result = await this.tx.run(async (em) => {
      const task = await this.lockTask(em, taskId);
      // Locked after the task row: the reconciler may be moving them on, and the plan must see that.
      const subtasks = await this.subtasks.findByTask(taskId, em, this.tx.lockMode());
      if (plan === START) this.assertConfigured(subtasks);
      const changed = await this.apply(em, task, subtasks, plan, actor, null);
      await this.status.refresh(em, [taskId], actor);
      const fresh = (await this.tasks.findLive(taskId, em))!;
      return { task_id: taskId, status: fresh.status, status_counts: fresh.status_counts, changed };
    });
    if (result.changed) this.reconciler.nudge();
    return result;
  }

  private async controlSubtask(subtaskId: string, plan: Planner, actor: Actor): Promise<SubtaskControlResult> {
    // The task id never changes, so it is looked up before the transaction; inside, the task's
    // row lock comes first, so the subtask is read after any concurrent start has committed.
    const found = await this.subtasks.findById(subtaskId);
    if (!found) throw new AppException('SUBTASK_NOT_FOUND', { id: subtaskId });
    const { result, changed } = await this.tx.run(async (em) => {
      const task = await this.tasks.findLive(found.task_id, em, this.tx.lockMode());
      const subtask = task ? (await this.subtasks.findByTask(task.id, em, this.tx.lockMode())).find((s) => s.id === subtaskId) : undefined;
      if (!task || !subtask) throw new AppException('SUBTASK_NOT_FOUND', { id: subtaskId });
      if (plan === START) this.assertConfigured([subtask]);
      const changed = await this.apply(em, task, [subtask], plan, actor, subtaskId);
      await this.status.refresh(em, [task.id], actor);
      const fresh = (await this.subtasks.findById(subtaskId, em))!;
      return {
        changed,
        result: { subtask_id: fresh.id, task_id: fresh.task_id, state: fresh.state, desired_state: fresh.desired_state, generation: fresh.generation },
      };
    });
    if (changed) this.reconciler.nudge();
    return result;
  }

  private async lockTask(em: EntityManager, taskId: string): Promise<TaskEntity> {
    const task = await this.tasks.findLive(taskId, em, this.tx.lockMode());
    if (!task) throw new AppException('TASK_NOT_FOUND', { id: taskId });
    return task;
  }

  private assertConfigured(subtasks: readonly SubtaskRow[]): void {
    const unconfigured = subtasks.filter((s) => s.state === 'unconfigured');
    if (unconfigured.length) {
      throw new AppException('SUBTASKS_UNCONFIGURED', { count: unconfigured.length }, [], {
        unconfigured_subtasks: unconfigured.map((s) => ({ subtask_id: s.id, vchan_refid: s.vchan_refid, node_index: s.node_index })),
      });
    }
  }

  /**
   * Groups subtasks by identical plan, so a start of a thousand subtasks is a few UPDATEs; the
   * wish (`task.desired`, for one subtask when `subtaskId` is set) and every state it moves are
   * journalled in the same transaction. A repeat that changes nothing writes nothing.
   */
  private async apply(
    em: EntityManager,
    task: TaskEntity,
    subtasks: readonly SubtaskRow[],
    plan: Planner,
    actor: Actor,
    subtaskId: string | null,
  ): Promise<number> {
    const now = this.clock.now();
    const groups = new Map<string, { patch: ControlPatch; ids: string[] }>();
    const events: (NewEvent | null)[] = [];
    for (const subtask of subtasks) {
      const patch = plan(subtask, task, now);
      if (!patch) continue;
      const key = JSON.stringify(patch);
      const group = groups.get(key) ?? { patch, ids: [] };
      group.ids.push(subtask.id);
      groups.set(key, group);
      const generation = patch.bumpGeneration ? subtask.generation + 1 : subtask.generation;
      events.push(stateChange({ ...subtask, generation }, subtask.state, patch.state, actor));
    }
    let changed = 0;
    for (const { patch, ids } of groups.values()) {
      await this.subtasks.applyControl(em, ids, patch, now);
      changed += ids.length;
    }
    if (changed > 0) {
      const wish = plan === START ? 'run' : 'stop';
      await this.journal.append(em, [{ kind: 'task.desired', task_id: task.id, subtask_id: subtaskId, to: wish, actor }, ...events], now);
    }
    return changed;
  }
}
