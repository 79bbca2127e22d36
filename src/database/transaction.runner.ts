import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DelegateBackoff, handleWhen, retry, RetryPolicy } from 'cockatiel';
import { DataSource, EntityManager } from 'typeorm';
import { activeDryRun } from './dry-run';

/**
 * Conflicts after which the whole transaction can simply run again: InnoDB deadlock victims and
 * lock waits, and SQLite's "busy" when another process (a second replica on the same file) holds
 * the write lock past busy_timeout or moved the snapshot a deferred transaction started from.
 */
const RETRYABLE = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'SQLITE_BUSY', 'SQLITE_BUSY_SNAPSHOT', 'SQLITE_LOCKED']);
const MAX_ATTEMPTS = 3;

function conflictCode(error: unknown): string | undefined {
  return (error as { driverError?: { code?: string } }).driverError?.code ?? (error as { code?: string }).code;
}

/** Whether `error` is a lock conflict (deadlock, lock wait timeout, SQLite busy) that rolled its statement or transaction back whole. */
export function isLockConflict(error: unknown): boolean {
  const code = conflictCode(error);
  return code !== undefined && RETRYABLE.has(code);
}

const afterCommitCallbacks = new WeakMap<EntityManager, (() => void)[]>();
const beforeCommitWork = new WeakMap<EntityManager, (() => Promise<void>)[]>();

/**
 * Runs `work` inside the transaction of `em` after everything else it does, just before it
 * commits (work that takes a lock every writer needs goes last, so it is held only until the
 * commit and never before another lock). False for a transaction the TransactionRunner did not
 * open: nothing is queued and the caller does the work itself.
 */
export function beforeCommit(em: EntityManager, work: () => Promise<void>): boolean {
  const pending = beforeCommitWork.get(em);
  if (!pending) return false;
  pending.push(work);
  return true;
}

/**
 * Runs `callback` once the transaction of `em` has committed, and never if it rolls back (a
 * notification that must not run ahead of the data). For a transaction the TransactionRunner did
 * not open, at once.
 */
export function afterCommit(em: EntityManager, callback: () => void): void {
  const pending = afterCommitCallbacks.get(em);
  if (pending) pending.push(callback);
  else callback();
}

/**
 * Owns every write transaction. SQLite has one connection, so transactions are queued instead of
 * interleaved on it; a transaction that lost a lock conflict is retried, since it was rolled back whole.
 */
@Injectable()
export class TransactionRunner {
  private readonly logger = new Logger(TransactionRunner.name);
  private sqliteQueue: Promise<unknown> = Promise.resolve();

  constructor(@InjectDataSource() readonly dataSource: DataSource) {
    this.deadlockRetry.onRetry((event) => {
      if ('error' in event) this.logger.warn({ code: conflictCode(event.error), attempt: event.attempt }, 'transaction retried after a lock conflict');
    });
  }

  get isMysql(): boolean {
    return this.dataSource.options.type !== 'better-sqlite3';
  }

  run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    // Inside a dry run the work runs for real and its transaction is rolled back at the end.
    const dryRun = activeDryRun();
    if (dryRun) return dryRun.rollBack(work, (w) => this.runCommitting(w));
    return this.runCommitting(work);
  }

  private runCommitting<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    if (!this.isMysql) {
      const next = this.sqliteQueue.then(() => this.withDeadlockRetry(work));
      this.sqliteQueue = next.catch(() => undefined);
      return next;
    }
    return this.withDeadlockRetry(work);
  }

  /** Up to MAX_ATTEMPTS runs (cockatiel counts the retries after the first), 5 ms × attempt + up to 20 ms of jitter apart. */
  private readonly deadlockRetry: RetryPolicy = retry(handleWhen(isLockConflict), {
    maxAttempts: MAX_ATTEMPTS - 1,
    backoff: new DelegateBackoff<{ attempt: number }>(({ attempt }) => 5 * attempt + Math.random() * 20),
  });

  private async withDeadlockRetry<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    let committed: (() => void)[] = [];
    const result = await this.deadlockRetry.execute(() =>
      this.dataSource.transaction(async (em) => {
        // Each attempt collects its own: a rolled-back attempt's callbacks are dropped with it.
        committed = [];
        afterCommitCallbacks.set(em, committed);
        const last: (() => Promise<void>)[] = [];
        beforeCommitWork.set(em, last);
        const result = await work(em);
        // Work queued by the last step runs too (a queue that is empty when read is done).
        for (let next = last.shift(); next; next = last.shift()) await next();
        beforeCommitWork.delete(em);
        return result;
      }),
    );
    for (const callback of committed) callback();
    return result;
  }

  /** Row lock for the rest of the transaction on MySQL; SQLite's queued transactions already exclude each other. */
  lockMode(): { mode: 'pessimistic_write' } | undefined {
    return this.isMysql ? { mode: 'pessimistic_write' } : undefined;
  }

  /**
   * Shared row lock on MySQL: the read sees the latest committed rows (not the transaction's
   * snapshot) and holds writers off until commit, so what is derived from them cannot go stale.
   */
  readLockMode(): { mode: 'pessimistic_read' } | undefined {
    return this.isMysql ? { mode: 'pessimistic_read' } : undefined;
  }
}
