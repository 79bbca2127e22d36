import type { SubtaskState } from '../../subtask/domain/states';
import type { ReportWrite } from '../../subtask/domain/writes';

export type { ReportWrite };
import { judgeReport, ReportedState, SubtaskControl } from './transitions';

/** One report of a batch, its time parsed, with its place in the batch. */
export interface BatchReport {
  index: number;
  subtask_id: string;
  generation: number;
  state: ReportedState;
  status_reason?: string | null;
  progress?: number | null;
  at: Date;
}

export type ReportRow = SubtaskControl & { id: string; task_id: string; next_attempt_at: Date | null; heartbeat_at?: Date | null };

export type ReportResult = { subtask_id: string; applied: true } | { subtask_id: string; applied: false; reason: string };

export interface BatchJudgement {
  /** One per report, in the batch's order. */
  results: ReportResult[];
  /** One per subtask the batch changes, in id order. */
  writes: ReportWrite[];
  /** Subtasks whose state the batch changes, as the net change (intermediate states never reach the row). */
  stateChanges: { row: ReportRow; from: SubtaskState; to: SubtaskState; reason: string | null }[];
  /** Tasks whose status may have changed. */
  tasks: Set<string>;
}

/**
 * Judges a whole batch against the current rows, as if its reports had come one by one: each
 * subtask's reports oldest first (generation, then reported_at), each judged by `judgeReport`
 * against the state the previous one left. A report for a subtask that does not exist is
 * refused; heartbeats (same state) change the report columns but no state.
 */
export function judgeBatch(reports: readonly BatchReport[], rows: readonly ReportRow[], now: Date): BatchJudgement {
  const ordered = [...reports].sort((a, b) =>
    a.subtask_id < b.subtask_id ? -1 : a.subtask_id > b.subtask_id ? 1 : a.generation - b.generation || a.at.getTime() - b.at.getTime(),
  );
  const before = new Map(rows.map((r) => [r.id, r]));
  const current = new Map(rows.map((r) => [r.id, r]));
  const results = new Array<ReportResult>(reports.length);
  const writes = new Map<string, ReportWrite>();
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
  const stateChanges: BatchJudgement['stateChanges'] = [];
  const tasks = new Set<string>();
  for (const write of writes.values()) {
    const row = before.get(write.id)!;
    if (row.state === write.state) continue;
    stateChanges.push({ row, from: row.state, to: write.state, reason: write.status_reason });
    tasks.add(row.task_id);
  }
  return { results, writes: [...writes.values()], stateChanges, tasks };
}
