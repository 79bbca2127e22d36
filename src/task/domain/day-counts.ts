/**
 * Live tasks counted per UTC day of their create_dt, so a deep page of the newest-first list can
 * skip whole days by their counts and walk the index only inside the day where the page begins.
 */

const DAY_MS = 86_400_000;

export interface DayCount {
  /** Days since 1970-01-01 (UTC) of create_dt. */
  day: number;
  live: number;
}

/** The day number a create_dt is counted under. */
export const dayOf = (date: Date): number => Math.floor(date.getTime() / DAY_MS);

/** The first instant of `day` (UTC). */
export const dayStart = (day: number): Date => new Date(day * DAY_MS);

export type OffsetLocation =
  /** Row `offset` is row `skip` (0-based) of the tasks created before the end of `day`. */
  | { found: true; day: number; skip: number }
  /** Not among these days: `passed` live tasks were skipped, look further back. */
  | { found: false; passed: number };

/**
 * Where row `offset` of the newest-first list lies, given days newest first. Days with no live task
 * (a count can fall to zero) are passed over; a negative count, which only hand-written SQL could
 * cause, counts as zero rather than moving the page forward.
 */
export function locateOffset(days: readonly DayCount[], offset: number): OffsetLocation {
  let passed = 0;
  for (const { day, live } of days) {
    const count = Math.max(0, live);
    if (offset < passed + count) return { found: true, day, skip: offset - passed };
    passed += count;
  }
  return { found: false, passed };
}
