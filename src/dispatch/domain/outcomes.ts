import type { SubtaskState } from '../../subtask/domain/states';
import type { OutcomeWrite } from '../../subtask/domain/writes';
import { backoffDelay, BackoffPolicy } from './backoff';

/** The subtask columns an outcome may write. */
export type OutcomePatch = OutcomeWrite;

/**
 * What one finished piece of work writes: applied only while the claim still holds the subtask,
 * its generation is unchanged and its state is one of `expected`.
 */
export interface Outcome {
  expected: readonly SubtaskState[];
  patch: OutcomePatch;
  /** Worth a warning in the log (an operator would want to know without reading the database). */
  warn?: string;
}

export interface ClaimedSubtask {
  state: SubtaskState;
  generation: number;
  attempts: number;
  progress: number | null;
}

const clip = (text: string): string => (text.length > 1024 ? `${text.slice(0, 1023)}…` : text);
const at = (d: Date): string => d.toISOString();

/**
 * Dispatch accepted (2xx, or 409 for the same generation): running until reports say otherwise,
 * and, under a schedule, due again at its window's close.
 */
export function dispatchAccepted(now: Date, closeAt: Date | null = null): Outcome {
  return { expected: ['dispatching'], patch: { state: 'running', heartbeat_at: now, status_reason: null, attempts: 0, next_attempt_at: closeAt } };
}

/** A 4xx refusal is an answer about the subtask itself: retrying the same thing cannot help. */
export function dispatchRefused(reason: string): Outcome {
  const text = clip(`the ops service refused the subtask (${reason})`);
  return { expected: ['dispatching'], patch: { state: 'failed', status_reason: text, last_error: clip(reason), next_attempt_at: null }, warn: text };
}

/**
 * The ops service could not be reached or answered 5xx/timeout: the subtask stays on its way
 * (`dispatching`, `stopping` or `lost`), and the next attempt is due after a capped, jittered
 * backoff, for as long as the wish stands. The reason names the real cause, the count and the time.
 */
export function retryLater(subtask: ClaimedSubtask, what: string, cause: string, now: Date, policy: BackoffPolicy, random?: () => number): Outcome {
  const attempts = subtask.attempts + 1;
  const next = new Date(now.getTime() + backoffDelay(attempts, policy, random));
  const text = clip(`${what}: ${cause}; attempt ${attempts}, next attempt at ${at(next)}`);
  return { expected: [subtask.state], patch: { attempts, next_attempt_at: next, last_error: clip(cause), status_reason: text }, warn: text };
}

/** The breaker is open: no call was made, so the attempt count stays; try when it lets calls through. */
export function waitForCircuit(subtask: ClaimedSubtask, what: string, cause: string, retryAt: Date): Outcome {
  const text = clip(`${what}: waiting for the ops service to recover (${cause}); attempt ${subtask.attempts}, next attempt at ${at(retryAt)}`);
  return { expected: [subtask.state], patch: { next_attempt_at: retryAt, status_reason: text } };
}

/** The stop is confirmed (or the ops service has nothing under this id): stopped. */
export function stopConfirmed(): Outcome {
  return { expected: ['stopping'], patch: { state: 'stopped', status_reason: null, attempts: 0, next_attempt_at: null } };
}

/** The ops service answered the stop with a refusal: it may still run, so it stays stopping and is asked again. */
export function stopRefused(subtask: ClaimedSubtask, reason: string, now: Date, policy: BackoffPolicy, random?: () => number): Outcome {
  return retryLater(subtask, 'stop not confirmed', `the ops service refused the stop: ${reason}`, now, policy, random);
}

/** The window is still open (it was extended, or merged with the next): due again at its close. */
export function stillInWindow(subtask: ClaimedSubtask, closeAt: Date): Outcome {
  return { expected: [subtask.state], patch: { next_attempt_at: closeAt } };
}

/** A running subtask whose window closed: stopping, until the ops service confirms. */
export function windowClosing(): Outcome {
  return { expected: ['running'], patch: { state: 'stopping', status_reason: 'the schedule window closed; stopping until the next one' } };
}

/**
 * The close is confirmed: waiting for the next window under the next generation (each window's
 * run is a dispatch of its own, and reports of the last one no longer apply).
 */
export function windowClosed(subtask: ClaimedSubtask, opensAt: Date, reason: string): Outcome {
  return {
    expected: ['stopping'],
    patch: {
      state: 'scheduled',
      generation: subtask.generation + 1,
      next_attempt_at: opensAt,
      attempts: 0,
      progress: null,
      reported_at: null,
      status_reason: reason,
    },
  };
}

/** A scheduled subtask whose window is already over (the service was down through it): the next one. */
export function waitForWindow(opensAt: Date, reason: string): Outcome {
  return { expected: ['scheduled'], patch: { next_attempt_at: opensAt, status_reason: reason } };
}

/** A lost subtask the ops service no longer knows (restart, failover): dispatch again under a new generation. */
export function lostForgotten(subtask: ClaimedSubtask, now: Date): Outcome {
  return {
    expected: ['lost'],
    patch: {
      state: 'dispatching',
      generation: subtask.generation + 1,
      next_attempt_at: now,
      attempts: 0,
      progress: null,
      reported_at: null,
      status_reason: 'lost by the ops service; dispatched again',
    },
    warn: 'lost subtask unknown to the ops service; dispatched again under a new generation',
  };
}

/** The ops service says what a lost subtask is doing: converge on that. */
export function lostObserved(
  subtask: ClaimedSubtask,
  observed: SubtaskState,
  reason: string | null,
  progress: number | null,
  now: Date,
  closeAt: Date | null = null,
): Outcome {
  return {
    expected: ['lost'],
    patch: {
      state: observed,
      status_reason: observed === 'running' ? null : reason,
      progress: progress ?? subtask.progress,
      heartbeat_at: now,
      attempts: 0,
      next_attempt_at: observed === 'running' ? closeAt : null,
    },
  };
}

/** A scheduled subtask whose time has come is dispatched. */
export function dispatchDue(): Outcome {
  return { expected: ['scheduled'], patch: { state: 'dispatching', status_reason: null } };
}

/** The task is gone (deleted under the claim): nothing to dispatch. */
export function taskGone(): Outcome {
  return { expected: ['dispatching'], patch: { state: 'failed', status_reason: 'the task no longer exists', next_attempt_at: null } };
}
