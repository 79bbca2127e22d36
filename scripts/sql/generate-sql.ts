/**
 * Runs every method of every repository against a fresh, migrated MariaDB and SQLite database,
 * records the SQL TypeORM sends, and renders one file per repository (src/queries/*.sql): the
 * MariaDB statements with their parameter counts and EXPLAIN's access type and key, and the SQLite
 * text and plan where it differs. `npm run sql:sync` writes them; test/queries.e2e-spec.ts fails
 * when they are stale.
 */
import { DataSource, EntityManager, Logger as TypeOrmLoggerContract } from 'typeorm';
import { MetricsService } from '../../src/common/observability/metrics.service';
import { ManualClock } from '../../src/common/time/clock';
import { loadConfig } from '../../src/config/app-config';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { seededRandom } from '../../src/common/testing/seeded-random';
import { TransactionRunner } from '../../src/database/transaction.runner';
import { DictionaryRepository } from '../../src/dictionary/dictionary.repository';
import { IdempotencyRepository } from '../../src/common/idempotency/idempotency.repository';
import { JournalRepository } from '../../src/journal/journal.repository';
import { SceneRepository } from '../../src/scene/scene.repository';
import { StatusMarkRepository } from '../../src/status/status-mark.repository';
import { SubtaskRepository } from '../../src/subtask/subtask.repository';
import type { SubtaskRow } from '../../src/subtask/subtask.mapper';
import { TaskEntity } from '../../src/task/task.entity';
import { TaskRepository } from '../../src/task/task.repository';
import { createTestDatabase, DatabaseKind } from '../../test/support/databases';
import { Factory } from '../../test/medium/factory';
import { REPOSITORY_CALLS, SqlContext } from './repository-calls';

export { REPOSITORY_CALLS };

/** A statement as sent: the text (placeholders, not values) and its parameters. */
interface Recorded {
  sql: string;
  params: unknown[];
}

/** Collects what TypeORM sends while `recording` is on; transaction control is left out. */
class RecordingLogger implements TypeOrmLoggerContract {
  recording = false;
  readonly queries: Recorded[] = [];

  logQuery(query: string, parameters?: unknown[]): void {
    if (!this.recording) return;
    if (/^(START TRANSACTION|BEGIN|COMMIT|ROLLBACK|SAVEPOINT|RELEASE SAVEPOINT|SET TRANSACTION)\b/i.test(query.trim())) return;
    this.queries.push({ sql: query, params: parameters ?? [] });
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;
const STAMP = /\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(\.\d+)?Z?/g;

/** The statement text with nothing that changes from run to run. */
const normalize = (sql: string): string => sql.replace(UUID, '<uuid>').replace(STAMP, '<timestamp>').replace(/\s+/g, ' ').trim();

/** One call's statements on one database, each with its plan. */
interface Capture {
  statements: { sql: string; params: number; plan: string[] }[];
}

/** The fixed instant every generated row and call uses. */
const AT = Date.parse('2026-03-02T08:00:00.000Z');

async function explainMysql(ds: DataSource, q: Recorded): Promise<string[]> {
  if (!/^\s*(SELECT|UPDATE|DELETE)\b/i.test(q.sql)) return [];
  const rows: { table: string | null; type: string | null; key: string | null }[] = await ds.query(`EXPLAIN ${q.sql}`, q.params);
  return rows.map((r) => `${r.table ?? '-'}: type=${r.type ?? '-'} key=${r.key ?? '-'}`);
}

async function explainSqlite(ds: DataSource, q: Recorded): Promise<string[]> {
  if (!/^\s*(SELECT|UPDATE|DELETE)\b/i.test(q.sql)) return [];
  const rows: { detail: string }[] = await ds.query(`EXPLAIN QUERY PLAN ${q.sql}`, q.params);
  return rows.map((r) => normalize(r.detail));
}

/** Every call of the table on one fresh database of `kind`: its statements, keyed "Repository.method[ variant]". */
async function captureAll(kind: DatabaseKind): Promise<Map<string, Capture>> {
  const db = await createTestDatabase(kind);
  const logger = new RecordingLogger();
  const config = loadConfig({ NODE_ENV: 'test', ...db.env });
  const dbConfig = config.db;
  const ds = new DataSource({ ...buildDataSourceOptions(dbConfig), migrationsRun: false, logger, logging: 'all' });
  const out = new Map<string, Capture>();
  try {
    await ds.initialize();
    await ds.runMigrations();
    const tx = new TransactionRunner(ds);
    const clock = new ManualClock(AT);
    const factory = new Factory(ds, clock, tx);
    const ctx: SqlContext = await seed(factory, clock);
    if (kind === 'mysql')
      await ds.query('ANALYZE TABLE tb_task, tb_subtask, tb_mtask, tb_scene, tb_event, tb_dict_item, tb_task_status_mark, tb_task_counter, tb_task_day_count');
    const instances: Record<string, object> = {
      TaskRepository: new TaskRepository(ds),
      SubtaskRepository: new SubtaskRepository(ds, tx),
      SceneRepository: new SceneRepository(ds),
      DictionaryRepository: new DictionaryRepository(ds),
      StatusMarkRepository: new StatusMarkRepository(ds),
      JournalRepository: new JournalRepository(ds, new MetricsService(), config),
      IdempotencyRepository: new IdempotencyRepository(),
    };
    for (const [repositoryName, spec] of Object.entries(REPOSITORY_CALLS)) {
      const repository = instances[repositoryName];
      for (const [method, variants] of Object.entries(spec.calls)) {
        for (const [variant, call] of Object.entries(typeof variants === 'function' ? { '': variants } : variants)) {
          logger.queries.length = 0;
          logger.recording = true;
          const run = call as (r: object, c: SqlContext, em: EntityManager) => Promise<unknown>;
          if (run.length < 3) {
            await run(repository, ctx, ds.manager).catch((error: unknown) => {
              throw new Error(`${repositoryName}.${method}${variant ? ` (${variant})` : ''}: ${String(error)}`);
            });
          } else
            // Writes run in a transaction that is rolled back, so every call sees the same seeded rows.
            await ds
              .transaction(async (em: EntityManager) => {
                await run(repository, ctx, em);
                throw new Rollback();
              })
              .catch((error: unknown) => {
                if (!(error instanceof Rollback)) throw new Error(`${repositoryName}.${method}${variant ? ` (${variant})` : ''}: ${String(error)}`);
              });
          logger.recording = false;
          const statements = [];
          for (const q of logger.queries) {
            const plan = kind === 'mysql' ? await explainMysql(ds, q) : await explainSqlite(ds, q);
            statements.push({ sql: normalize(q.sql), params: q.params.length, plan });
          }
          out.set(`${repositoryName}.${method}${variant ? ` — ${variant}` : ''}`, { statements });
        }
      }
    }
  } finally {
    if (ds.isInitialized) await ds.destroy();
    await db.drop();
  }
  return out;
}

class Rollback extends Error {}

/**
 * A task with four running subtasks and its scenes (what the calls use), among 300 others with
 * three subtasks each over 30 days, so the plans are those of a table with rows, not of an empty one.
 */
async function seed(factory: Factory, clock: ManualClock): Promise<SqlContext> {
  const { task, subtasks } = await factory.taskWithSubtasks(4, {
    state: 'running',
    heartbeat_at: new Date(AT - 120_000),
    // Claimed by a replica: what finishing an outcome and renewing or handing back claims act on.
    lease_owner: 'replica-a#1',
    lease_until: new Date(AT + 15_000),
  });
  await factory.scenes(task.id, [{ vchan_refid: 'ch-1' }, { vchan_refid: 'ch-2' }]);
  const ds = factory.dataSource;
  const tx = new TransactionRunner(ds);
  const tasks: TaskEntity[] = [];
  const others: SubtaskRow[] = [];
  for (let i = 0; i < 300; i += 1) {
    clock.set(AT - (i % 30) * 86_400_000 - i * 1000);
    const row = factory.taskRow({ task_name: `Task ${i}` });
    tasks.push(row);
    const states = ['dispatching', 'stopped', 'running'] as const;
    for (let p = 0; p < 3; p += 1) others.push(factory.subtaskRow({ task_id: row.id, position: p, vchan_refid: `ch-${p + 1}`, state: states[(i + p) % 3] }));
  }
  clock.set(AT);
  await tx.run(async (em) => {
    for (let i = 0; i < tasks.length; i += 100)
      await em
        .createQueryBuilder()
        .insert()
        .into(TaskEntity)
        .values(tasks.slice(i, i + 100))
        .updateEntity(false)
        .execute();
    await new SubtaskRepository(ds, tx).insertAll(em, others);
  });
  const journal = new JournalRepository(ds, new MetricsService(), loadConfig({ NODE_ENV: 'test' }));
  await tx.run((em) =>
    journal.append(
      em,
      [...subtasks, ...others].map((s) => ({
        kind: 'subtask.state' as const,
        task_id: s.task_id,
        subtask_id: s.id,
        from: 'dispatching',
        to: 'running',
        generation: 1,
        actor: { type: 'system' as const },
      })),
      new Date(AT - 60_000),
    ),
  );
  return { at: new Date(AT), task, subtasks };
}

function render(repositoryName: string, mysql: Map<string, Capture>, sqlite: Map<string, Capture>): string {
  const lines = [`-- NOTE: This file is generated by \`npm run sql:sync\` (scripts/sync-sql.ts). Do not edit it.`, ''];
  const unquote = (sql: string) => sql.replace(/[`"]/g, '');
  for (const [key, capture] of mysql) {
    if (!key.startsWith(`${repositoryName}.`)) continue;
    lines.push(`-- ${key}`);
    if (capture.statements.length === 0) lines.push('-- (no statement for these arguments)');
    for (const s of capture.statements) {
      lines.push(`-- params: ${s.params}`);
      // A derived table is a query's own few rows (a subquery's result), not a table scanned whole.
      for (const p of s.plan) lines.push(`-- explain: ${p}${/type=ALL\b/.test(p) && !/^<(derived|union)/.test(p) ? '   <-- full scan' : ''}`);
      lines.push(`${s.sql};`);
    }
    const other = sqlite.get(key)?.statements ?? [];
    const same = other.length === capture.statements.length && other.every((s, i) => unquote(s.sql) === unquote(capture.statements[i].sql));
    if (!same) {
      lines.push('-- SQLite:');
      for (const s of other) {
        lines.push(`-- params: ${s.params}`);
        lines.push(`${s.sql};`);
      }
    }
    for (const s of other) for (const p of s.plan) lines.push(`-- SQLite plan: ${p}`);
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

/** File name (under src/queries/) → content, for every repository of the table. */
export async function generateSql(): Promise<Map<string, string>> {
  // A seeded PRNG in place of Math.random while capturing (counter slots, jitter), so every run sends the same SQL.
  const random = Math.random;
  let mysql: Map<string, Capture>;
  let sqlite: Map<string, Capture>;
  try {
    Math.random = seededRandom(1);
    mysql = await captureAll('mysql');
    Math.random = seededRandom(1);
    sqlite = await captureAll('sqlite');
  } finally {
    Math.random = random;
  }
  const files = new Map<string, string>();
  for (const [repositoryName, spec] of Object.entries(REPOSITORY_CALLS)) files.set(spec.file, render(repositoryName, mysql, sqlite));
  return files;
}
