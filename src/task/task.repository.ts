import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import type { TaskStatus } from '../status/domain/derive-task-status';
import { selectIn } from '../database/select-in';
import { TASK_COUNTER_SLOTS, TaskCounterEntity } from './task-counter.entity';
import { TaskEntity } from './task.entity';

export interface TaskFilter {
  algo_type?: string;
  status?: TaskStatus;
  keyword?: string;
}

/** `!` escapes LIKE wildcards the same way on MySQL and SQLite (a backslash needs doubling on one only). */
const escapeLike = (value: string): string => value.replace(/[!%_]/g, (c) => `!${c}`);

@Injectable()
export class TaskRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Inserts a live task and counts it, in the caller's transaction. */
  async insert(em: EntityManager, task: TaskEntity): Promise<void> {
    await em.createQueryBuilder().insert().into(TaskEntity).values(task).updateEntity(false).execute();
    await this.countLive(em, 1);
  }

  /** Adds `delta` to the live-task count (a delete is -1, a restore +1), on a random slot. */
  async countLive(em: EntityManager, delta: 1 | -1): Promise<void> {
    const slot = Math.floor(Math.random() * TASK_COUNTER_SLOTS);
    await em
      .createQueryBuilder()
      .update(TaskCounterEntity)
      .set({ live: () => `live ${delta > 0 ? '+' : '-'} 1` })
      .where('slot = :slot', { slot })
      .execute();
  }

  private async liveTotal(): Promise<number> {
    const row = await this.dataSource.getRepository(TaskCounterEntity).createQueryBuilder('c').select('SUM(c.live)', 'total').getRawOne<{ total: string | number | null }>();
    return Number(row?.total ?? 0);
  }

  findLive(id: string, em: EntityManager = this.dataSource.manager, lock?: { mode: 'pessimistic_write' }): Promise<TaskEntity | null> {
    return em.findOne(TaskEntity, { where: { id, deleted_dt: IsNull() }, lock });
  }

  findAny(id: string, em: EntityManager = this.dataSource.manager, lock?: { mode: 'pessimistic_write' }): Promise<TaskEntity | null> {
    return em.findOne(TaskEntity, { where: { id }, lock });
  }

  findByIds(ids: readonly string[], em: EntityManager = this.dataSource.manager): Promise<TaskEntity[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return em.find(TaskEntity, { where: { id: In([...ids]) } });
  }

  /**
   * Newest first. Pages the ids alone on the (deleted_dt, create_dt, id) index, then fetches
   * just those rows by primary key, so a deep offset walks the index, not the table rows. Without
   * a filter the total is the live-task counter (16 rows), not a COUNT over every live task.
   */
  async page(filter: TaskFilter, offset: number, limit: number): Promise<{ total: number; tasks: TaskEntity[] }> {
    const qb = this.dataSource.getRepository(TaskEntity).createQueryBuilder('t').where('t.deleted_dt IS NULL');
    if (filter.algo_type !== undefined) qb.andWhere('t.algo_type = :algoType', { algoType: filter.algo_type });
    if (filter.status !== undefined) qb.andWhere('t.status = :status', { status: filter.status });
    if (filter.keyword) qb.andWhere("t.task_name LIKE :keyword ESCAPE '!'", { keyword: `%${escapeLike(filter.keyword)}%` });

    const filtered = filter.algo_type !== undefined || filter.status !== undefined || Boolean(filter.keyword);
    const [total, idRows] = await Promise.all([
      filtered ? qb.clone().getCount() : this.liveTotal(),
      qb
        .clone()
        .select('t.id', 'id')
        .orderBy('t.create_dt', 'DESC')
        .addOrderBy('t.id', 'DESC')
        .offset(offset)
        .limit(limit)
        .getRawMany<{ id: string }>(),
    ]);
    if (idRows.length === 0) return { total, tasks: [] };
    const rows = await selectIn(this.dataSource.manager, TaskEntity, 'id', idRows.map((r) => r.id));
    const byId = new Map(rows.map((row) => [row.id, row]));
    return { total, tasks: idRows.map((r) => byId.get(r.id)).filter((t): t is TaskEntity => t !== undefined) };
  }

  async update(em: EntityManager, id: string, patch: Partial<TaskEntity>): Promise<void> {
    await em.update(TaskEntity, { id }, patch);
  }

  /** Any task, deleted or not, using this algorithm type (a deleted task can be restored). */
  async usesAlgoType(code: string): Promise<boolean> {
    return (await this.dataSource.getRepository(TaskEntity).count({ where: { algo_type: code }, take: 1 })) > 0;
  }
}
