import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { MigratingDataSource } from '../src/database/migration-lock';
import { MYSQL_MIGRATIONS, SQLITE_MIGRATIONS } from '../src/database/migrations';
import { TestApp, TestResponse } from './support/app';
import type { TestDatabase } from './support/databases';
import { eventually } from './support/eventually';
import { videoTask } from './support/fixtures';
import { PrivateMariaDb } from './support/private-mariadb';

/** Limits short enough for a quick suite; the defaults are 5000 ms. */
const QUERY_TIMEOUT_MS = 1000;
const ACQUIRE_TIMEOUT_MS = 1000;
const FREEZE_MS = 15_000;
/** Timeout plus room for a busy CI machine, still far below the freeze. */
const ANSWERED_WITHIN_MS = QUERY_TIMEOUT_MS + ACQUIRE_TIMEOUT_MS + 1500;

const LIMITS = { DB_QUERY_TIMEOUT_MS: String(QUERY_TIMEOUT_MS), DB_ACQUIRE_TIMEOUT_MS: String(ACQUIRE_TIMEOUT_MS), DB_POOL_SIZE: '3' };

/** A database on the private server; the server is thrown away whole, so nothing to drop. */
async function database(server: PrivateMariaDb, name: string): Promise<TestDatabase> {
  return { kind: 'mysql', env: await server.createDatabase(name), drop: () => Promise.resolve() };
}

async function timed(request: Promise<TestResponse>): Promise<TestResponse & { ms: number }> {
  const started = Date.now();
  const res = await request;
  return { ...res, ms: Date.now() - started };
}

const expectUnavailable = (res: TestResponse & { ms: number }) => {
  expect({ status: res.status, error: res.body?.error, ecode: res.body?.ecode, within: res.ms < ANSWERED_WITHIN_MS }).toEqual({
    status: 503,
    error: 'SERVICE_UNAVAILABLE',
    ecode: 503,
    within: true,
  });
  expect(typeof res.body.enote).toBe('string');
  expect(typeof res.body.request_id).toBe('string');
};

/** Starts a migrating process on `file`; resolves once it is connected, with a trigger that starts its migrations. */
function sqliteReplica(file: string): Promise<{ go: () => Promise<{ applied?: number; error?: string }> }> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register', join(__dirname, 'support/sqlite-migrate-child.ts'), file], {
    env: { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true', TS_NODE_PROJECT: join(__dirname, '../tsconfig.json') },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines: string[] = [];
  const waiters: (() => void)[] = [];
  let buffer = '';
  child.stdout.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    for (let i = buffer.indexOf('\n'); i >= 0; i = buffer.indexOf('\n')) {
      lines.push(buffer.slice(0, i));
      buffer = buffer.slice(i + 1);
      waiters.splice(0).forEach((wake) => wake());
    }
  });
  const nextLine = async (): Promise<string> => {
    while (!lines.length) {
      if (child.exitCode !== null) throw new Error(`replica exited with ${child.exitCode}`);
      await new Promise<void>((resolve) => {
        waiters.push(resolve);
        child.once('exit', () => resolve());
      });
    }
    return lines.shift() as string;
  };
  return nextLine().then((line) => {
    expect(line).toBe('ready');
    return {
      go: async () => {
        child.stdin.end('go\n');
        const outcome = JSON.parse(await nextLine()) as { applied?: number; error?: string };
        await new Promise((resolve) => (child.exitCode === null ? child.once('exit', resolve) : resolve(null)));
        return outcome;
      },
    };
  });
}

describe('SQLite migrations', () => {
  it('run once when two processes migrate the same empty file at the same moment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tm-sqlite-race-'));
    try {
      const file = join(dir, 'tasks.sqlite');
      const replicas = await Promise.all([sqliteReplica(file), sqliteReplica(file)]);
      const outcomes = await Promise.all(replicas.map((r) => r.go()));
      // One applied everything, the other waited for its lock and found nothing pending.
      expect(outcomes.map((o) => o.applied ?? o.error).sort()).toEqual([0, SQLITE_MIGRATIONS.length]);
      const db = await new DataSource({ type: 'better-sqlite3', database: file }).initialize();
      try {
        const rows: { n: number }[] = await db.query('SELECT name, COUNT(*) AS n FROM migrations GROUP BY name');
        expect(rows).toHaveLength(SQLITE_MIGRATIONS.length);
        expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
      } finally {
        await db.destroy();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the database layer under faults (private MariaDB, latin1 server default)', () => {
  let server: PrivateMariaDb;

  beforeAll(async () => {
    // The server's own default is latin1, which the schema must not depend on.
    server = await PrivateMariaDb.start(['--character-set-server=latin1', '--collation-server=latin1_swedish_ci']);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('boots two replicas at once on an empty database: each migration applied once, by one of them', async () => {
    const db = await database(server, 'tm_boot_race');
    const runs = jest.spyOn(MigratingDataSource.prototype, 'runMigrations');
    let apps: TestApp[] = [];
    try {
      apps = await Promise.all([TestApp.start('mysql', LIMITS, db), TestApp.start('mysql', LIMITS, db)]);
      // Exactly one run per replica and none failed: TypeOrmModule would otherwise retry the boot.
      expect(runs).toHaveBeenCalledTimes(2);
      const outcomes = await Promise.allSettled(runs.mock.results.map((r) => r.value as Promise<unknown[]>));
      expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled']);
      const applied = outcomes.map((o) => (o as PromiseFulfilledResult<unknown[]>).value.length).sort();
      expect(applied).toEqual([0, MYSQL_MIGRATIONS.length]);

      const rows = await server.query<{ name: string; n: number }[]>('SELECT name, COUNT(*) AS n FROM tm_boot_race.migrations GROUP BY name ORDER BY name');
      expect(rows).toHaveLength(MYSQL_MIGRATIONS.length);
      expect(rows.every((r) => Number(r.n) === 1)).toBe(true);
      for (const app of apps) expect((await app.request('GET', '/tasks', { token: 'viewer' })).status).toBe(200);
    } finally {
      runs.mockRestore();
      await Promise.all(apps.map((app) => app.close()));
    }
  });

  it('migrates fully on a latin1 database and round-trips Chinese names and emoji', async () => {
    const db = await database(server, 'tm_latin1');
    const app = await TestApp.start('mysql', LIMITS, db);
    try {
      const tables = await server.query<{ name: string; collation: string }[]>(
        "SELECT TABLE_NAME AS name, TABLE_COLLATION AS collation FROM information_schema.TABLES WHERE TABLE_SCHEMA = 'tm_latin1' AND TABLE_NAME LIKE 'tb\\_%'",
      );
      expect(tables.length).toBeGreaterThan(0);
      expect(tables.filter((t) => t.collation !== 'utf8mb4_unicode_ci')).toEqual([]);
      const pending = await app.dataSource.driver.createSchemaBuilder().log();
      expect(pending.upQueries.map((q) => q.query)).toEqual([]);

      const name = '北门 客流 🚪🚶';
      const body = videoTask({ task_name: name });
      (body.mtasks as { scenes: { name: string }[] }[])[0].scenes[0].name = '东侧 🎥';
      const created = await app.request('POST', '/tasks', { body });
      expect(created.status).toBe(200);
      const read = await app.request('GET', `/tasks/${created.body.task_id}`, { token: 'viewer' });
      expect(read.status).toBe(200);
      expect(read.body.task_name).toBe(name);
      expect(JSON.stringify(read.body)).toContain('东侧 🎥');
      const listed = await app.request('GET', `/tasks?keyword=${encodeURIComponent('北门')}`, { token: 'viewer' });
      expect(listed.body.list_data?.map((t: { task_name: string }) => t.task_name)).toEqual([name]);
    } finally {
      await app.close();
    }
  });

  it('answers 503 within the timeout while the server is frozen, rolls back what was in flight, and recovers on SIGCONT', async () => {
    const db = await database(server, 'tm_frozen');
    const app = await TestApp.start('mysql', LIMITS, db);
    let frozen = false;
    let frozenAt = 0;
    try {
      expect((await app.request('POST', '/tasks', { body: videoTask({ task_name: 'before the freeze' }) })).status).toBe(200);
      const before = await app.counts();

      // A transaction that wrote one row when the server stopped answering.
      const inFlight = app.dataSource.transaction(async (em) => {
        await em.query(
          "INSERT INTO tb_dict_item (id, dict_type, code, label_zh, label_en, sort_order, create_dt, update_dt) VALUES ('half-1', 'fault', 'a', 'a', 'a', 0, NOW(3), NOW(3))",
        );
        frozen = true;
        await server.freeze();
        frozenAt = Date.now();
        await em.query(
          "INSERT INTO tb_dict_item (id, dict_type, code, label_zh, label_en, sort_order, create_dt, update_dt) VALUES ('half-2', 'fault', 'b', 'b', 'b', 0, NOW(3), NOW(3))",
        );
      });
      await expect(inFlight).rejects.toMatchObject({ driverError: { code: 'PROTOCOL_SEQUENCE_TIMEOUT' } });
      expect(Date.now() - frozenAt).toBeLessThan(ANSWERED_WITHIN_MS);

      // More requests than pooled connections: some time out on their query, the rest waiting for a connection.
      const first = await Promise.all([
        timed(app.request('GET', '/health')),
        timed(app.request('GET', '/health/ready')),
        timed(app.request('POST', '/tasks', { body: videoTask({ task_name: 'during the freeze' }) })),
        ...[1, 2, 3, 4, 5].map(() => timed(app.request('GET', '/tasks', { token: 'viewer' }))),
      ]);
      expect(first[0].status).toBe(200);
      expect(first[0].ms).toBeLessThan(500);
      for (const res of first.slice(1)) expectUnavailable(res);

      // Later in the freeze, with every old connection destroyed: new ones cannot even be opened.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      const second = await Promise.all([
        timed(app.request('GET', '/health/ready')),
        timed(app.request('GET', '/tasks', { token: 'viewer' })),
        timed(app.request('GET', '/health')),
      ]);
      for (const res of second.slice(0, 2)) expectUnavailable(res);
      expect(second[2].status).toBe(200);

      await new Promise((resolve) => setTimeout(resolve, Math.max(0, frozenAt + FREEZE_MS - Date.now())));
      server.thaw();
      frozen = false;
      const thawedAt = Date.now();

      // No restart: the same app answers again once the server does.
      const recovered = await eventually(async () => {
        const res = await app.request('GET', '/tasks', { token: 'viewer' });
        expect(res.status).toBe(200);
        return res;
      }, 10_000);
      expect(recovered.body.list_data.map((t: { task_name: string }) => t.task_name)).toEqual(['before the freeze']);
      const recoveredMs = Date.now() - thawedAt;
      expect(recoveredMs).toBeLessThan(ANSWERED_WITHIN_MS);
      expect((await app.request('GET', '/health/ready')).status).toBe(200);

      // Nothing half-written: the frozen transaction was rolled back whole, the frozen POST left nothing.
      // A transaction still open names its connection (what it runs, since when) when this fails.
      await eventually(async () => {
        const open = await server.query<unknown[]>(
          'SELECT t.trx_id, t.trx_state, t.trx_started, t.trx_rows_modified, t.trx_query, p.ID AS thread, p.DB AS db, p.COMMAND AS command, p.TIME AS seconds, p.STATE AS state, p.INFO AS info FROM information_schema.INNODB_TRX t LEFT JOIN information_schema.PROCESSLIST p ON p.ID = t.trx_mysql_thread_id',
        );
        expect(open).toEqual([]);
      }, 10_000);
      expect(await server.query("SELECT id FROM tm_frozen.tb_dict_item WHERE dict_type = 'fault'")).toEqual([]);
      expect(await app.counts()).toEqual(before);

      expect((await app.request('POST', '/tasks', { body: videoTask({ task_name: 'after the freeze' }) })).status).toBe(200);
      expect((await app.counts()).tb_task).toBe(before.tb_task + 1);
    } finally {
      if (frozen) server.thaw();
      await app.close();
    }
  }, 45_000);
});
