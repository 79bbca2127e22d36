import mysql from 'mysql2/promise';

export const DB_HOST = process.env.BENCH_DB_HOST ?? '127.0.0.1';
export const DB_PORT = Number(process.env.BENCH_DB_PORT ?? 3306);
export const DB_USER = process.env.BENCH_DB_USER ?? 'root';
export const DB_PASSWORD = process.env.BENCH_DB_PASSWORD ?? '';

/** The same connection settings the service's TypeORM data source uses (utf8mb4, UTC). */
export function connect(database?: string): Promise<mysql.Connection> {
  return mysql.createConnection({
    host: DB_HOST,
    port: DB_PORT,
    user: DB_USER,
    password: DB_PASSWORD,
    database,
    charset: 'utf8mb4_unicode_ci',
    timezone: 'Z',
    multipleStatements: false,
  });
}

export async function recreateDatabase(name: string): Promise<void> {
  const conn = await connect();
  try {
    await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
    await conn.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  } finally {
    await conn.end();
  }
}

export async function serverVersion(): Promise<string> {
  const conn = await connect();
  try {
    const [rows] = await conn.query<mysql.RowDataPacket[]>('SELECT VERSION() AS v, @@innodb_buffer_pool_size AS bp');
    return `${rows[0].v} (innodb_buffer_pool_size ${Math.round(Number(rows[0].bp) / 1048576)} MB)`;
  } finally {
    await conn.end();
  }
}

/**
 * Every statement other connections send while `work` runs, read from MariaDB's general log
 * (written to the mysql.general_log table for the duration only). The reconciler must be off
 * (no OPS_BASE_URL) so nothing else talks to the database meanwhile.
 */
export async function captureStatements(work: () => Promise<unknown>): Promise<string[]> {
  const conn = await connect();
  try {
    const [[me]] = await conn.query<mysql.RowDataPacket[]>('SELECT CONNECTION_ID() AS id');
    await conn.query("SET GLOBAL log_output = 'TABLE'");
    await conn.query('TRUNCATE TABLE mysql.general_log');
    await conn.query('SET GLOBAL general_log = 1');
    try {
      await work();
    } finally {
      await conn.query('SET GLOBAL general_log = 0');
    }
    const [rows] = await conn.query<mysql.RowDataPacket[]>(
      "SELECT CONVERT(argument USING utf8mb4) AS sql_text FROM mysql.general_log WHERE command_type IN ('Query', 'Execute') AND thread_id <> ? ORDER BY event_time",
      [me.id],
    );
    await conn.query('TRUNCATE TABLE mysql.general_log');
    return rows.map((r) => String(r.sql_text));
  } finally {
    await conn.end();
  }
}
