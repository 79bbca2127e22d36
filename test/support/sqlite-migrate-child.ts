/**
 * One "replica" for the SQLite migration race in database-faults.e2e-spec.ts, run as its own
 * process (SQLite's file lock is between processes): opens the file given as argv[2], says
 * `ready`, waits for `go` on stdin so both start at the same moment, migrates and prints the
 * outcome as one JSON line.
 */
import { loadConfig } from '../../src/config/app-config';
import { buildDataSourceOptions } from '../../src/database/data-source-options';
import { MigratingDataSource } from '../../src/database/migration-lock';

async function main(): Promise<void> {
  const { db } = loadConfig({ NODE_ENV: 'test', DB_TYPE: 'sqlite', DB_PATH: process.argv[2] });
  const dataSource = new MigratingDataSource({ ...buildDataSourceOptions(db), migrationsRun: false, logging: false }, db.migrationLockTimeoutMs);
  await dataSource.initialize();
  process.stdout.write('ready\n');
  await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
  process.stdin.destroy();
  try {
    const applied = await dataSource.runMigrations();
    process.stdout.write(`${JSON.stringify({ applied: applied.length })}\n`);
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ error: (error as Error).message })}\n`);
  } finally {
    await dataSource.destroy();
  }
}

void main();
