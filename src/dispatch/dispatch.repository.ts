import { Injectable } from '@nestjs/common';
import { Brackets, EntityManager, In, LessThan } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { SubtaskState } from '../status/domain/derive-task-status';
import { SubtaskEntity } from '../subtask/subtask.entity';
import type { SubtaskRow } from '../subtask/subtask.mapper';
import { TransactionRunner } from '../database/transaction.runner';
import type { ControlPatch } from './domain/transitions';

export type SubtaskPatch = QueryDeepPartialEntity<SubtaskEntity>;

/** One row's new report columns, written together with others in a single statement. */
export interface ReportWrite {
  id: string;
  state: SubtaskState;
  status_reason: string | null;
  progress: number | null;
  reported_at: Date;
}

/**
 * The reconciler's and the report ingester's access to tb_subtask. Every write that finishes a
 * piece of work is conditional on the lease and the generation it was claimed with, so a
 * replica whose lease ran out, or a start that superseded the generation, cannot be overwritten.
 * Writes go through the TransactionRunner even when they are one statement: on SQLite the one
 * connection is shared, and a write issued while another transaction is open would join it.
 */
@Injectable()
export class DispatchRepository {
  constructor(private readonly tx: TransactionRunner) {}

  /** Start/stop of many subtasks with the same plan, in the caller's transaction. */
  async applyControl(em: EntityManager, ids: readonly string[], patch: ControlPatch, now: Date): Promise<void> {
    if (ids.length === 0) return;
    const set: SubtaskPatch = {
      desired_state: patch.desired_state,
      state: patch.state,
      next_attempt_at: patch.next_attempt_at,
      lease_owner: null,
      lease_until: null,
      update_dt: now,
    };
    if (patch.bumpGeneration) Object.assign(set, { generation: () => 'generation + 1', attempts: 0, status_reason: null, progress: null });
    await em.createQueryBuilder().update(SubtaskEntity).set(set).where({ id: In([...ids]) }).execute();
  }

  /** Running subtasks silent since `cutoff` become lost; answers the tasks whose status changed. */
  markLost(cutoff: Date, now: Date, reason: string): Promise<string[]> {
    return this.tx.run(async (em) => {
      const repo = em.getRepository(SubtaskEntity);
      const silent = await repo.find({
        select: { id: true, task_id: true },
        where: { state: 'running', desired_state: 'run', heartbeat_at: LessThan(cutoff) },
      });
      if (silent.length === 0) return [];
      await repo
        .createQueryBuilder()
        .update()
        .set({ state: 'lost', status_reason: reason, next_attempt_at: now, update_dt: now })
        .where({ id: In(silent.map((s) => s.id)), state: 'running', heartbeat_at: LessThan(cutoff) })
        .execute();
      return [...new Set(silent.map((s) => s.task_id))];
    });
  }

  /**
   * Claims up to `limit` subtasks that are due for work and not leased by a live owner. The
   * conditional UPDATE is atomic per row, so when replicas race for a row exactly one wins it.
   */
  claim(token: string, now: Date, until: Date, limit: number): Promise<SubtaskRow[]> {
    return this.tx.run(async (em) => {
      const repo = em.getRepository(SubtaskEntity);
      const leaseFree = new Brackets((qb) => qb.where('s.lease_until IS NULL').orWhere('s.lease_until < :now', { now }));
      const candidates = await repo
        .createQueryBuilder('s')
        .select('s.id', 'id')
        .where('s.next_attempt_at <= :now', { now })
        .andWhere(leaseFree)
        .andWhere(
          new Brackets((qb) =>
            qb
              .where("s.desired_state = 'run' AND s.state IN ('scheduled', 'dispatching')")
              .orWhere("s.desired_state = 'stop' AND s.state = 'stopping'")
              .orWhere("s.state = 'lost'"),
          ),
        )
        .orderBy('s.next_attempt_at', 'ASC')
        .limit(limit)
        .getRawMany<{ id: string }>();
      if (candidates.length === 0) return [];
      await repo
        .createQueryBuilder('s')
        .update()
        .set({ lease_owner: token, lease_until: until })
        .where({ id: In(candidates.map((c) => c.id)) })
        .andWhere(new Brackets((qb) => qb.where('lease_until IS NULL').orWhere('lease_until < :now', { now })))
        .execute();
      return repo.find({ where: { lease_owner: token, id: In(candidates.map((c) => c.id)) } });
    });
  }

  async renewLease(id: string, token: string, until: Date, attempts: number): Promise<void> {
    await this.tx.run((em) => em.update(SubtaskEntity, { id, lease_owner: token }, { lease_until: until, attempts }));
  }

  /**
   * Writes the outcome of a claimed piece of work and releases the lease, only if this claim
   * still holds it, the generation is unchanged and the state is one the work expected.
   * Answers whether the outcome was written.
   */
  finish(id: string, token: string, generation: number, expected: readonly SubtaskState[], patch: SubtaskPatch, now: Date): Promise<boolean> {
    return this.tx.run(async (em) => {
      const result = await em.update(
        SubtaskEntity,
        { id, lease_owner: token, generation, state: In([...expected]) },
        { ...patch, lease_owner: null, lease_until: null, update_dt: now },
      );
      if (!result.affected) await em.update(SubtaskEntity, { id, lease_owner: token }, { lease_owner: null, lease_until: null });
      return Boolean(result.affected);
    });
  }

  /** Moves a claimed subtask on while keeping the lease (scheduled → dispatching). */
  async advance(id: string, token: string, generation: number, from: SubtaskState, patch: SubtaskPatch, now: Date): Promise<boolean> {
    const result = await this.tx.run((em) => em.update(SubtaskEntity, { id, lease_owner: token, generation, state: from }, { ...patch, update_dt: now }));
    return Boolean(result.affected);
  }

  /** Control columns of the reported subtasks, locked in primary-key order on MySQL. */
  lockForReports(em: EntityManager, ids: readonly string[], lock: { mode: 'pessimistic_write' } | undefined): Promise<SubtaskRow[]> {
    return em.find(SubtaskEntity, {
      select: { id: true, task_id: true, state: true, desired_state: true, generation: true, reported_at: true },
      where: { id: In([...ids]) },
      order: { id: 'ASC' },
      lock,
    });
  }

  /** All the batch's report outcomes in one UPDATE (CASE per column), rows in primary-key order. */
  async writeReports(em: EntityManager, writes: readonly ReportWrite[], now: Date): Promise<void> {
    if (writes.length === 0) return;
    const sorted = [...writes].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    const metadata = em.connection.getMetadata(SubtaskEntity);
    const driver = em.connection.driver;
    const persist = (column: string, value: unknown): unknown => {
      const meta = metadata.findColumnWithPropertyName(column)!;
      return driver.preparePersistentValue(value, meta);
    };
    const params: unknown[] = [];
    const caseOf = (column: keyof ReportWrite): string => {
      const whens = sorted.map((w) => {
        params.push(w.id, persist(column, w[column]));
        return 'WHEN ? THEN ?';
      });
      return `${driver.escape(column)} = CASE ${driver.escape('id')} ${whens.join(' ')} END`;
    };
    const sets = [caseOf('state'), caseOf('status_reason'), caseOf('progress'), caseOf('reported_at')];
    params.push(persist('heartbeat_at', now), persist('update_dt', now), ...sorted.map((w) => w.id));
    const sql =
      `UPDATE ${driver.escape('tb_subtask')} SET ${sets.join(', ')}, ${driver.escape('heartbeat_at')} = ?, ${driver.escape('update_dt')} = ? ` +
      `WHERE ${driver.escape('id')} IN (${sorted.map(() => '?').join(', ')})`;
    await em.query(sql, params);
  }
}
