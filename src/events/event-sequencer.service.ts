import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MetricsService } from '../common/observability/metrics.service';
import { TransactionRunner } from '../database/transaction.runner';
import { JournalRepository } from '../journal/journal.repository';

/** Events numbered per transaction; a larger backlog takes several in a row. */
export const SEQUENCE_BATCH = 1000;

/** How long a pass waits after a local commit of events, so that a burst of commits shares it. */
const COMMIT_NUDGE_DELAY_MS = 5;

/**
 * Numbers committed journal rows in commit order (tb_event.seq), in every replica, every
 * EVENT_TICK_MS and right after this replica commits events; replicas take turns on the sequence
 * row's lock. After each pass the listeners run (the replica's stream tailer), so what was
 * numbered is delivered in the same pass.
 */
@Injectable()
export class EventSequencer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(EventSequencer.name);
  private timer: NodeJS.Timeout | null = null;
  private commitNudge: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private readonly listeners: (() => Promise<void>)[] = [];

  constructor(
    private readonly journal: JournalRepository,
    private readonly runner: TransactionRunner,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.nudge(), this.config.events.tickMs);
    this.timer.unref();
    // Events this replica committed are numbered and delivered at once, not on the next tick;
    // commits within COMMIT_NUDGE_DELAY_MS of each other share the pass.
    this.journal.onCommitted(() => {
      if (this.commitNudge || this.stopped) return;
      this.commitNudge = setTimeout(() => {
        this.commitNudge = null;
        void this.nudge();
      }, COMMIT_NUDGE_DELAY_MS);
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.commitNudge) clearTimeout(this.commitNudge);
    await this.running;
  }

  /** Runs after every pass. */
  onPass(listener: () => Promise<void>): void {
    this.listeners.push(listener);
  }

  /** A pass now (or right after the one under way); resolves when it is done. */
  nudge(): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = this.loop().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async loop(): Promise<void> {
    do {
      this.again = false;
      try {
        while ((await this.sequenceOnce()) === SEQUENCE_BATCH);
        for (const listener of this.listeners) await listener();
      } catch (error) {
        this.logger.warn({ err: error }, 'event journal pass failed; retried next tick');
      }
    } while (this.again && !this.stopped);
  }

  /** One transaction: how many events it numbered. */
  async sequenceOnce(): Promise<number> {
    // Idle most ticks: one unlocked look first, so no replica takes the sequence lock for nothing.
    if (!(await this.journal.hasUnsequenced())) return 0;
    this.metrics.journalQueries.inc({ query: 'sequence' });
    const work = async (em: Parameters<Parameters<TransactionRunner['run']>[0]>[0]) => (await this.journal.sequence(em, SEQUENCE_BATCH)).count;
    // READ COMMITTED: the unlocked read after taking the lock sees every transaction committed by then.
    return this.runner.isMysql ? this.runner.dataSource.transaction('READ COMMITTED', work) : this.runner.run(work);
  }
}
