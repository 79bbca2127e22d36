import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';

/** Where the suites find MariaDB; CI and every developer machine have it at these defaults. */
export const MYSQL = {
  host: process.env.TEST_DB_HOST ?? '127.0.0.1',
  port: Number(process.env.TEST_DB_PORT ?? 3306),
  user: process.env.TEST_DB_USER ?? 'root',
  password: process.env.TEST_DB_PASSWORD ?? '',
};

export type DatabaseKind = 'sqlite' | 'mysql';

/**
 * A datetime column read with a raw query, as epoch ms: MariaDB's driver gives a Date, SQLite the
 * UTC text TypeORM wrote ('YYYY-MM-DD HH:mm:ss.SSS').
 */
export const storedInstant = (value: unknown): number | null =>
  value === null
    ? null
    : value instanceof Date
      ? value.getTime()
      : typeof value === 'string' || typeof value === 'number'
        ? Date.parse(`${String(value).replace(' ', 'T')}Z`)
        : NaN;
export const DATABASE_KINDS: DatabaseKind[] = ['sqlite', 'mysql'];

export interface TestDatabase {
  kind: DatabaseKind;
  env: Record<string, string>;
  drop(): Promise<void>;
}

/** A database of its own for one suite: a temp SQLite file, or a MariaDB schema created now and dropped after. */
export async function createTestDatabase(kind: DatabaseKind): Promise<TestDatabase> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'task-manager-'));
    return {
      kind,
      env: { DB_TYPE: 'sqlite', DB_PATH: join(dir, 'tasks.sqlite') },
      drop: () => {
        rmSync(dir, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  }
  const name = `tm_test_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
  const admin = await createConnection(MYSQL);
  await admin.query(`CREATE DATABASE \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.end();
  return {
    kind,
    env: {
      DB_TYPE: 'mariadb',
      DB_HOST: MYSQL.host,
      DB_PORT: String(MYSQL.port),
      DB_USER: MYSQL.user,
      DB_PASSWORD: MYSQL.password,
      DB_NAME: name,
    },
    drop: async () => {
      const conn = await createConnection(MYSQL);
      await conn.query(`DROP DATABASE IF EXISTS \`${name}\``);
      await conn.end();
    },
  };
}
