import { Inject, Injectable, Logger } from '@nestjs/common';
import { MetricsService } from '../common/observability/metrics.service';
import { CLOCK, Clock } from '../common/time/clock';
import { parseWireDateTime } from '../common/time/datetime';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { TransactionRunner } from '../database/transaction.runner';
import { OPS_ACTOR, stateChange } from '../journal/event';
import { JournalRepository } from '../journal/journal.repository';
import { StatusSweeper } from '../status/status-sweeper.service';
import { judgeReport, SubtaskControl } from './domain/transitions';
import { DispatchRepository, ReportWrite } from './dispatch.repository';
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
    private readonly repository: DispatchRepository,
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
    const parsed = reports.map((r, index) => ({ ...r, index, at: parseWireDateTime(r.reported_at, zone)! }));
    // Within one batch, a subtask's reports are judged oldest first, as if they had come one by one.
    const ordered = [...parsed].sort((a, b) => (a.subtask_id < b.subtask_id ? -1 : a.subtask_id > b.subtask_id ? 1 : a.generation - b.generation || a.at.getTime() - b.at.getTime()));
    const results: ReportResultDto[] = new Array(reports.length);

    const stateChanged = await this.tx.run(async (em) => {
      const now = this.clock.now();
      const ids = [...new Set(ordered.map((r) => r.subtask_id))];
      const rows = await this.repository.lockForReports(em, ids, this.tx.lockMode());
      const current = new Map<string, SubtaskControl & { task_id: string; next_attempt_at: Date | null }>(rows.map((r) => [r.id, r]));
      const writes = new Map<string, ReportWrite>();
      const before = new Map(rows.map((r) => [r.id, r]));
      const changed = new Set<string>();
      for (const report of ordered) {
        const subtask = current.get(report.subtask_id);
        if (!subtask) {
          results[report.index] = { subtask_id: report.subtask_id, applied: false, reason: 'unknown_subtask' };
          continue;
        }
        const verdict = judgeReport(subtask, { generation: report.generation, state: report.state, reported_at: report.at }, now);
        if (!verdict.applied) {
          results[report.index] = { subtask_id: report.subtask_id, applied: false, reason: verdict.reason };
          continue;
        }
        // Only a change of state can change the task's status; heartbeats (the bulk) leave it be.
        if (verdict.state !== subtask.state) changed.add(subtask.task_id);
        // A stop still pending while the ops service says running: due for another stop call now.
        const nextAttempt = verdict.state === 'stopping' && subtask.state !== 'stopping' ? now : subtask.next_attempt_at;
        current.set(report.subtask_id, { ...subtask, state: verdict.state, reported_at: report.at, next_attempt_at: nextAttempt });
        writes.set(report.subtask_id, {
          id: report.subtask_id,
          state: verdict.state,
          status_reason: verdict.state === 'running' ? null : (report.status_reason ?? null),
          progress: report.progress ?? null,
          reported_at: report.at,
          next_attempt_at: nextAttempt,
        });
        results[report.index] = { subtask_id: report.subtask_id, applied: true };
      }
      await this.repository.writeReports(em, [...writes.values()], now);
      // One event per subtask whose state the batch changed (the net change: intermediate states
      // inside one batch never reach the row); heartbeats write none. One multi-row insert.
      await this.journal.append(
        em,
        [...writes.values()].map((w) => {
          const was = before.get(w.id)!;
          return stateChange(was, was.state, w.state, OPS_ACTOR, w.status_reason);
        }),
        now,
      );
      // Durable with the change itself: a crash before the refresh below leaves the mark to sweep.
      await this.status.mark(em, changed);
      return changed;
    });

    // Statuses in a transaction of their own that locks the task rows first, the order start and
    // stop use, so a report batch never holds subtask rows while waiting for a task row.
    if (stateChanged.size) {
      try {
        await this.status.refreshNow(stateChanged);
      } catch (error) {
        this.logger.warn({ err: error }, 'status refresh after reports deferred to the sweep');
        this.status.nudge();
      }
    }

    for (const result of results) this.metrics.reportsReceived.inc({ result: result.applied ? 'applied' : result.reason! });
    return results;
  }
}
