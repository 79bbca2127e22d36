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

export interface SubtaskStatusInput {
  state: SubtaskState;
  desired_state: DesiredState;
}

/** Subtask states in which work is under way on an analysis server, or about to be. */
export const ACTIVE_STATES: readonly SubtaskState[] = ['scheduled', 'dispatching', 'running', 'stopping', 'lost'];

export function isActive(subtask: SubtaskStatusInput): boolean {
  return (
    ACTIVE_STATES.includes(subtask.state) ||
    (subtask.desired_state === 'run' && subtask.state !== 'completed' && subtask.state !== 'failed' && subtask.state !== 'stopped')
  );
}
