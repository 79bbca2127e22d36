import type { MigrationInterface } from 'typeorm';
import { SeedAlgoTypes1795567300000 } from './common/1795567300000-SeedAlgoTypes';
import { TaskCounter1795567400000 } from './common/1795567400000-TaskCounter';
import { DescendingListIndexes1795567500000 } from './common/1795567500000-DescendingListIndexes';
import { TaskDayCounts1795567600000 } from './common/1795567600000-TaskDayCounts';
import { SubtaskHeartbeatIndex1795567700000 } from './common/1795567700000-SubtaskHeartbeatIndex';
import { ConvergenceState1795567800000 } from './common/1795567800000-ConvergenceState';
import { EventJournal1795567900000 } from './common/1795567900000-EventJournal';
import { FleetOperations1795568200000 } from './common/1795568200000-FleetOperations';
import { EventCommitOrderKey1795568300000 } from './common/1795568300000-EventCommitOrderKey';
import { TaskSchedule1795567950000 } from './common/1795567950000-TaskSchedule';
import { Initial1795567244144 } from './mysql/1795567244144-Initial';
import { Initial1795567246896 } from './sqlite/1795567246896-Initial';

/** A migration class, as TypeORM's `migrations` option takes it. */
type MigrationClass = new () => MigrationInterface;

/**
 * The initial schema is generated per driver (npm run migration:generate); the hand-written ones
 * in common/ (data, descending indexes, counter tables) run on both, with per-driver DDL where the
 * dialects differ.
 */
/** The hand-written migrations both drivers run, after their own generated initial schema. */
const COMMON_MIGRATIONS: MigrationClass[] = [
  SeedAlgoTypes1795567300000,
  TaskCounter1795567400000,
  DescendingListIndexes1795567500000,
  TaskDayCounts1795567600000,
  SubtaskHeartbeatIndex1795567700000,
  ConvergenceState1795567800000,
  EventJournal1795567900000,
  TaskSchedule1795567950000,
  FleetOperations1795568200000,
  EventCommitOrderKey1795568300000,
];

export const MYSQL_MIGRATIONS: MigrationClass[] = [Initial1795567244144, ...COMMON_MIGRATIONS];
export const SQLITE_MIGRATIONS: MigrationClass[] = [Initial1795567246896, ...COMMON_MIGRATIONS];
