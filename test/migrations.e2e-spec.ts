import { DataSource } from 'typeorm';
import { loadConfig } from '../src/config/app-config';
import { buildDataSourceOptions } from '../src/database/data-source-options';
import { createTestDatabase, DATABASE_KINDS, TestDatabase } from './support/databases';

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
});
