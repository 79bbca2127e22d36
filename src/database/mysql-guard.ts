import { Logger } from '@nestjs/common';
import * as mysql2 from 'mysql2';
import type { Pool, PoolConnection, PoolOptions, QueryError } from 'mysql2';
import { ACQUIRE_TIMEOUT_CODE } from './driver-errors';

export interface MysqlLimits {
  /** Every statement gets mysql2's per-query `timeout`; on expiry its connection is destroyed. */
  queryTimeoutMs: number;
  /** Getting a connection from the pool (waiting for a free one, or opening one) is bounded by this. */
  acquireTimeoutMs: number;
}

/** Set on a connection that may run statements longer than the query timeout (the migration runner's). */
const NO_QUERY_TIMEOUT = Symbol('noQueryTimeout');
const GUARDED = Symbol('guarded');

type Callback = (err: QueryError | null, ...rest: unknown[]) => void;
type GuardedConnection = PoolConnection & { [NO_QUERY_TIMEOUT]?: boolean; [GUARDED]?: boolean };
/** mysql2's `query` as the guard forwards to it: any of its overloads' arguments, whatever it returns. */
type RawQuery = (this: GuardedConnection, sql: unknown, values: unknown, callback: unknown) => unknown;

const logger = new Logger('Database');

/**
 * mysql2 with limits TypeORM does not set: TypeORM sends queries without a timeout and waits for
 * a pooled connection forever, so a frozen server (or one behind a dropped network) would hold
 * every request until TCP gave up. Passed to TypeORM as its `driver`, this mysql2 makes
 *
 * - every query run with mysql2's `timeout` option. mysql2 only fails the query's callback on
 *   expiry and leaves the connection waiting for the answer, so the guard also destroys the
 *   connection: the ROLLBACK TypeORM sends next fails at once instead of queueing behind the
 *   lost statement, the connection leaves the pool, and the server rolls back the open
 *   transaction when it sees the socket closed. A timed-out transaction is therefore never
 *   committed in part: it is either rolled back whole, or (a COMMIT that timed out after
 *   reaching the server) committed whole.
 * - `pool.getConnection` fail with DB_ACQUIRE_TIMEOUT after `acquireTimeoutMs` (mysql2 has no
 *   acquire timeout of its own); a connection that turns up for a caller that gave up goes
 *   straight back to the pool.
 * - each new connection set `innodb_lock_wait_timeout` below the query timeout, so a row-lock
 *   wait fails with ER_LOCK_WAIT_TIMEOUT (which TransactionRunner retries) before the client
 *   timeout would destroy the connection.
 */
export function guardedMysql2(limits: MysqlLimits): typeof mysql2 {
  return {
    ...mysql2,
    createPool: ((config: PoolOptions) => guardPool(mysql2.createPool(config), limits)) as typeof mysql2.createPool,
  };
}

/** Lets statements on this connection run past the query timeout (schema migrations, advisory-lock waits). */
export function exemptFromQueryTimeout(connection: unknown, exempt = true): void {
  if (connection && typeof connection === 'object') (connection as GuardedConnection)[NO_QUERY_TIMEOUT] = exempt;
}

/** Seconds for innodb_lock_wait_timeout: half the query timeout, at least 1 s. */
export const lockWaitTimeoutSeconds = (queryTimeoutMs: number): number => Math.max(1, Math.floor(queryTimeoutMs / 2000));

function guardPool(pool: Pool, limits: MysqlLimits): Pool {
  const lockWait = lockWaitTimeoutSeconds(limits.queryTimeoutMs);
  pool.on('connection', (connection) => {
    guardConnection(connection, limits);
    // Queued before any caller's statement; a failure only leaves the server's default in place.
    connection.query(`SET SESSION innodb_lock_wait_timeout = ${lockWait}`, (err: QueryError | null) => {
      if (err) logger.warn({ code: err.code }, 'could not set innodb_lock_wait_timeout');
    });
  });

  const getConnection = pool.getConnection.bind(pool);
  pool.getConnection = ((callback: (err: NodeJS.ErrnoException | null, connection?: PoolConnection) => void) => {
    let settled = false;
    const timer = setTimeout(() => {
      settled = true;
      const error = new Error(`no database connection within ${limits.acquireTimeoutMs} ms`) as NodeJS.ErrnoException;
      error.code = ACQUIRE_TIMEOUT_CODE;
      callback(error);
    }, limits.acquireTimeoutMs);
    getConnection((err, connection) => {
      if (settled) {
        // The caller already got the timeout; a late connection is returned, a late error dropped.
        if (!err && connection) connection.release();
        return;
      }
      settled = true;
      clearTimeout(timer);
      callback(err, connection);
    });
  }) as Pool['getConnection'];
  return pool;
}

function guardConnection(connection: GuardedConnection, limits: MysqlLimits): void {
  if (connection[GUARDED]) return;
  connection[GUARDED] = true;
  const query = (connection as { query: RawQuery }).query;
  connection.query = function guardedQuery(this: GuardedConnection, sql: unknown, values?: unknown, callback?: unknown) {
    if (typeof values === 'function') {
      callback = values;
      values = undefined;
    }
    // Streams (no callback) and already-built Query commands pass through untouched.
    const isText = typeof sql === 'string' || (typeof sql === 'object' && sql !== null && 'sql' in sql && !('onResult' in sql));
    if (typeof callback !== 'function' || !isText) return query.call(this, sql, values, callback);
    const timeout = connection[NO_QUERY_TIMEOUT] ? undefined : limits.queryTimeoutMs;
    const options = typeof sql === 'string' ? { sql, timeout } : { timeout, ...(sql as object) };
    let answered = false;
    const done = callback as Callback;
    return query.call(this, options, values, (err: QueryError | null, ...rest: unknown[]) => {
      // mysql2 can report a timed-out query twice (the timeout, then the lost connection).
      if (answered) return;
      answered = true;
      if (err?.code === 'PROTOCOL_SEQUENCE_TIMEOUT') {
        logger.warn({ timeoutMs: timeout }, 'query timed out: connection destroyed');
        connection.destroy();
      }
      done(err, ...rest);
    });
  } as PoolConnection['query'];
}
