import { localTime, runWindow } from '../../schedule/domain/run-window';
import type { Schedule } from '../../schedule/domain/schedule';
import type { ControlWrite } from '../../subtask/domain/writes';
import type { DesiredState, SubtaskState } from '../../task/domain/task-status';

/** The columns the state machine reads. */
export interface SubtaskControl {
  state: SubtaskState;
  desired_state: DesiredState;
  generation: number;
  reported_at: Date | null;
}

/** What a start or stop writes to one subtask; `bumpGeneration` starts a new dispatch generation. */
export type ControlPatch = ControlWrite;

/** Already on its way to running under the current generation: a repeated start changes nothing. */
const HEADING_TO_RUN: readonly SubtaskState[] = ['scheduled', 'dispatching', 'running', 'lost'];

/**
 * Start (开始) of one subtask. `null` means nothing to do (idempotent repeat). Before `run_dt`, or
 * outside every window of the task's schedule, the subtask waits as `scheduled` until the first
 * instant it may run; otherwise it is due for dispatch now under a new generation. A stopping
 * subtask is started again under a new generation, which supersedes the old one.
 */
export function planStart(subtask: SubtaskControl, runAt: Date, now: Date, schedule: Schedule | null = null): ControlPatch | null {
  if (subtask.state === 'unconfigured') return null;
  if (subtask.desired_state === 'run' && HEADING_TO_RUN.includes(subtask.state)) return null;
  const notBefore = runAt.getTime() > now.getTime() ? runAt : now;
  const window = runWindow(schedule, notBefore);
  const later = window.at.getTime() > now.getTime();
  const patch: ControlPatch = {
    desired_state: 'run',
    state: later ? 'scheduled' : 'dispatching',
    bumpGeneration: true,
    next_attempt_at: later ? window.at : now,
  };
  if (schedule && !window.inside) patch.status_reason = scheduledReason(schedule, window.at);
  return patch;
}

/** The reason a scheduled subtask shows while it waits for a window. */
export function scheduledReason(schedule: Schedule, opensAt: Date): string {
  return `outside the schedule; the next window opens at ${localTime(schedule, opensAt)}`;
}

/**
 * Stop of one subtask. What never reached the ops service stops at once; what may be running
 * there is `stopping` until the ops service confirms. Subtasks not wanted running are left alone.
 */
export function planStop(subtask: SubtaskControl, now: Date): ControlPatch | null {
  if (subtask.desired_state !== 'run') return null;
  switch (subtask.state) {
    case 'scheduled':
    case 'configured':
      return { desired_state: 'stop', state: 'stopped', bumpGeneration: false, next_attempt_at: null };
    case 'dispatching':
    case 'running':
    case 'lost':
    case 'stopping':
      return { desired_state: 'stop', state: 'stopping', bumpGeneration: false, next_attempt_at: now };
    default:
      // stopped, failed, completed: nothing runs; remember the operator's wish.
      return { desired_state: 'stop', state: subtask.state, bumpGeneration: false, next_attempt_at: null };
  }
}

export const REPORTED_STATES = ['running', 'stopped', 'failed', 'completed'] as const;
export type ReportedState = (typeof REPORTED_STATES)[number];

export interface SubtaskReport {
  generation: number;
  state: ReportedState;
  reported_at: Date;
}

export type ReportVerdict =
  { applied: true; state: SubtaskState } | { applied: false; reason: 'stale_generation' | 'unknown_generation' | 'stale' | 'not_dispatched' | 'clock_ahead' };

/** How far ahead of this service's clock a report may claim to be before it is refused. */
export const REPORT_CLOCK_TOLERANCE_MS = 5 * 60_000;

/** States in which nothing of the subtask's current generation was ever sent to the ops service. */
const NOT_DISPATCHED: readonly SubtaskState[] = ['unconfigured', 'configured'];

/**
 * Whether a report from the ops service changes the subtask, and to what. Reports of an older
 * generation, or not newer than the last applied one, are ignored, so out-of-order and repeated
 * deliveries converge on the newest. While a stop is pending, "running" does not undo it.
 * Reports for a subtask that was never dispatched, or from a clock far ahead, are refused.
 */
export function judgeReport(subtask: SubtaskControl, report: SubtaskReport, now: Date): ReportVerdict {
  if (report.generation < subtask.generation) return { applied: false, reason: 'stale_generation' };
  if (report.generation > subtask.generation) return { applied: false, reason: 'unknown_generation' };
  // A late report must not skip 配置完成 on a subtask that was edited after it stopped.
  if (NOT_DISPATCHED.includes(subtask.state)) return { applied: false, reason: 'not_dispatched' };
  // A clock far ahead would make every later, correct report look stale.
  if (report.reported_at.getTime() > now.getTime() + REPORT_CLOCK_TOLERANCE_MS) return { applied: false, reason: 'clock_ahead' };
  if (subtask.reported_at && report.reported_at.getTime() <= subtask.reported_at.getTime()) {
    return { applied: false, reason: 'stale' };
  }
  // While a stop is pending (asked for, or a schedule window's close), "running" does not undo it;
  // nor does "stopped" end a close, which the reconciler finishes by scheduling the next window.
  if (report.state === 'running' && (subtask.desired_state === 'stop' || subtask.state === 'stopping')) return { applied: true, state: 'stopping' };
  if (report.state === 'stopped' && subtask.desired_state === 'run' && subtask.state === 'stopping') return { applied: true, state: 'stopping' };
  return { applied: true, state: report.state };
}

/** How the ops service's answer to a call is taken (API.md section 6). */
export type OpsOutcome = { kind: 'ok' } | { kind: 'retry'; reason: string } | { kind: 'refused'; reason: string };

/**
 * Any 2xx is success, and so is 409 for the same generation (a replayed dispatch). Other 4xx
 * refuse the subtask with the ops service's reason; 5xx (and 429) are worth retrying.
 */
export function classifyOpsAnswer(status: number, body: unknown, generation: number): OpsOutcome {
  if (status >= 200 && status < 300) return { kind: 'ok' };
  const reason = reasonOf(body) ?? `HTTP ${status}`;
  if (status === 409 && generationOf(body) === generation) return { kind: 'ok' };
  if (status === 429 || status >= 500) return { kind: 'retry', reason: `HTTP ${status}: ${reason}` };
  return { kind: 'refused', reason: `HTTP ${status}: ${reason}` };
}

function reasonOf(body: unknown): string | null {
  if (body && typeof body === 'object') {
    for (const key of ['reason', 'error', 'message', 'enote']) {
      const value = (body as Record<string, unknown>)[key];
      if (typeof value === 'string' && value.trim()) return value.trim().slice(0, 500);
    }
  }
  return null;
}

function generationOf(body: unknown): number | null {
  const value = body && typeof body === 'object' ? (body as Record<string, unknown>).generation : null;
  return typeof value === 'number' ? value : null;
}

/** Ops states a reconcile GET may answer, mapped to ours. */
export function observedState(opsState: unknown): SubtaskState | null {
  return typeof opsState === 'string' && (REPORTED_STATES as readonly string[]).includes(opsState) ? (opsState as SubtaskState) : null;
}
