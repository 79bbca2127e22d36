import { Inject, Injectable } from '@nestjs/common';
import { MetricsService } from '../common/observability/metrics.service';
import { parseWireDateTime } from '../common/time/datetime';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { TransactionRunner } from '../database/transaction.runner';
import { StatusAggregationService } from '../status/status-aggregation.service';
import { judgeReport, SubtaskControl } from './domain/transitions';
import { DispatchRepository, ReportWrite } from './dispatch.repository';
import type { ReportResultDto, SubtaskReportDto } from './dto/report.dto';

/**
 * Applies a batch of status reports from the ops service in one transaction: the reported rows
 * are read (and locked on MySQL) in primary-key order, judged in memory, written back in one
 * statement, and each affected task's status is recomputed once for the whole batch.
 */
@Injectable()
export class ReportsService {
  constructor(
    private readonly repository: DispatchRepository,
    private readonly status: StatusAggregationService,
    private readonly metrics: MetricsService,
    private readonly tx: TransactionRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async ingest(reports: readonly SubtaskReportDto[]): Promise<ReportResultDto[]> {
    const zone = this.config.time.zone;
    const parsed = reports.map((r, index) => ({ ...r, index, at: parseWireDateTime(r.reported_at, zone)! }));
    // Within one batch, a subtask's reports are judged oldest first, as if they had come one by one.
    const ordered = [...parsed].sort((a, b) => (a.subtask_id < b.subtask_id ? -1 : a.subtask_id > b.subtask_id ? 1 : a.generation - b.generation || a.at.getTime() - b.at.getTime()));
    const results: ReportResultDto[] = new Array(reports.length);

    await this.tx.run(async (em) => {
      const ids = [...new Set(ordered.map((r) => r.subtask_id))];
      const rows = await this.repository.lockForReports(em, ids, this.tx.lockMode());
      const current = new Map<string, SubtaskControl & { task_id: string }>(rows.map((r) => [r.id, r]));
      const writes = new Map<string, ReportWrite>();
      for (const report of ordered) {
        const subtask = current.get(report.subtask_id);
        if (!subtask) {
          results[report.index] = { subtask_id: report.subtask_id, applied: false, reason: 'unknown_subtask' };
          continue;
        }
        const verdict = judgeReport(subtask, { generation: report.generation, state: report.state, reported_at: report.at });
        if (!verdict.applied) {
          results[report.index] = { subtask_id: report.subtask_id, applied: false, reason: verdict.reason };
          continue;
        }
        current.set(report.subtask_id, { ...subtask, state: verdict.state, reported_at: report.at });
        writes.set(report.subtask_id, {
          id: report.subtask_id,
          state: verdict.state,
          status_reason: verdict.state === 'running' ? null : (report.status_reason ?? null),
          progress: report.progress ?? null,
          reported_at: report.at,
        });
        results[report.index] = { subtask_id: report.subtask_id, applied: true };
      }
      await this.repository.writeReports(em, [...writes.values()], new Date());
      const touched = new Set([...writes.keys()].map((id) => current.get(id)!.task_id));
      await this.status.refresh(em, touched);
    });

    for (const result of results) this.metrics.reportsReceived.inc({ result: result.applied ? 'applied' : result.reason! });
    return results;
  }
}
