import { Inject, Injectable, Logger } from '@nestjs/common';
import { MetricsService } from '../common/observability/metrics.service';
import { CLOCK, Clock } from '../common/time/clock';
import { parseWireDateTime } from '../common/time/datetime';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { isLockConflict, TransactionRunner } from '../database/transaction.runner';
import { OPS_ACTOR, stateChange } from '../journal/event';
import { JournalRepository } from '../journal/journal.repository';
import { StatusSweeper } from '../status/status-sweeper.service';
import { BatchReport, judgeBatch, ReportResult } from './domain/report-batch';
import { heartbeatWrite, mayWriteAsHeartbeats, ReportedStates } from './domain/heartbeats';
import { SubtaskRepository } from '../subtask/subtask.repository';
import type { ReportResultDto, SubtaskReportDto } from './dto/report.dto';

/**
 * Applies a batch of status reports from the ops service in one transaction: the reported rows
 * are read (and locked on MySQL) in primary-key order, judged in memory, written back in one
 * statement; then the status of each task whose subtasks changed state is recomputed once for the
 * whole batch (a heartbeat that repeats the state cannot change it). On MySQL a batch of
 * heartbeats is first tried as one statement without the read (domain/heartbeats.ts).
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
  /** The last state this replica saw applied per subtask: whether a batch tries the heartbeat statement. */
  private readonly lastStates = new ReportedStates();

  async ingest(reports: readonly SubtaskReportDto[]): Promise<ReportResultDto[]> {
    const zone = this.config.time.zone;
    const parsed: BatchReport[] = reports.map((r, index) => ({ ...r, index, at: parseWireDateTime(r.reported_at, zone)! }));
    const heartbeatAt = await this.writeAsHeartbeats(parsed);
    const results =
      heartbeatAt === true ? parsed.map((r): ReportResult => ({ subtask_id: r.subtask_id, applied: true })) : await this.judgeAndWrite(parsed, heartbeatAt);
    this.count(results);
    return results;
  }

  /**
   * On MySQL, a batch that looks like heartbeats only (mayWriteAsHeartbeats) is first written in
   * one statement that checks each row itself: true when every report applied so; otherwise the
   * time it wrote as heartbeat_at (null when it did not try), by which the rest of the batch tells
   * the reports already applied from those still to judge.
   */
  private async writeAsHeartbeats(parsed: readonly BatchReport[]): Promise<true | Date | null> {
    if (!this.tx.isMysql) return null;
    const now = this.clock.now();
    if (!mayWriteAsHeartbeats(parsed, now, (id) => this.lastStates.get(id))) return null;
    try {
      const updated = await this.repository.writeHeartbeats(parsed.map(heartbeatWrite), now);
      return updated === parsed.length ? true : now;
    } catch (error) {
      // A lock conflict rolled the statement back whole: the batch is judged as usual.
      if (isLockConflict(error)) return null;
      throw error;
    }
  }

  private async judgeAndWrite(parsed: readonly BatchReport[], heartbeatAt: Date | null): Promise<ReportResult[]> {
    const { results, stateChanged } = await this.tx.run(async (em) => {
      const now = this.clock.now();
      const rows = await this.repository.lockForReports(em, [...new Set(parsed.map((r) => r.subtask_id))], this.tx.lockMode());
      // What the heartbeat statement already applied: its time and this report's are on the row.
      const byId = new Map(rows.map((row) => [row.id, row]));
      const done = new Set<number>();
      if (heartbeatAt !== null) {
        for (const r of parsed) {
          const row = byId.get(r.subtask_id);
          if (row?.heartbeat_at?.getTime() === heartbeatAt.getTime() && row.reported_at?.getTime() === r.at.getTime() && row.state === r.state)
            done.add(r.index);
        }
      }
      const judged = judgeBatch(
        parsed.filter((r) => !done.has(r.index)),
        rows,
        now,
      );
      const results = parsed.map((r): ReportResult => (done.has(r.index) ? { subtask_id: r.subtask_id, applied: true } : judged.results[r.index]));
      await this.repository.writeReports(em, judged.writes, now);
      // One event per subtask whose state the batch changed; heartbeats write none. One multi-row insert.
      await this.journal.append(
        em,
        judged.stateChanges.map((c) => stateChange(c.row, c.from, c.to, OPS_ACTOR, c.reason)),
        now,
      );
      // Durable with the change itself: a crash before the refresh below leaves the mark to sweep.
      await this.status.mark(em, judged.tasks);
      for (const row of rows) this.lastStates.set(row.id, row.state);
      for (const write of judged.writes) this.lastStates.set(write.id, write.state);
      return { results, stateChanged: judged.tasks };
    });

    // Statuses in a transaction of their own that locks the task rows first, the order start and
    // stop use, so a report batch never holds subtask rows while waiting for a task row. The sweep
    // is nudged rather than awaited: batches arriving together share one refresh of their tasks
    // (reads derive the status from the rows meanwhile, and the mark makes the refresh certain).
    if (stateChanged.size) this.status.nudge();
    return results;
  }

  private count(results: readonly ReportResult[]): void {
    // One increment per outcome, not per report (a label lookup each).
    const outcomes = new Map<string, number>();
    for (const result of results) {
      const outcome = result.applied ? 'applied' : result.reason;
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    for (const [result, count] of outcomes) this.metrics.reportsReceived.inc({ result }, count);
  }
}
