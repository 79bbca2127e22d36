import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import type { SubtaskRunInfo } from '../scene/scene.mapper';
import type { SubtaskState, SubtaskStatusInput } from './domain/states';
import { selectIn } from '../database/select-in';
import { SubtaskEntity } from './subtask.entity';
import type { SubtaskRow } from './subtask.mapper';

const INSERT_CHUNK = 200;

export type SubtaskRunRow = SubtaskRunInfo & SubtaskStatusInput & { task_id: string; next_attempt_at: Date | null };

export type SubtaskStatusRow = SubtaskStatusInput & { task_id: string; status_reason: string | null; next_attempt_at: Date | null };

@Injectable()
export class SubtaskRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insertAll(em: EntityManager, rows: readonly SubtaskRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await em.createQueryBuilder().insert().into(SubtaskEntity).values(rows.slice(i, i + INSERT_CHUNK)).updateEntity(false).execute();
    }
  }

  /** With `lock`, the row is read current and locked for the rest of the transaction (MySQL). */
  findById(id: string, em: EntityManager = this.dataSource.manager, lock?: { mode: 'pessimistic_write' }): Promise<SubtaskRow | null> {
    return em.findOne(SubtaskEntity, { where: { id }, lock });
  }

  /** With `lock`, the rows are read current and locked, so what is written (and journalled) about them is what they were. */
  findByTask(taskId: string, em: EntityManager = this.dataSource.manager, lock?: { mode: 'pessimistic_write' }): Promise<SubtaskRow[]> {
    return em.find(SubtaskEntity, { where: { task_id: taskId }, order: { position: 'ASC' }, lock });
  }

  /**
   * Moves the given subtasks from one of `from` to `to`. The state condition is in the UPDATE, so
   * a subtask a concurrent report moved elsewhere is left alone.
   */
  async moveStates(em: EntityManager, ids: readonly string[], from: readonly SubtaskState[], to: SubtaskState, at: Date): Promise<void> {
    if (ids.length === 0) return;
    await em.update(SubtaskEntity, { id: In([...ids]), state: In([...from]) }, { state: to, update_dt: at });
  }

  async touch(em: EntityManager, id: string, at: Date): Promise<void> {
    await em.update(SubtaskEntity, { id }, { update_dt: at });
  }

  /** The few columns that status, scenes and mtasks show, for a page of tasks in one query. */
  runInfoForTasks(taskIds: readonly string[], em: EntityManager = this.dataSource.manager): Promise<SubtaskRunRow[]> {
    return selectIn(em, SubtaskEntity, 'task_id', taskIds, ['task_id', 'vchan_refid', 'state', 'desired_state', 'status_reason', 'progress', 'next_attempt_at']);
  }

  /** What a task's status is derived from, for many tasks, read with the caller's lock. */
  statusDetailsForTasks(em: EntityManager, taskIds: readonly string[], lock: { mode: 'pessimistic_read' } | undefined): Promise<SubtaskStatusRow[]> {
    return em.find(SubtaskEntity, {
      select: { task_id: true, state: true, desired_state: true, status_reason: true, next_attempt_at: true },
      where: { task_id: In([...taskIds]) },
      lock,
    });
  }
}
