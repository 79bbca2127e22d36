import type { Pool, PoolConnection } from 'mysql2';
import { DataSource } from 'typeorm';
import type { MysqlDriver } from 'typeorm/driver/mysql/MysqlDriver';
import { loadConfig } from '../src/config/app-config';
import { buildDataSourceOptions } from '../src/database/data-source-options';
import { TaskEntity } from '../src/task/task.entity';
import { createTestDatabase, TestDatabase } from './support/databases';

describe('the MySQL connection pool', () => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase('mysql');
    const config = loadConfig({ NODE_ENV: 'test', ...db.env, DB_MIGRATIONS_RUN: 'true', DB_POOL_SIZE: '3' });
    dataSource = new DataSource(buildDataSourceOptions(config.db));
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  const borrow = (pool: Pool) => new Promise<PoolConnection>((resolve, reject) => pool.getConnection((err, conn) => (err ? reject(err) : resolve(conn))));

  /** Statements the server prepared for this connection's session (a text-protocol query prepares none). */
  const preparedOn = (conn: PoolConnection) =>
    new Promise<number>((resolve, reject) =>
      conn.query("SHOW SESSION STATUS LIKE 'Com_stmt_prepare'", (err, rows) => (err ? reject(err) : resolve(Number((rows as { Value: string }[])[0].Value)))),
    );

  it('runs TypeORM queries with a one-slot statement cache on every connection', async () => {
    // Three at once, so the pool opens all three connections: raw SQL and the query builder alike.
    const counts = await Promise.all([
      dataSource.query('SELECT COUNT(*) AS n FROM tb_task'),
      dataSource.getRepository(TaskEntity).createQueryBuilder('t').select('COUNT(*)', 'n').getRawMany(),
      dataSource
        .getRepository(TaskEntity)
        .count()
        .then((n) => [{ n }]),
    ]);
    expect(counts.map((rows) => Number(rows[0].n))).toEqual([0, 0, 0]);

    const pool = (dataSource.driver as MysqlDriver).pool as Pool;
    const connections = await Promise.all([1, 2, 3].map(() => borrow(pool)));
    try {
      // mysql2 sizes each connection's statement cache by its maxPreparedStatements (default 16,000
      // slots, pre-allocated); TypeORM never prepares, so the server has prepared none on any of them.
      const cache = await Promise.all(connections.map(async (c) => [c.config.maxPreparedStatements, await preparedOn(c)]));
      expect(cache).toEqual([
        [1, 0],
        [1, 0],
        [1, 0],
      ]);
    } finally {
      for (const c of connections) c.release();
    }
  });
});
