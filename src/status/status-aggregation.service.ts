import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { SubtaskEntity } from '../subtask/subtask.entity';
import { TaskEntity } from '../task/task.entity';
import { countStates, deriveTaskStatus, SubtaskStatusInput } from './domain/derive-task-status';

/**
 * Keeps each task's stored `status` and `status_counts` equal to what the status rules derive
 * from its subtasks. Called inside the transaction that changed the subtasks, once per task
 * per batch, never once per report.
 */
@Injectable()
export class StatusAggregationService {
  async refresh(em: EntityManager, taskIds: Iterable<string>): Promise<void> {
    const ids = [...new Set(taskIds)].sort();
    if (ids.length === 0) return;
    const rows = await em.find(SubtaskEntity, {
      select: { task_id: true, state: true, desired_state: true },
      where: { task_id: In(ids) },
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
