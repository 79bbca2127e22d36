import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { CLOCK, Clock } from '../common/time/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { TransactionRunner } from '../database/transaction.runner';
import { Actor, SYSTEM_ACTOR } from '../journal/event';
import { JournalRepository } from '../journal/journal.repository';
import { SubtaskRepository, SubtaskStatusRow } from '../subtask/subtask.repository';
import { formatStatusReason, summarizeTaskStatus, SubtaskStatusDetail, TaskStatus } from './domain/task-status';
import { StoredStatus, TaskRepository } from './task.repository';

/** A task whose stored status a refresh changed. */
export interface TaskStatusChange {
  task_id: string;
  from: TaskStatus;
  to: TaskStatus;
}

/**
 * Keeps each task's stored `status`, `status_counts`, `status_reason` and `next_transition_at`
 * equal to what the status rules derive from its subtasks, inside the caller's transaction.
 * Task rows are locked first, in id order (the lock order of start, stop and edits, so no cycle
 * forms); how the subtasks are then read keeps a concurrent writer of them from going unseen
 * (`refresh` share-locks them, `refreshMarked` takes the marks first).
 */
@Injectable()
export class TaskStatusService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly subtasks: SubtaskRepository,
    private readonly tx: TransactionRunner,
    private readonly journal: JournalRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Re-derives these tasks' statuses in a transaction that writes their subtasks itself; each
   * change is journalled (`task.status`) in the same transaction, as done by `actor`. The subtasks
   * are share-locked as they are read, so another writer of them either committed before (and is
   * seen) or waits for this commit (and marks the task again).
   */
  async refresh(em: EntityManager, taskIds: Iterable<string>, actor: Actor = SYSTEM_ACTOR): Promise<TaskStatusChange[]> {
    const ids = [...new Set(taskIds)].sort();
    if (ids.length === 0) return [];
    const before = await this.tasks.lockStatuses(em, ids, this.tx.lockMode());
    return this.derive(em, ids, before, await this.subtasks.statusDetailsForTasks(em, ids, this.tx.readLockMode()), actor);
  }

  /**
   * The sweep's refresh: re-derives those of these tasks whose marks `claimMarks` takes, and only
   * those. The task rows are locked first (the lock order of start, stop and edits); the marks
   * are taken next, and the subtasks are read after that without a lock. That is enough: a writer
   * marks its task in its own transaction, so a change this read does not see either has a mark
   * left for the next sweep (the writer marked after the claim), or held the mark the claim
   * waited for (the writer committed before the read, which sees it). Reading them share-locked
   * instead made every sweep and every report batch on the same tasks wait for each other.
   * On MySQL the read is the transaction's first consistent read, so its snapshot is taken then.
   */
  async refreshMarked(em: EntityManager, taskIds: Iterable<string>, claimMarks: (ids: string[]) => Promise<string[]>): Promise<TaskStatusChange[]> {
    const ids = [...new Set(taskIds)].sort();
    if (ids.length === 0) return [];
    const before = await this.tasks.lockStatuses(em, ids, this.tx.lockMode());
    // A mark of a task that is gone is taken too (and dropped), or every sweep would find it again.
    const claimed = (await claimMarks(ids)).filter((id) => before.has(id));
    if (claimed.length === 0) return [];
    return this.derive(em, claimed, before, await this.subtasks.statusDetailsForTasks(em, claimed, undefined), SYSTEM_ACTOR);
  }

  private async derive(
    em: EntityManager,
    ids: readonly string[],
    before: Map<string, StoredStatus>,
    rows: readonly SubtaskStatusRow[],
    actor: Actor,
  ): Promise<TaskStatusChange[]> {
    const byTask = new Map<string, SubtaskStatusDetail[]>(ids.map((id) => [id, []]));
    for (const row of rows) byTask.get(row.task_id)?.push(row);
    const changes: TaskStatusChange[] = [];
    const writes: (StoredStatus & { id: string })[] = [];
    for (const [taskId, subtasks] of byTask) {
      const stored = before.get(taskId);
      if (stored === undefined) continue;
      const summary = summarizeTaskStatus(subtasks);
      const next: StoredStatus = {
        status: summary.status,
        status_counts: summary.counts,
        status_reason: formatStatusReason(summary, this.config.i18n.defaultLanguage),
        next_transition_at: summary.next_transition_at,
      };
      // Only what differs is written: a refresh that finds the stored copy right costs no write.
      if (!sameStatus(stored, next)) writes.push({ id: taskId, ...next });
      if (stored.status !== summary.status) changes.push({ task_id: taskId, from: stored.status, to: summary.status });
    }
    await this.tasks.writeStatuses(em, writes);
    await this.journal.append(
      em,
      changes.map((c) => ({ kind: 'task.status' as const, task_id: c.task_id, from: c.from, to: c.to, actor })),
      this.clock.now(),
    );
    return changes;
  }
}

function sameStatus(a: StoredStatus, b: StoredStatus): boolean {
  const counts = (c: StoredStatus['status_counts']) => JSON.stringify(Object.entries(c ?? {}).sort(([x], [y]) => (x < y ? -1 : 1)));
  return (
    a.status === b.status &&
    a.status_reason === b.status_reason &&
    (a.next_transition_at?.getTime() ?? null) === (b.next_transition_at?.getTime() ?? null) &&
    counts(a.status_counts) === counts(b.status_counts)
  );
}
