import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { MetricsService } from '../common/observability/metrics.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { instantOf } from '../common/http/etag';
import { afterCommit, beforeCommit } from '../database/transaction.runner';
import type { NewEvent } from './event';
import { JournalEventEntity, JournalSequenceEntity } from './journal-event.entity';

/** Rows per INSERT statement: one batch's state changes go in one statement up to this size. */
const INSERT_CHUNK = 500;

/** tb_event's columns in the order an appended row lists them. */
const COLUMNS = [
  'seq',
  'at',
  'kind',
  'task_id',
  'subtask_id',
  'from_value',
  'to_value',
  'generation',
  'reason',
  'actor_type',
  'actor_subject',
  'actor_role',
] as const;
type Row = unknown[];

const clip = (text: string | null | undefined, max: number): string | null => (text == null ? null : text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Which events a read wants; seq bounds are exclusive (`after`, `before`) or inclusive (`atMost`). */
export interface JournalFilter {
  taskId?: string;
  subtaskId?: string;
  kinds?: readonly string[];
  after?: number;
  before?: number;
  atMost?: number;
}

/** An event a transaction appended, with the time it was appended at; written as the transaction's last step. */
interface Pending {
  event: NewEvent;
  at: Date;
}

/** tb_event's and tb_event_sequence's owner. */
@Injectable()
export class JournalRepository {
  private readonly committedListeners: (() => void)[] = [];
  private readonly pending = new WeakMap<EntityManager, Pending[]>();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Appends events to the caller's transaction. They are written as its last step, numbered in
   * commit order (see JournalEventEntity), in one multi-row insert per INSERT_CHUNK rows. With
   * EVENT_JOURNAL_ENABLED off, nothing is appended.
   */
  async append(em: EntityManager, events: readonly (NewEvent | null | undefined)[], at: Date): Promise<number> {
    if (!this.config.events.journalEnabled) return 0;
    const present: Pending[] = [];
    for (const event of events) if (event != null) present.push({ event, at });
    if (present.length === 0) return 0;
    // Positions taken outside a transaction would be visible before their rows, and a reader
    // could move past rows not yet inserted.
    if (!em.queryRunner?.isTransactionActive) throw new Error('journal events are appended in the transaction of their change');
    const queued = this.pending.get(em);
    if (queued) queued.push(...present);
    else if (beforeCommit(em, () => this.write(em, present))) this.pending.set(em, present);
    else await this.write(em, present);
    return present.length;
  }

  /** Runs after each commit of a transaction that appended events (the stream reads them at once instead of on its next tick). */
  onCommitted(listener: () => void): void {
    this.committedListeners.push(listener);
  }

  /**
   * Takes the next `count` positions and inserts the rows with them. The sequence row's lock is
   * held from here to the commit, so appends commit one after another in seq order; nothing else
   * is locked after it, so no lock cycle can go through it.
   */
  private async write(em: EntityManager, pending: readonly Pending[]): Promise<void> {
    this.pending.delete(em);
    const first = (await this.takePositions(em, pending.length)) - pending.length;
    const atColumn = this.dataSource.getMetadata(JournalEventEntity).findColumnWithPropertyName('at')!;
    const rows = pending.map(({ event: e, at }, i): Row => [
      String(first + i),
      this.dataSource.driver.preparePersistentValue(at, atColumn) as unknown,
      e.kind,
      e.task_id,
      e.subtask_id ?? null,
      clip(e.from, 16),
      clip(e.to, 16),
      e.generation ?? null,
      clip(e.reason, 1024),
      e.actor.type,
      e.actor.type === 'user' ? clip(e.actor.subject, 128) : null,
      e.actor.type === 'user' ? e.actor.role : null,
    ]);
    const q = (name: string) => em.connection.driver.escape(name);
    const tuple = `(${COLUMNS.map(() => '?').join(', ')})`;
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const chunk = rows.slice(i, i + INSERT_CHUNK);
      await em.query(`INSERT INTO ${q('tb_event')} (${COLUMNS.map(q).join(', ')}) VALUES ${chunk.map(() => tuple).join(', ')}`, chunk.flat());
    }
    afterCommit(em, () => {
      for (const { event } of pending) this.metrics.eventsWritten.inc({ kind: event.kind });
      for (const listener of this.committedListeners) listener();
    });
  }

  /** Advances next_seq by `count` under the sequence row's lock, in one statement; the new next_seq. */
  private async takePositions(em: EntityManager, count: number): Promise<number> {
    const q = (name: string) => em.connection.driver.escape(name);
    if (em.connection.options.type === 'better-sqlite3') {
      const rows: { next_seq: number | string }[] = await em.query(
        `UPDATE ${q('tb_event_sequence')} SET ${q('next_seq')} = ${q('next_seq')} + ? WHERE ${q('id')} = 1 RETURNING ${q('next_seq')}`,
        [count],
      );
      if (rows.length === 0) throw new Error('tb_event_sequence has no row 1');
      return Number(rows[0].next_seq);
    }
    // LAST_INSERT_ID(expr) hands the new value back in the statement's own answer (insertId).
    const result: { affectedRows: number; insertId: number | string } = await em.query(
      `UPDATE ${q('tb_event_sequence')} SET ${q('next_seq')} = LAST_INSERT_ID(${q('next_seq')} + ?) WHERE ${q('id')} = 1`,
      [count],
    );
    if (result.affectedRows !== 1) throw new Error('tb_event_sequence has no row 1');
    return Number(result.insertId);
  }

  // --- Read side: tailing, history, retention ---

  /** Events matching `filter`, in `order` of seq, at most `limit`. */
  async findSequenced(filter: JournalFilter, order: 'ASC' | 'DESC', limit: number): Promise<JournalEventEntity[]> {
    const qb = this.filtered(filter).orderBy('e.seq', order).limit(limit);
    const rows = await qb.getMany();
    for (const row of rows) row.seq = String(row.seq);
    return rows;
  }

  /** How many events match `filter`. */
  countSequenced(filter: JournalFilter): Promise<number> {
    return this.filtered(filter).getCount();
  }

  /** The highest seq given so far (0 before any), as committed. */
  async lastSeq(): Promise<number> {
    const row = await this.dataSource.getRepository(JournalSequenceEntity).findOne({ where: { id: 1 } });
    return row ? Number(row.next_seq) - 1 : 0;
  }

  /**
   * The seq of the oldest retained event, or the next seq to be given when none is kept:
   * a cursor below it minus one has lost events to pruning (seqs are given without gaps).
   */
  async oldestRetainedSeq(): Promise<number> {
    const row = await this.dataSource
      .getRepository(JournalEventEntity)
      .createQueryBuilder('e')
      .select('MIN(e.seq)', 'oldest')
      .getRawOne<{ oldest: string | number | null }>();
    if (row?.oldest != null) return Number(row.oldest);
    return (await this.lastSeq()) + 1;
  }

  /**
   * Deletes the oldest events, up to `limit`, as long as they are older than `before`: only a
   * leading run in seq order, so what is kept is always every event from some seq on and a cursor
   * is either served in full or answered 410. (An event stamped ahead, by a replica whose clock is
   * fast, holds the run up until it is old enough itself.) One read of the oldest `limit` by
   * primary key, one range delete.
   */
  async pruneBatch(before: Date, limit: number): Promise<number> {
    const oldest = await this.dataSource
      .getRepository(JournalEventEntity)
      .createQueryBuilder('e')
      .select('e.seq', 'seq')
      .addSelect('e.at', 'at')
      .orderBy('e.seq', 'ASC')
      .limit(limit)
      .getRawMany<{ seq: string | number; at: Date | string }>();
    const cutoff = before.getTime();
    let run = 0;
    while (run < oldest.length && (instantOf(oldest[run].at) ?? Infinity) < cutoff) run++;
    if (run === 0) return 0;
    await this.dataSource
      .getRepository(JournalEventEntity)
      .createQueryBuilder()
      .delete()
      .where('seq <= :last', { last: String(oldest[run - 1].seq) })
      .execute();
    return run;
  }

  /**
   * The `kinds` events of a task (before `before`, at or after `since`, when given), oldest first;
   * with `subtaskId`, only its own and the task-wide ones (subtask_id NULL).
   */
  async findForAvailability(
    taskId: string,
    kinds: readonly string[],
    options: { subtaskId?: string; since?: Date; before?: Date },
  ): Promise<JournalEventEntity[]> {
    const qb = this.dataSource
      .getRepository(JournalEventEntity)
      .createQueryBuilder('e')
      .where('e.task_id = :taskId', { taskId })
      .andWhere('e.kind IN (:...kinds)', { kinds: [...kinds] });
    if (options.before) qb.andWhere('e.at < :before', { before: options.before });
    if (options.since) qb.andWhere('e.at >= :since', { since: options.since });
    if (options.subtaskId) qb.andWhere('(e.subtask_id = :subtaskId OR e.subtask_id IS NULL)', { subtaskId: options.subtaskId });
    const rows = await qb.orderBy('e.seq', 'ASC').getMany();
    for (const row of rows) row.seq = String(row.seq);
    return rows;
  }

  /** Each subtask's latest `subtask.state` event before `before` (one query for a whole task). */
  async lastStatesBefore(taskId: string, before: Date, subtaskId?: string): Promise<JournalEventEntity[]> {
    const latest = this.dataSource
      .getRepository(JournalEventEntity)
      .createQueryBuilder('l')
      .select('MAX(l.seq)', 'seq')
      .where('l.task_id = :taskId')
      .andWhere("l.kind = 'subtask.state'")
      .andWhere('l.at < :before');
    if (subtaskId) latest.andWhere('l.subtask_id = :subtaskId');
    latest.groupBy('l.subtask_id');
    const rows = await this.dataSource
      .getRepository(JournalEventEntity)
      .createQueryBuilder('e')
      .where(`e.seq IN (${latest.getQuery()})`)
      .setParameters({ taskId, before, subtaskId })
      .orderBy('e.seq', 'ASC')
      .getMany();
    for (const row of rows) row.seq = String(row.seq);
    return rows;
  }

  private filtered(filter: JournalFilter) {
    const qb = this.dataSource.getRepository(JournalEventEntity).createQueryBuilder('e');
    if (filter.taskId !== undefined) qb.andWhere('e.task_id = :taskId', { taskId: filter.taskId });
    if (filter.subtaskId !== undefined) qb.andWhere('e.subtask_id = :subtaskId', { subtaskId: filter.subtaskId });
    if (filter.kinds?.length) qb.andWhere('e.kind IN (:...kinds)', { kinds: [...filter.kinds] });
    if (filter.after !== undefined) qb.andWhere('e.seq > :after', { after: filter.after });
    if (filter.before !== undefined) qb.andWhere('e.seq < :before', { before: filter.before });
    if (filter.atMost !== undefined) qb.andWhere('e.seq <= :atMost', { atMost: filter.atMost });
    return qb;
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }
}
