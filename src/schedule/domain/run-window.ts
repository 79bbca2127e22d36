import { DateTime } from 'luxon';
import { nextWindow, Schedule, windowAt } from './schedule';

/** When a subtask may run next, and until when. */
export interface RunWindow {
  /** The earliest instant at or after `notBefore` inside a window (`notBefore` itself without a schedule). */
  at: Date;
  /** When that window closes; null without a schedule (always). */
  closeAt: Date | null;
  /** `notBefore` lies inside a window (or there is no schedule). */
  inside: boolean;
}

/**
 * The run window for `notBefore` (a start, run_dt, or a moment the reconciler looks again):
 * no schedule means always; inside a window runs now until its close; outside waits for the next
 * opening. A window already over is never run late: the next one is.
 */
export function runWindow(schedule: Schedule | null, notBefore: Date): RunWindow {
  if (!schedule) return { at: notBefore, closeAt: null, inside: true };
  const current = windowAt(schedule, notBefore);
  if (current) return { at: notBefore, closeAt: current.close, inside: true };
  const next = nextWindow(schedule, notBefore);
  return { at: next.open, closeAt: next.close, inside: false };
}

/** An instant in the schedule's zone, ISO-8601 with its offset, for reasons an operator reads. */
export function localTime(schedule: Schedule, at: Date): string {
  return DateTime.fromJSDate(at, { zone: schedule.timezone }).toISO({ suppressMilliseconds: true }) ?? at.toISOString();
}
