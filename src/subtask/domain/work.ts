import type { DesiredState, SubtaskState } from './states';

/** What the reconciler does for a subtask that is due. */
export type WorkKind = 'dispatch' | 'stop' | 'close' | 'probe';

export interface WorkRule {
  kind: WorkKind;
  /** The wish the work serves; absent when any wish calls for it. */
  desired: DesiredState | null;
  states: readonly SubtaskState[];
}

/**
 * The one definition of "what work is due for a subtask": the claim's SQL condition is built from
 * it (SubtaskRepository) and `workFor` reads it, so the two cannot disagree.
 * - wanted running and waiting for its time or being dispatched: dispatch it (scheduled first
 *   becomes dispatching);
 * - wanted stopped and possibly still running: ask the ops service to stop it;
 * - wanted running and running (or stopping) past its schedule window's close, which is its
 *   `next_attempt_at` (null without a schedule, so never due): stop it until the next window;
 * - lost (silent past the heartbeat timeout): ask the ops service what it knows.
 */
export const WORK_RULES: readonly WorkRule[] = [
  { kind: 'dispatch', desired: 'run', states: ['scheduled', 'dispatching'] },
  { kind: 'stop', desired: 'stop', states: ['stopping'] },
  { kind: 'close', desired: 'run', states: ['running', 'stopping'] },
  { kind: 'probe', desired: null, states: ['lost'] },
];

/** Each (state, wish) that calls for work, once: the ranges of IDX_subtask_work that due work is found in. */
export const WORK_RANGES: readonly { state: SubtaskState; desired: DesiredState | null }[] = WORK_RULES.flatMap((rule) =>
  rule.states.map((state) => ({ state, desired: rule.desired })),
);

export function workFor(subtask: { state: SubtaskState; desired_state: DesiredState }): WorkKind | null {
  const rule = WORK_RULES.find((r) => r.states.includes(subtask.state) && (r.desired === null || r.desired === subtask.desired_state));
  return rule?.kind ?? null;
}

export interface DueInput {
  state: SubtaskState;
  desired_state: DesiredState;
  next_attempt_at: Date | null;
  lease_until: Date | null;
}

/** Due now: work to do, its time has come, and no live lease holds it. The SQL condition says the same. */
export function isDue(subtask: DueInput, now: Date): boolean {
  if (workFor(subtask) === null) return false;
  if (subtask.next_attempt_at === null || subtask.next_attempt_at.getTime() > now.getTime()) return false;
  return subtask.lease_until === null || subtask.lease_until.getTime() < now.getTime();
}
