import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { SubtaskEntity } from '../subtask/subtask.entity';
import { TransactionRunner } from '../database/transaction.runner';
import { TaskEntity } from '../task/task.entity';
import { countStates, deriveTaskStatus, SubtaskStatusInput } from './domain/derive-task-status';

/**
 * Keeps each task's stored `status` and `status_counts` equal to what the status rules derive
 * from its subtasks. Called inside the transaction that changed the subtasks, once per task
 * per batch, never once per report. The subtasks are read with a shared lock: two refreshes racing
 * (a report batch and the reconciler's) then cannot write a status derived from rows the other
 * has since changed.
 */
@Injectable()
export class StatusAggregationService {
  constructor(private readonly tx: TransactionRunner) {}

  async refresh(em: EntityManager, taskIds: Iterable<string>): Promise<void> {
    const ids = [...new Set(taskIds)].sort();
    if (ids.length === 0) return;
    // Task rows first, in id order: the lock order of start, stop and edits, so no cycle forms.
    await em.find(TaskEntity, { select: { id: true }, where: { id: In(ids) }, order: { id: 'ASC' }, lock: this.tx.lockMode() });
    const rows = await em.find(SubtaskEntity, {
      select: { task_id: true, state: true, desired_state: true },
      where: { task_id: In(ids) },
      lock: this.tx.readLockMode(),
    });
    const byTask = new Map<string, SubtaskStatusInput[]>(ids.map((id) => [id, []]));
    for (const row of rows) byTask.get(row.task_id)!.push(row);
    for (const [taskId, subtasks] of byTask) {
      await em.update(
        TaskEntity,
        { id: taskId },
        { status: deriveTaskStatus(subtasks), status_counts: countStates(subtasks) },
      );
    }
  }
}
