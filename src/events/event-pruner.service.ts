import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { MetricsService } from '../common/observability/metrics.service';
import { CLOCK, Clock } from '../common/time/clock';
import { JournalRepository } from '../journal/journal.repository';

/** Rows per DELETE: each statement is short, so writers appending events never wait long. */
export const PRUNE_BATCH = 500;
const PAUSE_MS = 50;

/** Deletes events older than EVENT_RETENTION_DAYS, in small batches with a pause between. */
@Injectable()
export class EventPruner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(EventPruner.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;
  private stopped = false;

  constructor(
    private readonly journal: JournalRepository,
    private readonly metrics: MetricsService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () => void this.prune().catch((error: unknown) => this.logger.warn({ err: error }, 'event pruning failed; retried later')),
      this.config.events.pruneIntervalMs,
    );
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running?.catch(() => undefined);
  }

  /** One pruning run (joins the one under way); how many events it deleted. */
  prune(): Promise<number> {
    this.running ??= this.run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async run(): Promise<number> {
    const cutoff = new Date(this.clock.now().getTime() - this.config.events.retentionDays * 86_400_000);
    let deleted = 0;
    while (!this.stopped) {
      this.metrics.journalQueries.inc({ query: 'prune' }, 2);
      const n = await this.journal.pruneBatch(cutoff, PRUNE_BATCH);
      deleted += n;
      if (n < PRUNE_BATCH) break;
      await new Promise((resolve) => setTimeout(resolve, PAUSE_MS));
    }
    return deleted;
  }
}
