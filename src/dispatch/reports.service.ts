import { Inject, Injectable, Logger } from '@nestjs/common';
import { MetricsService } from '../common/observability/metrics.service';
import { CLOCK, Clock } from '../common/time/clock';
import { parseWireDateTime } from '../common/time/datetime';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { TransactionRunner } from '../database/transaction.runner';
import { OPS_ACTOR, stateChange } from '../journal/event';
import { JournalRepository } from '../journal/journal.repository';
import { StatusSweeper } from '../status/status-sweeper.service';
import { BatchReport, judgeBatch } from './domain/report-batch';
import { SubtaskRepository } from '../subtask/subtask.repository';
import type { ReportResultDto, SubtaskReportDto } from './dto/report.dto';

/**
 * Applies a batch of status reports from the ops service in one transaction: the reported rows
 * are read (and locked on MySQL) in primary-key order, judged in memory, written back in one
 * statement; then the status of each task whose subtasks changed state is recomputed once for the
 * whole batch (a heartbeat that repeats the state cannot change it).
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly repository: SubtaskRepository,
    private readonly status: StatusSweeper,
    private readonly metrics: MetricsService,
    private readonly tx: TransactionRunner,
    private readonly journal: JournalRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private readonly logger = new Logger(ReportsService.name);

  async ingest(reports: readonly SubtaskReportDto[]): Promise<ReportResultDto[]> {
    const zone = this.config.time.zone;
    const parsed: BatchReport[] = reports.map((r, index) => ({ ...r, index, at: parseWireDateTime(r.reported_at, zone)! }));

    const { results, stateChanged } = await this.tx.run(async (em) => {
      const now = this.clock.now();
      const rows = await this.repository.lockForReports(em, [...new Set(parsed.map((r) => r.subtask_id))], this.tx.lockMode());
      const judged = judgeBatch(parsed, rows, now);
      await this.repository.writeReports(em, judged.writes, now);
      // One event per subtask whose state the batch changed; heartbeats write none. One multi-row insert.
      await this.journal.append(
        em,
        judged.stateChanges.map((c) => stateChange(c.row, c.from, c.to, OPS_ACTOR, c.reason)),
        now,
      );
      // Durable with the change itself: a crash before the refresh below leaves the mark to sweep.
      await this.status.mark(em, judged.tasks);
      return { results: judged.results, stateChanged: judged.tasks };
    });

    // Statuses in a transaction of their own that locks the task rows first, the order start and
    // stop use, so a report batch never holds subtask rows while waiting for a task row. The sweep
    // is nudged rather than awaited: batches arriving together share one refresh of their tasks
    // (reads derive the status from the rows meanwhile, and the mark makes the refresh certain).
    if (stateChanged.size) this.status.nudge();

    // One increment per outcome, not per report (a label lookup each).
    const outcomes = new Map<string, number>();
    for (const result of results) {
      const outcome = result.applied ? 'applied' : result.reason;
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    for (const [result, count] of outcomes) this.metrics.reportsReceived.inc({ result }, count);
    return results;
  }
}
