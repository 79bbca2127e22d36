/** How long to wait before the next attempt after `attempt` failed attempts (1-based). */
export interface BackoffPolicy {
  baseMs: number;
  capMs: number;
}

/**
 * Capped exponential backoff with equal jitter: the ceiling doubles from `baseMs` per attempt up to
 * `capMs`, and the delay is drawn from its upper half. So retries of many subtasks spread out
 * (no thundering herd when the ops service returns), and none waits longer than the cap: once it
 * is back, everything is tried again within one cap.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(attempt, 1) - 1, 30);
  const ceiling = Math.min(policy.capMs, policy.baseMs * 2 ** exponent);
  const r = Math.min(Math.max(random(), 0), 1);
  return Math.round(ceiling / 2 + (ceiling / 2) * r);
}
