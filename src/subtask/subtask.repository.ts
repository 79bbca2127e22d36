import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Brackets, DataSource, EntityManager, In, LessThan } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { instantOf } from '../common/http/etag';
import { TransactionRunner } from '../database/transaction.runner';
import { WORK_RANGES, WORK_RULES } from './domain/work';
import { ClaimedOutcome, ControlWrite, HeartbeatWrite, OutcomeWrite, outcomeApplies, ReportWrite } from './domain/writes';
import type { SubtaskRunInfo } from '../scene/scene.mapper';
import type { DesiredState, SubtaskState, SubtaskStatusInput } from './domain/states';
import { selectIn } from '../database/select-in';
import { unionAllRows, updateRowsById } from '../database/update-by-id';
import { SubtaskEntity } from './subtask.entity';
import type { SubtaskRow } from './subtask.mapper';

const INSERT_CHUNK = 200;

/** A raw DATETIME read (a Date from mysql2, UTC text from SQLite) as a Date. */
function toDate(value: Date | string | null): Date | null {
  const ms = instantOf(value);
  return ms === null ? null : new Date(ms);
}

export type SubtaskPatch = QueryDeepPartialEntity<SubtaskEntity>;

/**
 * The SQL form of `isDue` (domain/work.ts), built from the same WORK_RULES: its time has come, no
 * live lease holds it, and its state and wish call for work.
 */
function dueNow(now: Date, alias: string): Brackets {
  const c = (column: string) => `${alias}${column}`;
  return new Brackets((qb) =>
    qb
      .where(`${c('next_attempt_at')} <= :now`, { now })
      .andWhere(new Brackets((lease) => lease.where(`${c('lease_until')} IS NULL`).orWhere(`${c('lease_until')} < :now`, { now })))
      .andWhere(
        new Brackets((work) => {
          WORK_RULES.forEach((rule, i) => {
            const states = `${c('state')} IN (:...workStates${i})`;
            const condition = rule.desired === null ? states : `${c('desired_state')} = :workDesired${i} AND ${states}`;
            work.orWhere(condition, { [`workStates${i}`]: [...rule.states], [`workDesired${i}`]: rule.desired });
          });
        }),
      ),
  );
}

export type SubtaskRunRow = SubtaskRunInfo & SubtaskStatusInput & { task_id: string; next_attempt_at: Date | null };

export interface SubtaskSearch {
  state?: SubtaskState;
  desired_state?: DesiredState;
  task_id?: string;
  vchan_refid?: string;
}

/** What a claim took: its rows, and those whose lapsed lease it took over from another owner. */
export interface Claimed {
  rows: SubtaskRow[];
  takenOver: { row: SubtaskRow; owner: string; lapsedAt: Date | null }[];
}

export type SubtaskStatusRow = SubtaskStatusInput & { task_id: string; status_reason: string | null; next_attempt_at: Date | null };

/**
 * tb_subtask's owner: what the task and subtask endpoints read and write, and the reconciler's
 * and the report ingester's access. Every write that finishes a piece of reconciler work is
 * conditional on the lease and the generation it was claimed with, so a replica whose lease ran
 * out, or a start that superseded the generation, cannot be overwritten. Those writes go through
 * the TransactionRunner even when they are one statement: on SQLite the one connection is shared,
 * and a write issued while another transaction is open would join it.
 */
@Injectable()
export class SubtaskRepository {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tx: TransactionRunner,
  ) {}

  /** A value as the driver stores it in `column`, for SQL written out here. */
  private persisted(value: unknown, column: keyof SubtaskEntity): unknown {
    const metadata = this.dataSource.getMetadata(SubtaskEntity);
    return this.dataSource.driver.preparePersistentValue(value, metadata.findColumnWithPropertyName(column)!);
  }

  async insertAll(em: EntityManager, rows: readonly SubtaskRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await em
        .createQueryBuilder()
        .insert()
        .into(SubtaskEntity)
        .values(rows.slice(i, i + INSERT_CHUNK))
        .updateEntity(false)
        .execute();
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
    return selectIn(em, SubtaskEntity, 'task_id', taskIds, [
      'task_id',
      'vchan_refid',
      'state',
      'desired_state',
      'status_reason',
      'progress',
      'next_attempt_at',
    ]);
  }

  /** Per task: how many subtasks and their newest update_dt (the version an ETag is computed from), in one grouped query. */
  async versionsForTasks(
    taskIds: readonly string[],
    em: EntityManager = this.dataSource.manager,
  ): Promise<Map<string, { count: number; latest: Date | string | null }>> {
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

  /** Start/stop of many subtasks with the same plan, in the caller's transaction. */
  async applyControl(em: EntityManager, ids: readonly string[], patch: ControlWrite, now: Date): Promise<void> {
    if (ids.length === 0) return;
    // A lease held by a worker mid-call stays: its conditional finish will fail on the new
    // state or generation and release it, and only then can the new work be claimed.
    const set: SubtaskPatch = {
      desired_state: patch.desired_state,
      state: patch.state,
      next_attempt_at: patch.next_attempt_at,
      update_dt: now,
    };
    if (patch.bumpGeneration) {
      // A new generation starts a new report history: the old high-water mark must not hide it.
      Object.assign(set, { generation: () => 'generation + 1', attempts: 0, status_reason: null, progress: null, reported_at: null });
    }
    if (patch.status_reason !== undefined) set.status_reason = patch.status_reason;
    await em
      .createQueryBuilder()
      .update(SubtaskEntity)
      .set(set)
      .where({ id: In([...ids]) })
      .execute();
  }

  /** Running subtasks silent since `cutoff` become lost, in the caller's transaction; answers them. */
  async markLost(
    em: EntityManager,
    cutoff: Date,
    now: Date,
    reason: string,
  ): Promise<{ id: string; task_id: string; generation: number; heartbeat_at: Date | null }[]> {
    const repo = em.getRepository(SubtaskEntity);
    const silent = await repo.find({
      select: { id: true, task_id: true, generation: true, heartbeat_at: true },
      where: { state: 'running', desired_state: 'run', heartbeat_at: LessThan(cutoff) },
      order: { id: 'ASC' },
      lock: em.connection.options.type === 'better-sqlite3' ? undefined : { mode: 'pessimistic_write' },
    });
    if (silent.length === 0) return [];
    await repo
      .createQueryBuilder()
      .update()
      .set({ state: 'lost', status_reason: reason, next_attempt_at: now, attempts: 0, update_dt: now })
      .where({ id: In(silent.map((s) => s.id)), state: 'running', heartbeat_at: LessThan(cutoff) })
      .execute();
    return silent;
  }

  /**
   * Claims up to `limit` subtasks that are due for work and not leased by a live owner, in the
   * caller's transaction. The conditional UPDATE is atomic per row, so when replicas race for a row
   * exactly one wins it. `takenOver` lists the claimed rows whose lease had lapsed under another
   * owner (which died or lost the database): the claims taken over.
   */
  async claim(em: EntityManager, token: string, now: Date, until: Date, limit: number): Promise<Claimed> {
    const repo = em.getRepository(SubtaskEntity);
    // The longest-due first, up to `limit` from each range of IDX_subtask_work that holds work,
    // in index order, then the longest-due of those. (One ORDER BY over the OR of the rules sorted
    // every due row on each claim: all 10,000 at a window's opening.) Who held each is read too:
    // a lease still set but lapsed is a claim being taken over.
    const stamp = this.persisted(now, 'next_attempt_at');
    const ranges = WORK_RANGES.map(({ desired }, i) => {
      const wish = desired === null ? '' : ' AND desired_state = ?';
      return (
        `SELECT * FROM (SELECT id, lease_owner, lease_until, next_attempt_at FROM tb_subtask WHERE state = ?${wish}` +
        ` AND next_attempt_at <= ? AND (lease_until IS NULL OR lease_until < ?) ORDER BY next_attempt_at LIMIT ?) r${i}`
      );
    });
    const params = WORK_RANGES.flatMap(({ state, desired }) => [state, ...(desired === null ? [] : [desired]), stamp, stamp, limit]);
    const candidates: { id: string; lease_owner: string | null; lease_until: Date | string | null }[] = await em.query(
      `SELECT id, lease_owner, lease_until FROM (${ranges.join(' UNION ALL ')}) due ORDER BY next_attempt_at LIMIT ?`,
      [...params, limit],
    );
    if (candidates.length === 0) return { rows: [], takenOver: [] };
    const ids = candidates.map((c) => c.id);
    // The whole condition again: between the SELECT and this UPDATE another replica may have
    // claimed, finished and released a row, which must not be taken (and dispatched) twice.
    await repo
      .createQueryBuilder()
      .update()
      .set({ lease_owner: token, lease_until: until })
      .where({ id: In(ids) })
      .andWhere(dueNow(now, ''))
      .execute();
    const rows = await repo.find({ where: { lease_owner: token, id: In(ids) } });
    const held = new Map(candidates.map((c) => [c.id, c]));
    const takenOver = rows.flatMap((row) => {
      const before = held.get(row.id);
      return before?.lease_owner ? [{ row, owner: before.lease_owner, lapsedAt: toDate(before.lease_until) }] : [];
    });
    return { rows, takenOver };
  }

  /**
   * When the earliest work that is not yet due falls due (null when none waits): the least
   * next_attempt_at after `now` of each (state, wish) that calls for work, each the first entry
   * of its range on IDX_subtask_work. (One MIN over the OR of the rules read every entry of every
   * range: after a window opened, each pass read all 10,000 running subtasks.) A lease is left
   * out: work leased past its time only makes the next pass come early.
   */
  async nextDueAfter(now: Date): Promise<Date | null> {
    const after = this.persisted(now, 'next_attempt_at');
    const firsts = WORK_RANGES.map(
      ({ desired }) =>
        `SELECT MIN(next_attempt_at) AS next FROM tb_subtask WHERE state = ?${desired === null ? '' : ' AND desired_state = ?'} AND next_attempt_at > ?`,
    );
    const params = WORK_RANGES.flatMap(({ state, desired }) => [state, ...(desired === null ? [] : [desired]), after]);
    const rows: { next: Date | string | null }[] = await this.dataSource.query(`SELECT MIN(next) AS next FROM (${firsts.join(' UNION ALL ')}) firsts`, params);
    return toDate(rows[0]?.next ?? null);
  }

  /** Extends the claims of work still in flight, one statement for all; answers how many were still held. */
  async renewLeases(claims: ReadonlyMap<string, string>, until: Date): Promise<number> {
    if (claims.size === 0) return 0;
    const tokens = [...new Set(claims.values())];
    const result = await this.tx.run((em) => em.update(SubtaskEntity, { id: In([...claims.keys()]), lease_owner: In(tokens) }, { lease_until: until }));
    return result.affected ?? 0;
  }

  /** Gives claims back without an outcome (shutdown): the work is due again at once for any replica. */
  async releaseAll(claims: ReadonlyMap<string, string>): Promise<void> {
    if (claims.size === 0) return;
    const tokens = [...new Set(claims.values())];
    await this.tx.run((em) => em.update(SubtaskEntity, { id: In([...claims.keys()]), lease_owner: In(tokens) }, { lease_owner: null, lease_until: null }));
  }

  /** Gives a claim back without an outcome; with `retryAt`, the work is due again then. */
  async release(id: string, token: string, retryAt?: Date): Promise<void> {
    const patch: SubtaskPatch = { lease_owner: null, lease_until: null };
    if (retryAt) patch.next_attempt_at = retryAt;
    await this.tx.run((em) => em.update(SubtaskEntity, { id, lease_owner: token }, patch));
  }

  /**
   * Writes many claimed outcomes in the caller's transaction: the rows are locked in primary-key
   * order and read, each outcome is written only if it still applies (outcomeApplies), those with
   * the same columns in one UPDATE, and the claims of those that no longer apply are handed back.
   * The caller gives at most one outcome per subtask. Answers, per outcome, whether it was written.
   */
  async finishMany(em: EntityManager, outcomes: readonly ClaimedOutcome[], now: Date, lock: { mode: 'pessimistic_write' } | undefined): Promise<boolean[]> {
    if (outcomes.length === 0) return [];
    const rows = await selectIn(
      em,
      SubtaskEntity,
      'id',
      outcomes.map((o) => o.id),
      ['id', 'lease_owner', 'generation', 'state'],
      { orderBy: 'id', forUpdate: lock !== undefined },
    );
    const current = new Map(rows.map((r) => [r.id, r]));
    const applied = outcomes.map((o) => outcomeApplies(current.get(o.id), o));

    const groups = new Map<string, { columns: (keyof OutcomeWrite)[]; keepLease: boolean; rows: (Partial<SubtaskEntity> & { id: string })[] }>();
    outcomes.forEach((o, i) => {
      if (!applied[i]) return;
      const columns = (Object.keys(o.patch) as (keyof OutcomeWrite)[]).filter((c) => o.patch[c] !== undefined).sort();
      const key = `${o.keepLease}:${columns.join(',')}`;
      const group = groups.get(key) ?? { columns, keepLease: o.keepLease, rows: [] };
      group.rows.push({ id: o.id, ...o.patch });
      groups.set(key, group);
    });
    for (const group of groups.values()) {
      const lease: Partial<SubtaskEntity> = group.keepLease ? {} : { lease_owner: null, lease_until: null };
      await updateRowsById(em, SubtaskEntity, group.columns, group.rows, { ...lease, update_dt: now });
    }

    const handBack = outcomes.filter((o, i) => !applied[i] && current.get(o.id)?.lease_owner === o.token).map((o) => o.id);
    if (handBack.length > 0) await em.update(SubtaskEntity, { id: In(handBack) }, { lease_owner: null, lease_until: null });
    return applied;
  }

  /** Control columns of the reported subtasks, locked in primary-key order on MySQL. */
  lockForReports(em: EntityManager, ids: readonly string[], lock: { mode: 'pessimistic_write' } | undefined): Promise<SubtaskRow[]> {
    return selectIn(em, SubtaskEntity, 'id', ids, ['id', 'task_id', 'state', 'desired_state', 'generation', 'reported_at', 'next_attempt_at', 'heartbeat_at'], {
      orderBy: 'id',
      forUpdate: lock !== undefined,
    });
  }

  /**
   * Heartbeats in one statement, outside any transaction, MySQL only: each row is updated only
   * where the report repeats its state (`appliesAsHeartbeat`, dispatch/domain/heartbeats.ts, in
   * SQL: same state and generation, not running against a stop, newer than the last report), and
   * checked as it is locked, so a concurrent change of the row is never overwritten. Rows in key
   * order, the order every batch locks them in. How many rows it updated.
   */
  async writeHeartbeats(writes: readonly HeartbeatWrite[], now: Date): Promise<number> {
    if (writes.length === 0) return 0;
    const sorted = [...writes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const reportedAt = this.dataSource.getMetadata(SubtaskEntity).findColumnWithPropertyName('reported_at')!;
    const driver = this.dataSource.driver;
    const params = sorted.flatMap((w): unknown[] => [
      w.id,
      w.generation,
      w.state,
      w.status_reason,
      w.progress,
      driver.preparePersistentValue(w.reported_at, reportedAt) as unknown,
    ]);
    const stamp: unknown = this.persisted(now, 'heartbeat_at');
    const values = unionAllRows((name) => driver.escape(name), ['id', 'generation', 'state', 'status_reason', 'progress', 'reported_at'], sorted.length);
    const result: { affectedRows: number } = await this.dataSource.query(
      `UPDATE \`tb_subtask\` t JOIN (${values}) v ON v.\`id\` = t.\`id\`` +
        ' SET t.`status_reason` = v.`status_reason`, t.`progress` = v.`progress`, t.`reported_at` = v.`reported_at`, t.`heartbeat_at` = ?, t.`update_dt` = ?' +
        " WHERE t.`state` = v.`state` AND t.`generation` = v.`generation` AND NOT (v.`state` = 'running' AND t.`desired_state` = 'stop')" +
        ' AND (t.`reported_at` IS NULL OR CAST(v.`reported_at` AS DATETIME(3)) > t.`reported_at`)',
      [...params, stamp, stamp],
    );
    return result.affectedRows;
  }

  /** All the batch's report outcomes in one UPDATE (updateRowsById); the rows are already locked (lockForReports). */
  async writeReports(em: EntityManager, writes: readonly ReportWrite[], now: Date): Promise<void> {
    await updateRowsById(em, SubtaskEntity, ['state', 'status_reason', 'progress', 'reported_at', 'next_attempt_at'], writes, {
      heartbeat_at: now,
      update_dt: now,
    });
  }
}
