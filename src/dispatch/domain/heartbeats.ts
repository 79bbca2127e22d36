import type { SubtaskState } from '../../subtask/domain/states';
import type { HeartbeatWrite } from '../../subtask/domain/writes';
import type { BatchReport } from './report-batch';
import { REPORT_CLOCK_TOLERANCE_MS, SubtaskControl, SubtaskReport } from './transitions';

/**
 * Heartbeats — reports that repeat the subtask's state — are most of what the ops service sends.
 * They can be written in one statement that checks each row as it updates it, with no locking read
 * and no transaction: the statement's conditions are `appliesAsHeartbeat`, which is exactly when
 * `judgeReport` applies a report and leaves the state as it is (the table test proves it).
 */
export function appliesAsHeartbeat(row: SubtaskControl, report: SubtaskReport): boolean {
  return (
    (row.state as string) === report.state &&
    row.generation === report.generation &&
    !(report.state === 'running' && row.desired_state === 'stop') &&
    (row.reported_at === null || report.reported_at.getTime() > row.reported_at.getTime())
  );
}

/**
 * Whether a batch may try the heartbeat write first: one report per subtask (several would have
 * to be judged in order), none from a clock too far ahead, and each repeating the state this
 * replica last saw applied (`lastState`: a hint only; the statement checks the row itself).
 */
export function mayWriteAsHeartbeats(reports: readonly BatchReport[], now: Date, lastState: (subtaskId: string) => SubtaskState | undefined): boolean {
  const limit = now.getTime() + REPORT_CLOCK_TOLERANCE_MS;
  const seen = new Set<string>();
  for (const report of reports) {
    if (seen.has(report.subtask_id) || report.at.getTime() > limit || lastState(report.subtask_id) !== report.state) return false;
    seen.add(report.subtask_id);
  }
  return reports.length > 0;
}

/** The columns a heartbeat writes (its state stays): what `judgeBatch` would write, less the state. */
export function heartbeatWrite(report: BatchReport): HeartbeatWrite {
  return {
    id: report.subtask_id,
    generation: report.generation,
    state: report.state,
    status_reason: report.state === 'running' ? null : (report.status_reason ?? null),
    progress: report.progress ?? null,
    reported_at: report.at,
  };
}

/**
 * The last applied state of subtasks this replica has seen reports for, bounded (cleared past
 * `max` entries): it only decides whether a batch tries the heartbeat write first.
 */
export class ReportedStates {
  private readonly states = new Map<string, SubtaskState>();

  constructor(private readonly max = 200_000) {}

  get(subtaskId: string): SubtaskState | undefined {
    return this.states.get(subtaskId);
  }

  set(subtaskId: string, state: SubtaskState): void {
    if (this.states.size >= this.max && !this.states.has(subtaskId)) this.states.clear();
    this.states.set(subtaskId, state);
  }
}
