import { Logger } from '@nestjs/common';
import { DataSource, DataSourceOptions, Migration, MigrationExecutor, QueryRunner } from 'typeorm';
import { exemptFromQueryTimeout } from './mysql-guard';

const logger = new Logger('Migrations');

/** MySQL and MariaDB refuse advisory-lock names longer than 64 characters. */
const LOCK_NAME_MAX = 64;
const SQLITE_RETRY_MS = 100;

export const migrationLockName = (database: string): string => `${database.slice(0, LOCK_NAME_MAX - ':migrations'.length)}:migrations`;

type MigrationOptions = Parameters<DataSource['runMigrations']>[0];

/**
 * A DataSource whose migrations run under a database-wide lock, so replicas booting together
 * apply each migration once: the first takes the lock and migrates, the others wait, then find
 * nothing pending. `migrationsRun` at initialize, the TypeORM CLI (ormconfig.ts) and explicit
 * calls all go through here.
 *
 * - MySQL/MariaDB: `GET_LOCK('<db>:migrations')` on one connection, which then runs every
 *   migration (the migrations table read included) and `RELEASE_LOCK`s; the server frees the lock
 *   by itself if that connection dies. The connection is exempt from DB_QUERY_TIMEOUT_MS: index
 *   builds and the lock wait may take longer. The database's default character set is made
 *   utf8mb4 first, so tables created later cannot inherit the server's (possibly latin1) default.
 * - SQLite: the file's write lock, taken up front with `BEGIN IMMEDIATE` (retried past
 *   busy_timeout until the deadline). Every migration and the read of the migrations table run in
 *   that one transaction: with TypeORM's deferred BEGIN, a second process would read "nothing
 *   applied" before the first committed and then fail with "table already exists".
 */
export class MigratingDataSource extends DataSource {
  constructor(
    options: DataSourceOptions,
    private readonly lockTimeoutMs: number,
  ) {
    super(options);
  }

  override async runMigrations(options?: MigrationOptions): Promise<Migration[]> {
    if (!this.isInitialized) return super.runMigrations(options);
    return withMigrationLock(this, this.lockTimeoutMs, (queryRunner) => {
      const executor = new MigrationExecutor(this, queryRunner);
      executor.transaction = options?.transaction ?? this.options.migrationsTransactionMode ?? 'all';
      executor.fake = options?.fake ?? false;
      return executor.executePendingMigrations();
    });
  }

  override async undoLastMigration(options?: Parameters<DataSource['undoLastMigration']>[0]): Promise<void> {
    if (!this.isInitialized) return super.undoLastMigration(options);
    return withMigrationLock(this, this.lockTimeoutMs, (queryRunner) => {
      const executor = new MigrationExecutor(this, queryRunner);
      executor.transaction = options?.transaction ?? 'all';
      executor.fake = options?.fake ?? false;
      return executor.undoLastMigration();
    });
  }
}

/** Runs `work` on one query runner that holds the migration lock for its whole duration. */
export async function withMigrationLock<T>(dataSource: DataSource, timeoutMs: number, work: (queryRunner: QueryRunner) => Promise<T>): Promise<T> {
  return dataSource.options.type === 'better-sqlite3' ? withSqliteLock(dataSource, timeoutMs, work) : withMysqlLock(dataSource, timeoutMs, work);
}

async function withMysqlLock<T>(dataSource: DataSource, timeoutMs: number, work: (queryRunner: QueryRunner) => Promise<T>): Promise<T> {
  const queryRunner = dataSource.createQueryRunner('master');
  const connection: unknown = await queryRunner.connect();
  exemptFromQueryTimeout(connection);
  try {
    const database = String(dataSource.driver.database);
    const name = migrationLockName(database);
    const started = Date.now();
    const [row] = (await queryRunner.query('SELECT GET_LOCK(?, ?) AS got', [name, Math.ceil(timeoutMs / 1000)])) as { got: unknown }[];
    if (Number(row?.got) !== 1) throw new Error(`migration lock ${name} not obtained within ${timeoutMs} ms: another instance is still migrating`);
    const waitedMs = Date.now() - started;
    if (waitedMs > 50) logger.log({ lock: name, waitedMs }, 'waited for another instance to finish migrating');
    try {
      await ensureUtf8mb4Default(queryRunner, database);
      return await work(queryRunner);
    } finally {
      await queryRunner.query('SELECT RELEASE_LOCK(?)', [name]).catch((error: unknown) => logger.warn({ err: error }, 'could not release the migration lock'));
    }
  } finally {
    exemptFromQueryTimeout(connection, false);
    await queryRunner.release();
  }
}

/** Tables created without an explicit charset take the database's default: make it utf8mb4 whatever the server's is. */
async function ensureUtf8mb4Default(queryRunner: QueryRunner, database: string): Promise<void> {
  const [current] = (await queryRunner.query('SELECT DEFAULT_CHARACTER_SET_NAME AS charset FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?', [
    database,
  ])) as { charset: string }[];
  if (!current || current.charset === 'utf8mb4') return;
  try {
    await queryRunner.query(`ALTER DATABASE \`${database.replace(/`/g, '``')}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
    logger.log({ database, was: current.charset }, 'database default character set changed to utf8mb4');
  } catch (error) {
    // The migrations state utf8mb4 on their own tables; this only covers tables added later.
    logger.warn({ err: error, database, charset: current.charset }, 'could not make utf8mb4 the database default');
  }
}

async function withSqliteLock<T>(dataSource: DataSource, timeoutMs: number, work: (queryRunner: QueryRunner) => Promise<T>): Promise<T> {
  const queryRunner = dataSource.createQueryRunner();
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await queryRunner.query('BEGIN IMMEDIATE');
      break;
    } catch (error) {
      const code = (error as { driverError?: { code?: string }; code?: string }).driverError?.code ?? (error as { code?: string }).code;
      if (!code?.startsWith('SQLITE_BUSY') || Date.now() >= deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, SQLITE_RETRY_MS));
    }
  }
  // The executor sees a transaction in progress and runs every migration inside it instead of starting its own.
  const runner = queryRunner as QueryRunner & { isTransactionActive: boolean };
  runner.isTransactionActive = true;
  try {
    const result = await work(queryRunner);
    runner.isTransactionActive = false;
    await queryRunner.query('COMMIT');
    return result;
  } catch (error) {
    runner.isTransactionActive = false;
    await queryRunner.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await queryRunner.release();
  }
}
