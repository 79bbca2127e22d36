import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { CLOCK, Clock } from '../common/time/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { TransactionRunner } from '../database/transaction.runner';
import { TaskStatusService } from '../task/task-status.service';
import { StatusMarkRepository } from './status-mark.repository';

/** Tasks re-derived per transaction: bounds how long one sweep holds task rows. */
const SWEEP_BATCH = 200;
/** How long boot waits for the sweep of what a crash or an upgrade left marked. */
const BOOT_SWEEP_WAIT_MS = 5_000;
/** Marks from one moment are swept together rather than one refresh per subtask change. */
const NUDGE_DELAY_MS = 50;
/** Longest a nudged sweep waits, however long the last one took (the interval sweeps too). */
const MAX_NUDGE_DELAY_MS = 1_000;

/**
 * How long a nudged sweep waits: NUDGE_DELAY_MS, or twice as long as the last sweep took, so
 * that sweeping takes at most about a third of the time. At a window's opening every outcome
 * marks its task, and back-to-back sweeps of 100 tasks × 100 subtasks, each reading all 10,000
 * rows, competed with the dispatches and reports they were summing up.
 */
export function nudgeDelay(lastSweepMs: number): number {
  return Math.min(MAX_NUDGE_DELAY_MS, Math.max(NUDGE_DELAY_MS, Math.ceil(2 * lastSweepMs)));
}

/**
 * Re-derives the status of every marked task, level-triggered: at boot (whatever a crash left
 * marked), after each local change (nudged), and every STATUS_SWEEP_INTERVAL_MS for marks other
 * replicas left behind. Every replica sweeps; the task row lock makes concurrent sweeps of one
 * task take turns, and a refresh is idempotent.
 */
@Injectable()
export class StatusSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(StatusSweeper.name);
  private timer: NodeJS.Timeout | undefined;
  private nudgeTimer: NodeJS.Timeout | undefined;
  private running: Promise<number> | undefined;
  private again = false;
  private stopped = false;
  /** How long the last sweep took (ms): a measure of work, not a time of day, so not the clock's. */
  private lastSweepMs = 0;

  constructor(
    private readonly marks: StatusMarkRepository,
    private readonly status: TaskStatusService,
    private readonly tx: TransactionRunner,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // What a crash left marked is repaired before the service answers, up to BOOT_SWEEP_WAIT_MS: a
    // large backlog (the first boot after an upgrade marks every task) finishes in the background
    // rather than holding the service down; reads derive the status from the rows meanwhile.
    const sweep = this.sweep().catch((error: unknown) => {
      this.logger.warn({ err: error }, 'status sweep at boot failed; retrying on the interval');
      return 0;
    });
    let waited: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (waited = setTimeout(() => resolve('late'), BOOT_SWEEP_WAIT_MS)));
    if ((await Promise.race([sweep, late])) === 'late') this.logger.log('status sweep at boot continues in the background');
    clearTimeout(waited);
    this.schedule();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.nudgeTimer);
    await this.running?.catch(() => undefined);
  }

  /** Marks these tasks in the caller's transaction. */
  mark(em: Parameters<StatusMarkRepository['mark']>[0], taskIds: Iterable<string>): Promise<void> {
    return this.marks.mark(em, taskIds, this.clock.now());
  }

  /** Sweep soon: a local change was just committed. */
  nudge(): void {
    if (this.stopped || this.nudgeTimer) return;
    this.nudgeTimer = setTimeout(() => {
      this.nudgeTimer = undefined;
      void this.sweep().catch((error: unknown) => this.logger.warn({ err: error }, 'status sweep failed; retrying on the interval'));
    }, nudgeDelay(this.lastSweepMs));
    this.nudgeTimer.unref();
  }

  /** Sweeps until no mark is left; concurrent callers share the sweep under way. Answers tasks refreshed. */
  sweep(): Promise<number> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    const began = performance.now();
    this.running = this.sweepAll().finally(() => {
      this.lastSweepMs = performance.now() - began;
      this.running = undefined;
      if (this.again && !this.stopped) {
        this.again = false;
        this.nudge();
      }
    });
    return this.running;
  }

  private async sweepAll(): Promise<number> {
    let total = 0;
    for (;;) {
      const ids = await this.marks.pending(SWEEP_BATCH);
      if (ids.length === 0) return total;
      await this.refreshBatch(ids);
      total += ids.length;
      if (ids.length < SWEEP_BATCH || this.stopped) return total;
    }
  }

  /**
   * Takes these tasks' marks and re-derives the tasks whose marks it took, in one transaction
   * (status changes are journalled by the refresh). A task another replica's sweep refreshed
   * meanwhile has no mark left and is not read again.
   */
  async refreshBatch(ids: string[]): Promise<void> {
    await this.tx.run((em) => this.status.refreshMarked(em, ids, (locked) => this.marks.claim(em, locked, this.tx.lockMode())));
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.sweep()
        .catch((error: unknown) => this.logger.warn({ err: error }, 'status sweep failed; retrying on the interval'))
        .finally(() => this.schedule());
    }, this.config.status.sweepIntervalMs);
    this.timer.unref();
  }
}
