import { Global, Module } from '@nestjs/common';
import type { DataSource, DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { MigratingDataSource } from './migration-lock';
import { TransactionRunner } from './transaction.runner';

/**
 * The app's DataSource, for TypeOrmModule's `dataSourceFactory`: initialized, and with
 * DB_MIGRATIONS_RUN migrated under the migration lock, before the DataSource provider resolves,
 * so nothing (repositories, the reconciler at onApplicationBootstrap) can query a schema that is
 * still being migrated by this replica or another.
 */
export function createAppDataSource(db: AppConfig['db']): (options?: DataSourceOptions) => Promise<DataSource> {
  return async (options) => {
    if (!options) throw new Error('TypeORM options are required');
    return new MigratingDataSource(options, db.migrationLockTimeoutMs).initialize();
  };
}

@Global()
@Module({ providers: [TransactionRunner], exports: [TransactionRunner] })
export class DatabaseModule {}
