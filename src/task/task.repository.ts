import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, IsNull } from 'typeorm';
import type { TaskStatus } from './domain/task-status';
import { selectIn } from '../database/select-in';
import { updateRowsById } from '../database/update-by-id';
import { dayOf, dayStart, locateOffset } from './domain/day-counts';
import { TASK_COUNTER_SLOTS, TaskCounterEntity } from './task-counter.entity';
import { TaskDayCountEntity } from './task-day-count.entity';
import { TaskEntity } from './task.entity';

/** The derived status columns as stored. */
export type StoredStatus = Pick<TaskEntity, 'status' | 'status_counts' | 'status_reason' | 'next_transition_at'>;

export interface TaskFilter {
  algo_type?: string;
  /** Any of these statuses (GET /tasks?status=running,degraded). */
  statuses?: readonly TaskStatus[];
  keyword?: string;
  /** Only the deleted (recoverable) tasks instead of the live ones. */
  deleted?: boolean;
}

/** The version of a task row: what a list's ETag is computed from. */
export interface TaskRowVersion {
  id: string;
  update_dt: Date | string;
  status: TaskStatus;
}

/** `!` escapes LIKE wildcards the same way on MySQL and SQLite (a backslash needs doubling on one only). */
const escapeLike = (value: string): string => value.replace(/[!%_]/g, (c) => `!${c}`);

/** Days read per round when locating a deep offset; each further round reads four times more. */
const FIRST_DAYS_READ = 64;

@Injectable()
export class TaskRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Inserts a task row, in the caller's transaction; counting it (countLive) is the caller's last step. */
  async insert(em: EntityManager, task: TaskEntity): Promise<void> {
    await em.createQueryBuilder().insert().into(TaskEntity).values(task).updateEntity(false).execute();
  }

  /**
   * Adds `delta` to the live-task total and to the count of the task's create_dt day (a delete is
   * -1, a restore +1), each on a random slot so concurrent writers rarely wait on one row.
   */
  async countLive(em: EntityManager, createDt: Date, delta: 1 | -1): Promise<void> {
    const slot = () => Math.floor(Math.random() * TASK_COUNTER_SLOTS);
    await em
      .createQueryBuilder()
      .update(TaskCounterEntity)
      .set({ live: () => `live ${delta > 0 ? '+' : '-'} 1` })
      .where('slot = :slot', { slot: slot() })
      .execute();
    // A day's slot row appears with its first task: an upsert, which TypeORM's builder cannot
    // write as an increment, so the SQL is per driver.
    const upsert =
      em.connection.options.type === 'better-sqlite3'
        ? 'INSERT INTO tb_task_day_count (day, slot, live) VALUES (?, ?, ?) ON CONFLICT (day, slot) DO UPDATE SET live = live + excluded.live'
        : 'INSERT INTO tb_task_day_count (day, slot, live) VALUES (?, ?, ?) ON DUPLICATE KEY UPDATE live = live + VALUES(live)';
    await em.query(upsert, [dayOf(createDt), slot(), delta]);
  }

  private async liveTotal(): Promise<number> {
    const row = await this.dataSource
      .getRepository(TaskCounterEntity)
      .createQueryBuilder('c')
      .select('SUM(c.live)', 'total')
      .getRawOne<{ total: string | number | null }>();
    return Number(row?.total ?? 0);
  }

  /**
   * Where row `offset` of the unfiltered list lies: the day it was created on and how many live
   * tasks of that day come before it. Reads day counts newest first, a few days at a time, so the
   * cost follows the number of days passed, not the number of tasks. Null when the offset lies
   * past every live task (as total_num, from the same counts, says).
   */
  private async locateLive(offset: number): Promise<{ before: Date; skip: number } | null> {
    let passed = 0;
    let olderThan: number | undefined;
    for (let read = FIRST_DAYS_READ; ; read *= 4) {
      const qb = this.dataSource.getRepository(TaskDayCountEntity).createQueryBuilder('d').select('d.day', 'day').addSelect('SUM(d.live)', 'live');
      if (olderThan !== undefined) qb.where('d.day < :olderThan', { olderThan });
      const rows = await qb.groupBy('d.day').orderBy('d.day', 'DESC').limit(read).getRawMany<{ day: number | string; live: number | string }>();
      const days = rows.map((r) => ({ day: Number(r.day), live: Number(r.live) }));
      const at = locateOffset(days, offset - passed);
      if (at.found) return { before: dayStart(at.day + 1), skip: at.skip };
      if (days.length < read) return null;
      passed += at.passed;
      olderThan = days[days.length - 1].day;
    }
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
   * A page of the list, newest first, as versions only (id, update_dt, status): what the list's
   * ETag is computed from, and the ids the page is then built from. Pages the ids alone on the
   * (deleted_dt, create_dt, id) index. Without a filter, the total is the live-task counter (16 rows),
   * not a COUNT over every live task, and a page past the first starts from the day its offset
   * falls on (locateLive), so the index walk before it is at most one day long, not `offset`;
   * past the last counted task there is nothing to walk.
   */
  async pageVersions(filter: TaskFilter, offset: number, limit: number): Promise<{ total: number; rows: TaskRowVersion[] }> {
    const qb = this.dataSource
      .getRepository(TaskEntity)
      .createQueryBuilder('t')
      .where(filter.deleted ? 't.deleted_dt IS NOT NULL' : 't.deleted_dt IS NULL');
    if (filter.algo_type !== undefined) qb.andWhere('t.algo_type = :algoType', { algoType: filter.algo_type });
    if (filter.statuses !== undefined) qb.andWhere('t.status IN (:...statuses)', { statuses: [...filter.statuses] });
    if (filter.keyword) qb.andWhere("t.task_name LIKE :keyword ESCAPE '!'", { keyword: `%${escapeLike(filter.keyword)}%` });

    const filtered = filter.algo_type !== undefined || filter.statuses !== undefined || Boolean(filter.keyword) || Boolean(filter.deleted);
    const pageRows = async (): Promise<TaskRowVersion[]> => {
      const rows = qb
        .clone()
        .select('t.id', 'id')
        .addSelect('t.update_dt', 'update_dt')
        .addSelect('t.status', 'status')
        .orderBy('t.create_dt', 'DESC')
        .addOrderBy('t.id', 'DESC')
        .limit(limit);
      if (filtered || offset === 0) return rows.offset(offset).getRawMany<TaskRowVersion>();
      // The unfiltered deep-offset fast path: start from the day the offset falls on.
      const start = await this.locateLive(offset);
      if (!start) return [];
      return rows.andWhere('t.create_dt < :before', { before: start.before }).offset(start.skip).getRawMany<TaskRowVersion>();
    };
    const [total, rows] = await Promise.all([filtered ? qb.clone().getCount() : this.liveTotal(), pageRows()]);
    return { total, rows };
  }

  /** These tasks, in the order of `ids` (missing ones left out), by primary key. */
  async byIdsInOrder(ids: readonly string[]): Promise<TaskEntity[]> {
    if (ids.length === 0) return [];
    const rows = await selectIn(this.dataSource.manager, TaskEntity, 'id', [...ids]);
    const byId = new Map(rows.map((row) => [row.id, row]));
    return ids.map((id) => byId.get(id)).filter((t): t is TaskEntity => t !== undefined);
  }

  /**
   * The live task, its row locked for the rest of the transaction on MySQL: every writer of a
   * task's subtasks or configuration takes this lock first.
   */
  lockLive(em: EntityManager, id: string): Promise<TaskEntity | null> {
    return this.findLive(id, em, em.connection.options.type === 'better-sqlite3' ? undefined : { mode: 'pessimistic_write' });
  }

  /** Current stored statuses of these tasks, their rows locked in id order. */
  async lockStatuses(em: EntityManager, ids: readonly string[], lock: { mode: 'pessimistic_write' } | undefined): Promise<Map<string, StoredStatus>> {
    const rows = await em.find(TaskEntity, {
      select: { id: true, status: true, status_counts: true, status_reason: true, next_transition_at: true },
      where: { id: In([...ids]) },
      order: { id: 'ASC' },
      lock,
    });
    return new Map(rows.map((r) => [r.id, r]));
  }

  /** New stored statuses, each task its own, in one statement (the rows are locked by lockStatuses). */
  async writeStatuses(em: EntityManager, rows: readonly (StoredStatus & { id: string })[]): Promise<void> {
    await updateRowsById(em, TaskEntity, ['status', 'status_counts', 'status_reason', 'next_transition_at'], rows);
  }

  /** Records that the task's configuration changed. */
  async touch(em: EntityManager, id: string, at: Date): Promise<void> {
    await em.update(TaskEntity, { id }, { update_dt: at });
  }

  async update(em: EntityManager, id: string, patch: Partial<TaskEntity>): Promise<void> {
    await em.update(TaskEntity, { id }, patch);
  }

  /** Live tasks by stored status (the metrics gauge). */
  async countLiveByStatus(): Promise<Map<string, number>> {
    const rows = await this.dataSource
      .getRepository(TaskEntity)
      .createQueryBuilder('t')
      .select('t.status', 'status')
      .addSelect('COUNT(*)', 'n')
      .where('t.deleted_dt IS NULL')
      .groupBy('t.status')
      .getRawMany<{ status: string; n: string | number }>();
    return new Map(rows.map((r) => [r.status, Number(r.n)]));
  }

  /** Any task, deleted or not, using this algorithm type (a deleted task can be restored). */
  async usesAlgoType(code: string): Promise<boolean> {
    return (await this.dataSource.getRepository(TaskEntity).count({ where: { algo_type: code }, take: 1 })) > 0;
  }
}
