/** Observed state of a subtask (API.md section 5). */
export const SUBTASK_STATES = [
  'unconfigured',
  'configured',
  'scheduled',
  'dispatching',
  'running',
  'stopping',
  'stopped',
  'failed',
  'completed',
  'lost',
] as const;
export type SubtaskState = (typeof SUBTASK_STATES)[number];

/** What the operator asked for: `idle` until the first start, then `run` or `stop`. */
export const DESIRED_STATES = ['idle', 'run', 'stop'] as const;
export type DesiredState = (typeof DESIRED_STATES)[number];

export const TASK_STATUSES = [
  'unconfigured',
  'ready',
  'starting',
  'running',
  'degraded',
  'failed',
  'stopping',
  'stopped',
  'completed',
] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export type StatusCounts = Record<SubtaskState, number>;

export interface SubtaskStatusInput {
  state: SubtaskState;
  desired_state: DesiredState;
}

export function emptyStatusCounts(): StatusCounts {
  return Object.fromEntries(SUBTASK_STATES.map((s) => [s, 0])) as StatusCounts;
}

export function countStates(subtasks: readonly SubtaskStatusInput[]): StatusCounts {
  const counts = emptyStatusCounts();
  for (const { state } of subtasks) counts[state] += 1;
  return counts;
}

/** Subtask states in which work is under way on an analysis server, or about to be. */
export const ACTIVE_STATES: readonly SubtaskState[] = ['scheduled', 'dispatching', 'running', 'stopping', 'lost'];

export function isActive(subtask: SubtaskStatusInput): boolean {
  return ACTIVE_STATES.includes(subtask.state) || (subtask.desired_state === 'run' && subtask.state !== 'completed' && subtask.state !== 'failed' && subtask.state !== 'stopped');
}

/**
 * The big task's status from its subtasks (API.md section 5), first matching rule wins.
 * `completed` is tested before `running` because "every subtask completed" also satisfies
 * "every subtask running or completed". A subtask that is configured and wanted running is
 * about to be dispatched, so it counts as starting.
 */
export function deriveTaskStatus(subtasks: readonly SubtaskStatusInput[]): TaskStatus {
  const n = subtasks.length;
  const c = countStates(subtasks);
  if (n === 0 || c.unconfigured > 0) return 'unconfigured';
  if (c.completed === n) return 'completed';

  const wantRun = subtasks.filter((s) => s.desired_state === 'run');
  if (wantRun.length === 0) {
    if (subtasks.every((s) => s.desired_state === 'idle')) return 'ready';
    if (c.running + c.stopping + c.dispatching + c.scheduled + c.lost > 0) return 'stopping';
    return 'stopped';
  }

  const pending = c.scheduled + c.dispatching + wantRun.filter((s) => s.state === 'configured').length;
  const broken = c.failed + c.lost;
  if (pending > 0 && broken === 0) return 'starting';
  if (c.running + c.completed === n) return 'running';
  if (c.running > 0) return 'degraded';
  if (broken > 0) return 'failed';
  return 'stopped';
}
