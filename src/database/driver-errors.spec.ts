import { QueryFailedError } from 'typeorm';
import { ACQUIRE_TIMEOUT_CODE, isDatabaseUnavailable, isUniqueViolation } from './driver-errors';

const withCode = (message: string, props: Record<string, unknown>) => Object.assign(new Error(message), props);
const wrapped = (driverError: Error) => new QueryFailedError('SELECT 1', [], driverError);

describe('isDatabaseUnavailable', () => {
  const unavailable: [string, unknown][] = [
    ['read ECONNRESET', withCode('read ECONNRESET', { code: 'ECONNRESET', errno: -104, syscall: 'read' })],
    ['connect ECONNREFUSED', withCode('connect ECONNREFUSED 127.0.0.1:3306', { code: 'ECONNREFUSED', errno: -111 })],
    ['write EPIPE', withCode('write EPIPE', { code: 'EPIPE', errno: -32 })],
    ['connect ETIMEDOUT (mysql2 connectTimeout)', withCode('connect ETIMEDOUT', { code: 'ETIMEDOUT', errorno: 'ETIMEDOUT' })],
    ['server closed the connection', withCode('Connection lost: The server closed the connection.', { code: 'PROTOCOL_CONNECTION_LOST', fatal: true })],
    ['mysql2 query timeout', withCode('Query inactivity timeout', { code: 'PROTOCOL_SEQUENCE_TIMEOUT' })],
    ['pool acquire timeout', withCode('no database connection within 5000 ms', { code: ACQUIRE_TIMEOUT_CODE })],
    ['too many connections', withCode('Too many connections', { code: 'ER_CON_COUNT_ERROR', errno: 1040 })],
    ['lock wait timeout', withCode('Lock wait timeout exceeded', { code: 'ER_LOCK_WAIT_TIMEOUT', errno: 1205 })],
    ['server shutting down, errno only', withCode('Server shutdown in progress', { errno: 1053 })],
    ['MariaDB max_statement_time', withCode('Query execution was interrupted (max_statement_time exceeded)', { code: 'ER_STATEMENT_TIMEOUT', errno: 1969 })],
    ['command on a destroyed connection (no code)', withCode("Can't add new command when connection is in closed state", { fatal: true })],
    ['pool closed (no code)', new Error('Pool is closed.')],
    ['SQLITE_BUSY', withCode('database is locked', { code: 'SQLITE_BUSY' })],
    ['SQLITE_BUSY_SNAPSHOT', withCode('database is locked', { code: 'SQLITE_BUSY_SNAPSHOT' })],
    ['QueryFailedError around ECONNRESET', wrapped(withCode('read ECONNRESET', { code: 'ECONNRESET' }))],
    ['QueryFailedError around a query timeout', wrapped(withCode('Query inactivity timeout', { code: 'PROTOCOL_SEQUENCE_TIMEOUT' }))],
    ['QueryFailedError around SQLITE_BUSY', wrapped(withCode('database is locked', { code: 'SQLITE_BUSY' }))],
    ['QueryFailedError around a closed connection', wrapped(withCode("Can't add new command when connection is in closed state", { fatal: true }))],
    ['driverError only (no copied code)', { message: 'failed', driverError: { code: 'PROTOCOL_CONNECTION_LOST' } }],
    ['cause chain', new Error('transaction failed', { cause: withCode('write EPIPE', { code: 'EPIPE' }) })],
  ];
  it.each(unavailable)('is true for %s', (_, error) => expect(isDatabaseUnavailable(error)).toBe(true));

  const other: [string, unknown][] = [
    ['a duplicate key', withCode("Duplicate entry 'x' for key 'PRIMARY'", { code: 'ER_DUP_ENTRY', errno: 1062 })],
    ['a syntax error', wrapped(withCode('You have an error in your SQL syntax', { code: 'ER_PARSE_ERROR', errno: 1064 }))],
    ['a deadlock (retried by the transaction runner, not a 503 on its own)', withCode('Deadlock found', { code: 'ER_LOCK_DEADLOCK', errno: 1213 })],
    ['a coded error quoting user data that looks like an outage', withCode("Duplicate entry 'database is locked' for key 'name'", { code: 'ER_DUP_ENTRY' })],
    ['a SQLite constraint', withCode('UNIQUE constraint failed: tb_task.id', { code: 'SQLITE_CONSTRAINT_UNIQUE' })],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    [
      'a self-referencing cause',
      (() => {
        const e = new Error('loop') as Error & { cause?: unknown };
        e.cause = e;
        return e;
      })(),
    ],
    ['null', null],
    ['a string', 'ECONNRESET'],
  ];
  it.each(other)('is false for %s', (_, error) => expect(isDatabaseUnavailable(error)).toBe(false));
});

describe('isUniqueViolation', () => {
  it.each([
    [withCode('dup', { code: 'ER_DUP_ENTRY' }), true],
    [wrapped(withCode('dup', { code: 'SQLITE_CONSTRAINT_PRIMARYKEY' })), true],
    [withCode('reset', { code: 'ECONNRESET' }), false],
  ])('%#', (error, expected) => expect(isUniqueViolation(error)).toBe(expected));
});
