import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/app-config';
import { buildDataSourceOptions } from '../src/database/data-source-options';
import { TaskEntity } from '../src/task/task.entity';
import { createTestDatabase, DATABASE_KINDS, TestDatabase } from './support/databases';
import { taskRow } from './support/fixtures';

describe.each(DATABASE_KINDS)('migrations on %s', (kind) => {
  let db: TestDatabase;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    const config = loadConfig({ NODE_ENV: 'test', ...db.env, DB_MIGRATIONS_RUN: 'false' });
    dataSource = new DataSource(buildDataSourceOptions(config.db));
    await dataSource.initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('produce exactly the schema the entities describe', async () => {
    const applied = await dataSource.runMigrations({ transaction: 'each' });
    expect(applied.length).toBeGreaterThan(0);
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((q) => q.query)).toEqual([]);
  });

  it('seed the algorithm types', async () => {
    const rows: { code: string; label_zh: string; label_en: string }[] = await dataSource.query(
      "SELECT code, label_zh, label_en FROM tb_dict_item WHERE dict_type = 'algo_type' ORDER BY sort_order",
    );
    expect(rows).toEqual([
      { code: '0', label_zh: '交通', label_en: 'Traffic' },
      { code: '1', label_zh: '客流', label_en: 'Passenger flow' },
      { code: '2', label_zh: '安防', label_en: 'Security' },
      { code: '3', label_zh: '违停', label_en: 'Illegal parking' },
      { code: '4', label_zh: '人脸', label_en: 'Face' },
    ]);
  });

  it('revert cleanly, down to an empty schema, and apply again', async () => {
    const count = dataSource.migrations.length;
    for (let i = 0; i < count; i++) await dataSource.undoLastMigration({ transaction: 'each' });
    const tables: unknown[] = await dataSource.query(
      kind === 'mysql'
        ? "SELECT table_name FROM information_schema.tables WHERE table_schema = DATABASE() AND table_name LIKE 'tb\\_%'"
        : "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'tb\\_%' ESCAPE '\\'",
    );
    expect(tables).toEqual([]);
    await dataSource.runMigrations({ transaction: 'each' });
    expect((await dataSource.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
  });

  it('count the live tasks that exist per UTC day when the day counts arrive', async () => {
    const dayCounts = dataSource.migrations.findIndex((m) => m.name === 'TaskDayCounts1795567600000');
    expect(dayCounts).toBeGreaterThan(0);
    for (let i = dataSource.migrations.length - 1; i >= dayCounts; i--) await dataSource.undoLastMigration({ transaction: 'each' });
    expect(await dataSource.showMigrations()).toBe(true);
    const at = (iso: string) => Date.parse(iso);
    // The columns tb_task had when the day counts arrived (later migrations add more).
    const columnsThen = Object.keys(taskRow(0)).filter((c) => !['next_transition_at', 'schedule'].includes(c));
    await dataSource
      .createQueryBuilder()
      .insert()
      .into(TaskEntity, columnsThen)
      .values([
        taskRow(at('2026-11-25T23:59:59.999Z')),
        taskRow(at('2026-11-26T00:00:00.000Z')),
        taskRow(at('2026-11-26T15:30:00.000Z')),
        taskRow(at('2026-11-26T16:00:00.000Z'), { deleted_dt: new Date(at('2026-11-26T17:00:00.000Z')) }),
        taskRow(at('2025-01-01T08:00:00.000Z')),
      ])
      .execute();
    await dataSource.runMigrations({ transaction: 'each' });
    const rows: { day: number | string; live: number | string }[] = await dataSource.query(
      'SELECT day, SUM(live) AS live FROM tb_task_day_count GROUP BY day ORDER BY day',
    );
    // 2025-01-01 is day 20,089; 2026-11-25 is day 20,782.
    expect(rows.map((r) => [Number(r.day), Number(r.live)])).toEqual([
      [20_089, 1],
      [20_782, 1],
      [20_783, 2],
    ]);
  });

  it('key the journal by seq, numbering the rows an earlier version left unnumbered after the numbered ones, in insert order', async () => {
    const keyed = dataSource.migrations.findIndex((m) => m.name === 'EventCommitOrderKey1795568300000');
    expect(keyed).toBeGreaterThan(0);
    for (let i = dataSource.migrations.length - 1; i >= keyed; i--) await dataSource.undoLastMigration({ transaction: 'each' });
    const row = (id: string, seq: number | null, reason: string) =>
      dataSource.query('INSERT INTO tb_event (id, seq, at, kind, task_id, subtask_id, actor_type, reason) VALUES (?, ?, ?, ?, ?, NULL, ?, ?)', [
        id,
        seq,
        kind === 'sqlite' ? '2026-12-01 00:00:00.000' : new Date('2026-12-01T00:00:00Z'),
        'task.updated',
        't1',
        'system',
        reason,
      ]);
    await dataSource.query('DELETE FROM tb_event');
    await dataSource.query('UPDATE tb_event_sequence SET next_seq = 3 WHERE id = 1');
    await row('019a0000-0000-7000-8000-000000000003', null, 'third, unnumbered');
    await row('019a0000-0000-7000-8000-000000000001', 1, 'first');
    await row('019a0000-0000-7000-8000-000000000004', null, 'fourth, unnumbered');
    await row('019a0000-0000-7000-8000-000000000002', 2, 'second');
    await dataSource.runMigrations({ transaction: 'each' });
    const rows: { seq: number | string; reason: string }[] = await dataSource.query('SELECT seq, reason FROM tb_event ORDER BY seq');
    expect(rows.map((r) => [Number(r.seq), r.reason])).toEqual([
      [1, 'first'],
      [2, 'second'],
      [3, 'third, unnumbered'],
      [4, 'fourth, unnumbered'],
    ]);
    const [{ next_seq }]: { next_seq: number | string }[] = await dataSource.query('SELECT next_seq FROM tb_event_sequence WHERE id = 1');
    expect(Number(next_seq)).toBe(5);
    expect((await dataSource.driver.createSchemaBuilder().log()).upQueries).toEqual([]);
  });
});
