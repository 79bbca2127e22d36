import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { ENTITIES } from './entities';
import { MYSQL_MIGRATIONS, SQLITE_MIGRATIONS } from './migrations';
import { guardedMysql2 } from './mysql-guard';

/** One place that turns the validated config into TypeORM options, for the app and the migration CLI alike. */
export function buildDataSourceOptions(db: AppConfig['db']): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    synchronize: false,
    migrationsRun: db.migrationsRun,
    logging: db.logging ? ('all' as const) : (['error', 'warn'] as ('error' | 'warn')[]),
  };
  if (db.type === 'mysql') {
    return {
      ...common,
      type: db.server,
      host: db.host,
      port: db.port,
      username: db.user,
      password: db.password,
      database: db.database,
      charset: 'utf8mb4_unicode_ci',
      timezone: 'Z',
      poolSize: db.poolSize,
      migrations: MYSQL_MIGRATIONS,
      // mysql2 with a timeout on every query and on pool acquisition (see mysql-guard.ts); opening
      // a connection to a server that accepts TCP but never greets is bounded by the same limit.
      connectorPackage: 'mysql2',
      driver: guardedMysql2({ queryTimeoutMs: db.queryTimeoutMs, acquireTimeoutMs: db.acquireTimeoutMs }),
      connectTimeout: db.acquireTimeoutMs,
      // TypeORM sends text queries, never prepared statements, yet mysql2's statement cache fills
      // 4 arrays of 16,000 slots per pooled connection (512 KB of heap each, 5 MB for a pool of 10)
      // that every full GC has to walk. 0 means the default to mysql2, hence 1.
      extra: { connectionLimit: db.poolSize, waitForConnections: true, maxPreparedStatements: 1 },
    };
  }
  if (db.path !== ':memory:') mkdirSync(dirname(db.path), { recursive: true });
  return {
    ...common,
    type: 'better-sqlite3',
    database: db.path,
    migrations: SQLITE_MIGRATIONS,
    prepareDatabase: (conn: { pragma: (sql: string) => unknown }) => {
      // WAL lets readers proceed during a write; foreign keys are off by default in SQLite.
      conn.pragma('journal_mode = WAL');
      conn.pragma('foreign_keys = ON');
      conn.pragma('busy_timeout = 5000');
    },
  };
}
