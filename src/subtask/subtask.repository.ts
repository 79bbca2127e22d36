import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import type { SubtaskRunInfo } from '../scene/scene.mapper';
import type { DesiredState, SubtaskState, SubtaskStatusInput } from './domain/states';
import { selectIn } from '../database/select-in';
import { SubtaskEntity } from './subtask.entity';
import type { SubtaskRow } from './subtask.mapper';

const INSERT_CHUNK = 200;

export type SubtaskRunRow = SubtaskRunInfo & SubtaskStatusInput & { task_id: string; next_attempt_at: Date | null };

export interface SubtaskSearch {
  state?: SubtaskState;
  desired_state?: DesiredState;
  task_id?: string;
  vchan_refid?: string;
}

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

  /** Per task: how many subtasks and their newest update_dt (the version an ETag is computed from), in one grouped query. */
  async versionsForTasks(taskIds: readonly string[], em: EntityManager = this.dataSource.manager): Promise<Map<string, { count: number; latest: Date | string | null }>> {
    const result = new Map<string, { count: number; latest: Date | string | null }>();
    if (taskIds.length === 0) return result;
    const rows = await em
      .getRepository(SubtaskEntity)
      .createQueryBuilder('s')
      .select('s.task_id', 'task_id')
      .addSelect('COUNT(*)', 'n')
      .addSelect('MAX(s.update_dt)', 'latest')
      .where('s.task_id IN (:...ids)', { ids: [...taskIds] })
      .groupBy('s.task_id')
      .getRawMany<{ task_id: string; n: string | number; latest: Date | string | null }>();
    for (const row of rows) result.set(row.task_id, { count: Number(row.n), latest: row.latest });
    return result;
  }

  /**
   * Subtasks across tasks (GET /subtasks), newest first, of live tasks only. Each filter is an
   * equality on an indexed column: vchan_refid on IDX_subtask_vchan, task_id on IDX_subtask_task,
   * state (and desired_state) on IDX_subtask_work; newest first on IDX_subtask_created.
   */
  async search(filter: SubtaskSearch, offset: number, limit: number): Promise<{ total: number; rows: SubtaskRow[] }> {
    const qb = this.dataSource
      .getRepository(SubtaskEntity)
      .createQueryBuilder('s')
      // Whether the subtask's task is live: a correlated primary-key probe per candidate row.
      .where('EXISTS (SELECT 1 FROM tb_task t WHERE t.id = s.task_id AND t.deleted_dt IS NULL)');
    if (filter.state !== undefined) qb.andWhere('s.state = :state', { state: filter.state });
    if (filter.desired_state !== undefined) qb.andWhere('s.desired_state = :desired', { desired: filter.desired_state });
    if (filter.task_id !== undefined) qb.andWhere('s.task_id = :taskId', { taskId: filter.task_id });
    if (filter.vchan_refid !== undefined) qb.andWhere('s.vchan_refid = :vchan', { vchan: filter.vchan_refid });
    const [total, rows] = await Promise.all([
      qb.clone().getCount(),
      qb.clone().orderBy('s.create_dt', 'DESC').addOrderBy('s.id', 'DESC').offset(offset).limit(limit).getMany(),
    ]);
    return { total, rows };
  }

  /** What a task's status is derived from, for many tasks, read with the caller's lock. */
  statusDetailsForTasks(em: EntityManager, taskIds: readonly string[], lock: { mode: 'pessimistic_read' } | undefined): Promise<SubtaskStatusRow[]> {
    return em.find(SubtaskEntity, {
      select: { task_id: true, state: true, desired_state: true, status_reason: true, next_attempt_at: true },
      where: { task_id: In([...taskIds]) },
      lock,
    });
  }

  /** Subtasks of live tasks by state (the metrics gauge). */
  async countLiveByState(): Promise<Map<string, number>> {
    const rows = await this.dataSource
      .getRepository(SubtaskEntity)
      .createQueryBuilder('s')
      .innerJoin('tb_task', 't', 't.id = s.task_id')
      .select('s.state', 'state')
      .addSelect('COUNT(*)', 'n')
      .where('t.deleted_dt IS NULL')
      .groupBy('s.state')
      .getRawMany<{ state: string; n: string | number }>();
    return new Map(rows.map((r) => [r.state, Number(r.n)]));
  }
}
