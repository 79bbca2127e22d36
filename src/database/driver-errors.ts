/** A unique index refused the row: two writers raced for the same key. MySQL and SQLite name it differently. */
export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; driverError?: { code?: unknown } } | null;
  const code = e?.driverError?.code ?? e?.code;
  return code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}

/** Raised when no pooled MySQL connection could be had within DB_ACQUIRE_TIMEOUT_MS (see mysql-guard.ts). */
export const ACQUIRE_TIMEOUT_CODE = 'DB_ACQUIRE_TIMEOUT';

/**
 * Error codes that mean "the database cannot answer right now" rather than "this request is wrong":
 * the socket broke or never opened, the query ran out of time, the pool had no connection to
 * give, the server refused more clients or is going down, or SQLite's file stayed locked past
 * busy_timeout. The request may succeed when retried later, so they answer 503.
 */
const UNAVAILABLE_CODES = new Set([
  // Node sockets
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  // mysql2: socket closed mid-conversation, per-query `timeout` expired, handshake timed out
  'PROTOCOL_CONNECTION_LOST',
  'PROTOCOL_SEQUENCE_TIMEOUT',
  'PROTOCOL_ENQUEUE_AFTER_FATAL_ERROR',
  'PROTOCOL_ENQUEUE_AFTER_QUIT',
  // the pool guard
  ACQUIRE_TIMEOUT_CODE,
  // the server
  'ER_CON_COUNT_ERROR',
  'ER_TOO_MANY_USER_CONNECTIONS',
  'ER_SERVER_SHUTDOWN',
  'ER_CONNECTION_KILLED',
  'ER_QUERY_INTERRUPTED',
  'ER_STATEMENT_TIMEOUT',
  'ER_QUERY_TIMEOUT',
  'ER_LOCK_WAIT_TIMEOUT',
  'ER_OPTION_PREVENTS_STATEMENT',
  'ER_READ_ONLY_MODE',
  // SQLite: another process holds the file past busy_timeout
  'SQLITE_BUSY',
  'SQLITE_BUSY_SNAPSHOT',
  'SQLITE_BUSY_RECOVERY',
  'SQLITE_BUSY_TIMEOUT',
  'SQLITE_LOCKED',
]);

/** The same conditions by MySQL server error number, for errors that carry only `errno`. */
const UNAVAILABLE_ERRNOS = new Set([
  1040, // ER_CON_COUNT_ERROR
  1053, // ER_SERVER_SHUTDOWN
  1203, // ER_TOO_MANY_USER_CONNECTIONS
  1205, // ER_LOCK_WAIT_TIMEOUT
  1290, // ER_OPTION_PREVENTS_STATEMENT (read-only replica during failover)
  1317, // ER_QUERY_INTERRUPTED
  1836, // ER_READ_ONLY_MODE
  1927, // ER_CONNECTION_KILLED (MariaDB)
  1969, // ER_STATEMENT_TIMEOUT (MariaDB max_statement_time)
  3024, // ER_QUERY_TIMEOUT (MySQL max_execution_time)
  2002, // CR_CONNECTION_ERROR
  2003, // CR_CONN_HOST_ERROR
  2006, // CR_SERVER_GONE_ERROR
  2013, // CR_SERVER_LOST
]);

/** Messages of errors that come without a usable code (mysql2 and TypeORM raise a few of those). */
const UNAVAILABLE_MESSAGE =
  /\b(?:ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|SQLITE_BUSY)\b|connection lost|connection is in closed state|can't write in closed state|query inactivity timeout|pool is closed|server has gone away|lost connection to (?:mysql|mariadb )?server|database is locked|too many connections/i;

interface ErrorLike {
  code?: unknown;
  errno?: unknown;
  message?: unknown;
  driverError?: unknown;
  cause?: unknown;
}

/**
 * Whether an error means the database is unreachable or overloaded (answered 503) rather than a
 * bug or a bad request (500). Looks at the error itself, TypeORM's `driverError` and any `cause`,
 * by code, by server errno and, for errors without a code, by message.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  while (queue.length) {
    const current = queue.shift();
    if (current === null || typeof current !== 'object' || seen.has(current)) continue;
    seen.add(current);
    const e = current as ErrorLike;
    if (typeof e.code === 'string' && UNAVAILABLE_CODES.has(e.code)) return true;
    if (typeof e.errno === 'number' && UNAVAILABLE_ERRNOS.has(e.errno)) return true;
    // Only errors without a code are judged by message: a server error's text can quote user data.
    if (typeof e.code !== 'string' && typeof e.message === 'string' && UNAVAILABLE_MESSAGE.test(e.message)) return true;
    queue.push(e.driverError, e.cause);
  }
  return false;
}
