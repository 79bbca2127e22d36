import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, IsNull, In } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { MetricsService } from '../common/observability/metrics.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { afterCommit } from '../database/transaction.runner';
import type { NewEvent } from './event';
import { JournalEventEntity, JournalSequenceEntity } from './journal-event.entity';

/** Rows per INSERT statement: one batch's state changes go in one statement up to this size. */
const INSERT_CHUNK = 500;

const clip = (text: string | null | undefined, max: number): string | null => (text == null ? null : text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** Which numbered events a read wants; seq bounds are exclusive (`after`, `before`) or inclusive (`atMost`). */
export interface JournalFilter {
  taskId?: string;
  subtaskId?: string;
  kinds?: readonly string[];
  after?: number;
  before?: number;
  atMost?: number;
}

/** tb_event's and tb_event_sequence's owner. */
@Injectable()
export class JournalRepository {
  private readonly committedListeners: (() => void)[] = [];

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * Appends events in the caller's transaction, as one multi-row insert; they get their cursor
   * once committed. With EVENT_JOURNAL_ENABLED off, nothing is appended.
   */
  async append(em: EntityManager, events: readonly (NewEvent | null | undefined)[], at: Date): Promise<number> {
    if (!this.config.events.journalEnabled) return 0;
    const rows = events
      .filter((e): e is NewEvent => e != null)
      .map((e) => ({
        id: uuidv7(),
        seq: null,
        at,
        kind: e.kind,
        task_id: e.task_id,
        subtask_id: e.subtask_id ?? null,
        from_value: clip(e.from, 16),
        to_value: clip(e.to, 16),
        generation: e.generation ?? null,
        reason: clip(e.reason, 1024),
        actor_type: e.actor.type,
        actor_subject: e.actor.type === 'user' ? clip(e.actor.subject, 128) : null,
        actor_role: e.actor.type === 'user' ? e.actor.role : null,
      }));
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await em
        .createQueryBuilder()
        .insert()
        .into(JournalEventEntity)
        .values(rows.slice(i, i + INSERT_CHUNK))
        .updateEntity(false)
        .execute();
    }
    // Counted when appended; a transaction rolled back afterwards still counts (a rare overcount).
    for (const row of rows) this.metrics.eventsWritten.inc({ kind: row.kind });
    if (rows.length > 0 && this.committedListeners.length > 0) {
      afterCommit(em, () => {
        for (const listener of this.committedListeners) listener();
      });
    }
    return rows.length;
  }

  /** Runs after each commit of a transaction that appended events (the sequencer numbers them at once instead of on its next tick). */
  onCommitted(listener: () => void): void {
    this.committedListeners.push(listener);
  }

  // --- Read side: numbering in commit order, tailing, history, retention ---

  /** Whether any committed event still waits for its number (a read on the seq index). */
  async hasUnsequenced(): Promise<boolean> {
    const rows = await this.dataSource.getRepository(JournalEventEntity).find({ select: { id: true }, where: { seq: IsNull() }, take: 1 });
    return rows.length > 0;
  }

  /**
   * Numbers committed events in commit order, in the caller's transaction: locks the sequence row,
   * then reads (without locking, so only committed rows are seen and an open transaction's rows are
   * left for a later call) up to `limit` unnumbered ids in id order, gives them next_seq, next_seq+1,
   * … in one statement, and advances next_seq. On MySQL the transaction must read committed (each
   * statement sees what committed before it); SQLite's transactions are serialized already.
   */
  async sequence(em: EntityManager, limit: number): Promise<{ first: number; count: number }> {
    const mysql = em.connection.options.type !== 'better-sqlite3';
    const q = (name: string) => em.connection.driver.escape(name);
    const locked: { next_seq: string | number }[] = await em.query(
      `SELECT ${q('next_seq')} FROM ${q('tb_event_sequence')} WHERE ${q('id')} = 1${mysql ? ' FOR UPDATE' : ''}`,
    );
    if (locked.length === 0) throw new Error('tb_event_sequence has no row 1');
    const first = Number(locked[0].next_seq);
    const rows: { id: string }[] = await em.query(
      `SELECT ${q('id')} FROM ${q('tb_event')} WHERE ${q('seq')} IS NULL ORDER BY ${q('id')} LIMIT ${Math.floor(limit)}`,
    );
    if (rows.length === 0) return { first, count: 0 };
    const params = rows.flatMap((row, i) => [row.id, first + i]);
    if (mysql) {
      // Only the listed rows are touched: the numbered ids drive the join, each reaching its row by
      // primary key, so rows of transactions still open (and their locks) are never scanned.
      const values = rows.map((_, i) => (i === 0 ? `SELECT ? AS ${q('id')}, ? AS ${q('seq')}` : 'SELECT ?, ?')).join(' UNION ALL ');
      await em.query(`UPDATE (${values}) v STRAIGHT_JOIN ${q('tb_event')} e ON e.${q('id')} = v.${q('id')} SET e.${q('seq')} = v.${q('seq')}`, params);
    } else {
      const values = rows.map(() => '(?, ?)').join(', ');
      await em.query(`UPDATE ${q('tb_event')} SET ${q('seq')} = v.column2 FROM (VALUES ${values}) AS v WHERE v.column1 = ${q('tb_event')}.${q('id')}`, params);
    }
    await em.query(`UPDATE ${q('tb_event_sequence')} SET ${q('next_seq')} = ? WHERE ${q('id')} = 1`, [first + rows.length]);
    return { first, count: rows.length };
  }

  /** Numbered events matching `filter`, in `order` of seq, at most `limit`. */
  async findSequenced(filter: JournalFilter, order: 'ASC' | 'DESC', limit: number): Promise<JournalEventEntity[]> {
    const qb = this.filtered(filter).orderBy('e.seq', order).limit(limit);
    const rows = await qb.getMany();
    for (const row of rows) row.seq = String(row.seq);
    return rows;
  }

  /** How many numbered events match `filter`. */
  countSequenced(filter: JournalFilter): Promise<number> {
    return this.filtered(filter).getCount();
  }

  /** The highest seq given so far (0 before any), as committed. */
  async lastSeq(): Promise<number> {
    const row = await this.dataSource.getRepository(JournalSequenceEntity).findOne({ where: { id: 1 } });
    return row ? Number(row.next_seq) - 1 : 0;
  }

  /**
   * The seq of the oldest retained numbered event, or the next seq to be given when none is kept:
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

  /** Deletes up to `limit` events older than `before` (oldest first); each call is one short statement. */
  async pruneBatch(before: Date, limit: number): Promise<number> {
    const ids = await this.dataSource
      .getRepository(JournalEventEntity)
      .createQueryBuilder('e')
      .select('e.id', 'id')
      .where('e.at < :before', { before })
      .andWhere('e.seq IS NOT NULL')
      .orderBy('e.at', 'ASC')
      .limit(limit)
      .getRawMany<{ id: string }>();
    if (ids.length === 0) return 0;
    await this.dataSource.getRepository(JournalEventEntity).delete({ id: In(ids.map((r) => r.id)) });
    return ids.length;
  }

  /**
   * The numbered `kinds` events of a task before `before` (and at or after `since`), oldest first;
   * with `subtaskId`, only its own and the task-wide ones (subtask_id NULL).
   */
  async findForAvailability(
    taskId: string,
    kinds: readonly string[],
    options: { subtaskId?: string; since?: Date; before: Date },
  ): Promise<JournalEventEntity[]> {
    const qb = this.dataSource
      .getRepository(JournalEventEntity)
      .createQueryBuilder('e')
      .where('e.task_id = :taskId', { taskId })
      .andWhere('e.seq IS NOT NULL')
      .andWhere('e.kind IN (:...kinds)', { kinds: [...kinds] })
      .andWhere('e.at < :before', { before: options.before });
    if (options.since) qb.andWhere('e.at >= :since', { since: options.since });
    if (options.subtaskId) qb.andWhere('(e.subtask_id = :subtaskId OR e.subtask_id IS NULL)', { subtaskId: options.subtaskId });
    const rows = await qb.orderBy('e.seq', 'ASC').getMany();
    for (const row of rows) row.seq = String(row.seq);
    return rows;
  }

  /** Each subtask's latest numbered `subtask.state` event before `before` (one query for a whole task). */
  async lastStatesBefore(taskId: string, before: Date, subtaskId?: string): Promise<JournalEventEntity[]> {
    const latest = this.dataSource
      .getRepository(JournalEventEntity)
      .createQueryBuilder('l')
      .select('MAX(l.seq)', 'seq')
      .where('l.task_id = :taskId')
      .andWhere("l.kind = 'subtask.state'")
      .andWhere('l.seq IS NOT NULL')
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
    const qb = this.dataSource.getRepository(JournalEventEntity).createQueryBuilder('e').where('e.seq IS NOT NULL');
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
