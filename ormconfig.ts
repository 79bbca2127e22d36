import 'reflect-metadata';
import { existsSync } from 'node:fs';
import { loadConfig } from './src/config/app-config';
import { buildDataSourceOptions } from './src/database/data-source-options';
import { MigratingDataSource } from './src/database/migration-lock';

// The DataSource the TypeORM CLI uses (npm run migration:run / migration:generate), from the same env as the app.
if (existsSync('.env')) process.loadEnvFile('.env');

const { db } = loadConfig(process.env);
// Migrations run by the CLI take the same lock as a booting replica (see migration-lock.ts).
export default new MigratingDataSource(buildDataSourceOptions(db), db.migrationLockTimeoutMs);
