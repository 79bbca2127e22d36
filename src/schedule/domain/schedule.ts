import { DateTime, FixedOffsetZone, IANAZone } from 'luxon';

/**
 * A task's run schedule (API.md §8): weekly windows in the wall time of one IANA zone.
 *
 * - `days`: ISO weekdays (1 Monday … 7 Sunday) on which the window *opens*.
 * - `start`/`end`: `HH:mm` local wall time. `end < start` ends on the next day (overnight);
 *   `end == start` is a 24-hour window (of wall time) ending at `start` on the next day.
 *
 * `null` (no schedule) means always; every function here takes a schedule that
 * `validateSchedule` accepted (at least one window, not open at every hour of the week).
 */
export interface ScheduleWindowRule {
  days: number[];
  start: string;
  end: string;
}

export interface Schedule {
  timezone: string;
  windows: ScheduleWindowRule[];
}

/** One concrete window: open at `open` (inclusive), closed again from `close` (exclusive). */
export interface ScheduleWindow {
  open: Date;
  close: Date;
}

export interface ScheduleState {
  /** True when `now` lies in a window (`open <= now < close`). */
  inside: boolean;
  /** The window `now` lies in; null outside. */
  window: ScheduleWindow | null;
  /** Inside: the window's close. Outside: the next window's open. Always after `now`. */
  nextTransitionAt: Date;
}

export interface ScheduleTransition {
  at: Date;
  kind: 'open' | 'close';
  /** The same instant in the schedule's zone, ISO-8601 with its offset (2026-03-08T03:00:00-04:00). */
  local: string;
}

export const MAX_SCHEDULE_WINDOWS = 32;
export const MAX_PREVIEW_TRANSITIONS = 100;
export const HOUR_MINUTE = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * A merged window never lasts longer than this for an accepted schedule: its weekly pattern has a
 * closed stretch, which vanishes only in a week whose closed stretch lies wholly inside a
 * daylight-saving gap — so a window can run on into the following week, never for three.
 */
const MAX_WINDOW_DAYS = 22;
/** Days without any opening before a schedule counts as broken (weekly rules open every 7 days; 14 around a gap). */
const MAX_QUIET_DAYS = 15;

/** The zone check used by the validation and the DTO alike: an IANA zone name Luxon (Intl) knows. */
export function isIanaZone(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 64) return false;
  // Luxon builds an Intl formatter per check (about 100 µs); the answers are remembered.
  let valid = zoneChecks.get(value);
  if (valid === undefined) {
    if (zoneChecks.size >= 1000) zoneChecks.clear();
    valid = IANAZone.isValidZone(value);
    zoneChecks.set(value, valid);
  }
  return valid;
}
const zoneChecks = new Map<string, boolean>();

export function isHourMinute(value: unknown): value is string {
  return typeof value === 'string' && HOUR_MINUTE.test(value);
}

export function isIsoWeekday(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 7;
}

/**
 * Whether the weekly pattern covers every minute of the week (it would never close). Counted on
 * the wall-time week, which is exact: where wall time is covered without a break, the windows'
 * instants overlap or touch across daylight-saving changes too (see `reach`).
 */
export function coversWholeWeek(windows: ScheduleWindowRule[]): boolean {
  const WEEK = 7 * 1440;
  const spans: [number, number][] = [];
  for (const w of windows) {
    const start = minuteOfDay(w.start);
    const end = minuteOfDay(w.end);
    const length = end > start ? end - start : end - start + 1440;
    for (const day of w.days) {
      const from = (day - 1) * 1440 + start;
      const to = from + length;
      if (to <= WEEK) spans.push([from, to]);
      else spans.push([from, WEEK], [0, to - WEEK]);
    }
  }
  spans.sort((a, b) => a[0] - b[0]);
  let covered = 0;
  for (const [from, to] of spans) {
    if (from > covered) return false;
    covered = Math.max(covered, to);
  }
  return covered >= WEEK;
}

function minuteOfDay(hhmm: string): number {
  const match = HOUR_MINUTE.exec(hhmm);
  if (!match) throw new RangeError(`not HH:mm: ${hhmm}`);
  return Number(match[1]) * 60 + Number(match[2]);
}

interface Rule {
  hour: number;
  minute: number;
  endHour: number;
  endMinute: number;
  overnight: boolean;
}

interface Compiled {
  zone: string;
  /** Rules by ISO weekday (index 1..7), sorted by start. */
  byWeekday: Rule[][];
}

/** A window as epoch milliseconds, [open, close). */
interface Span {
  open: number;
  close: number;
}

/**
 * Compiled once per schedule object: a claim's subtasks share their task's schedule, and each
 * asks for its window. Schedules are values, never changed in place.
 */
const compiled = new WeakMap<Schedule, Compiled>();

function compile(schedule: Schedule): Compiled {
  let found = compiled.get(schedule);
  if (!found) {
    found = compileUncached(schedule);
    compiled.set(schedule, found);
  }
  return found;
}

function compileUncached(schedule: Schedule): Compiled {
  if (!isIanaZone(schedule.timezone)) throw new RangeError(`unknown time zone: ${String(schedule.timezone)}`);
  if (!schedule.windows.length) throw new RangeError('a schedule needs at least one window');
  const byWeekday: Rule[][] = Array.from({ length: 8 }, () => []);
  for (const w of schedule.windows) {
    const start = minuteOfDay(w.start);
    const end = minuteOfDay(w.end);
    const rule: Rule = { hour: Math.floor(start / 60), minute: start % 60, endHour: Math.floor(end / 60), endMinute: end % 60, overnight: end <= start };
    for (const day of w.days) {
      if (!isIsoWeekday(day)) throw new RangeError(`not an ISO weekday: ${String(day)}`);
      byWeekday[day].push(rule);
    }
  }
  for (const rules of byWeekday) rules.sort((a, b) => a.hour * 60 + a.minute - (b.hour * 60 + b.minute));
  return { zone: schedule.timezone, byWeekday };
}

/**
 * The instant a window boundary at wall time `hour:minute` on the calendar `day` stands for: the
 * first instant at which the zone's clock shows that wall time or a later one. This one rule
 * settles both daylight-saving cases, for opens and closes alike:
 *
 * - Spring forward (02:30 in America/New_York on 2026-03-08 does not exist): the first valid
 *   instant after the gap, i.e. the transition itself (03:00 EDT). Luxon on its own would shift
 *   the wall time by the gap's length (03:30 EDT) and lose the half hour of the window that does
 *   exist, so the transition is searched for on Luxon's zone offsets. A window lying wholly in the
 *   gap opens and closes at the same instant: it does not happen that day.
 * - Fall back (01:30 in America/New_York on 2026-11-01 happens twice): the first occurrence
 *   (01:30 EDT), where Luxon on its own picks the second. A window happens once; its boundaries
 *   do not move to the repeated hour.
 *
 * Every window therefore lasts its real elapsed time between those instants: 22:00–06:00 over
 * the spring-forward night is 7 hours, over the fall-back night 9; a 24-hour window is 23 or 25.
 * Because the mapping from wall time to instants never goes backwards, windows that touch in wall
 * time touch as instants too, and a window that closes at 07:00 merges with one that opens then.
 */
function reach(zone: string, day: number, hour: number, minute: number): number {
  const key = `${zone} ${day} ${hour}:${minute}`;
  let ms = reachCache.get(key);
  if (ms === undefined) {
    if (reachCache.size >= REACH_CACHE_SIZE) reachCache.clear();
    const { year, month, day: dayOfMonth } = calendarDay(day);
    ms = reachUncached(zone, { year, month, day: dayOfMonth, hour, minute });
    reachCache.set(key, ms);
  }
  return ms;
}

/**
 * Remembered answers of `reach`, which depends on nothing but its arguments and the zone rules:
 * each costs several Intl offset look-ups (about 50 µs), and a reconciler asks about the same few
 * days of the same schedules over and over.
 */
const reachCache = new Map<string, number>();
const REACH_CACHE_SIZE = 20_000;

function reachUncached(zone: string, wall: { year: number; month: number; day: number; hour: number; minute: number }): number {
  const { hour, minute } = wall;
  const local = DateTime.fromObject(wall, { zone });
  if (local.year === wall.year && local.month === wall.month && local.day === wall.day && local.hour === hour && local.minute === minute) {
    return Math.min(...local.getPossibleOffsets().map((candidate) => candidate.toMillis()));
  }
  // In a gap Luxon reads the wall time with the offset before it, which lands after the
  // transition; read with the offset after it, the wall time lands before the transition.
  const after = local.offset;
  let hi = local.toMillis();
  let lo = DateTime.fromObject(wall, { zone: FixedOffsetZone.instance(after) }).toMillis();
  const iana = IANAZone.create(zone);
  if (iana.offset(lo) === after) return hi;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (iana.offset(mid) === after) hi = mid;
    else lo = mid;
  }
  return hi;
}

/**
 * Calendar dates are day numbers (days since 1970-01-01), so that "the next day" is `day + 1`;
 * Luxon turns them into year, month, day and ISO weekday (remembered: Luxon's `plus` on a
 * DateTime costs about 15 µs, and the same few dates come up on every call).
 */
interface CalendarDay {
  year: number;
  month: number;
  day: number;
  weekday: number;
}
const calendarCache = new Map<number, CalendarDay>();

function calendarDay(day: number): CalendarDay {
  let found = calendarCache.get(day);
  if (!found) {
    if (calendarCache.size >= REACH_CACHE_SIZE) calendarCache.clear();
    const date = DateTime.fromMillis(0, { zone: 'utc' }).plus({ days: day });
    found = { year: date.year, month: date.month, day: date.day, weekday: date.weekday };
    calendarCache.set(day, found);
  }
  return found;
}

/** The day number of the calendar date that `ms` falls on in `zone`: its wall time (UTC plus the zone's offset then), in whole days. */
function localDay(zone: string, ms: number): number {
  const offsetMinutes = IANAZone.create(zone).offset(ms);
  return Math.floor((ms + offsetMinutes * 60_000) / 86_400_000);
}

/** The windows of the rules that open on `day`, in order of opening; empty ones (inside a gap) left out. */
function spansOpeningOn(c: Compiled, day: number): Span[] {
  const spans: Span[] = [];
  for (const rule of c.byWeekday[calendarDay(day).weekday]) {
    const open = reach(c.zone, day, rule.hour, rule.minute);
    const close = reach(c.zone, rule.overnight ? day + 1 : day, rule.endHour, rule.endMinute);
    if (close > open) spans.push({ open, close });
  }
  return spans;
}

/**
 * Merged windows in order, from the rules opening on `first` onwards. Windows that overlap or
 * touch (same day, across days, an overnight window running into the next morning's, Sunday into
 * Monday) are one window. `clipped` marks a window that windows opening before `first` might
 * extend further back.
 */
function* mergedFrom(c: Compiled, first: number): Generator<Span & { clipped: boolean }> {
  // Windows opening before `first` close before this instant (they end by the next day's 23:59).
  const unseenCloseBefore = reach(c.zone, first + 1, 0, 0);
  let current: Span | null = null;
  let currentSince = 0;
  let lastOpening = 0;
  for (let day = 0; ; day++) {
    for (const span of spansOpeningOn(c, first + day)) {
      lastOpening = day;
      if (current && span.open <= current.close) {
        current.close = Math.max(current.close, span.close);
        continue;
      }
      if (current) yield { ...current, clipped: current.open < unseenCloseBefore };
      current = span;
      currentSince = day;
    }
    // Nothing opening from the next day on can touch a window closed before that day begins.
    if (current && current.close < reach(c.zone, first + day + 1, 0, 0)) {
      yield { ...current, clipped: current.open < unseenCloseBefore };
      current = null;
    }
    if (current && day - currentSince > MAX_WINDOW_DAYS) throw new RangeError(`schedule open for more than ${MAX_WINDOW_DAYS} days without a break`);
    if (day - lastOpening > MAX_QUIET_DAYS) throw new RangeError(`no schedule window opens within ${MAX_QUIET_DAYS} days`);
  }
}

/** Merged windows in order that close after `t`; the first may contain `t`. */
function* spansAfter(c: Compiled, t: number): Generator<Span> {
  const today = localDay(c.zone, t);
  // A window containing t opens on its local date or the day before (two days back covers folds
  // that cross midnight); a merged one can reach back further, which `clipped` reveals.
  for (const back of [2, MAX_WINDOW_DAYS + 2]) {
    let started = false;
    for (const span of mergedFrom(c, today - back)) {
      if (!started) {
        if (span.close <= t) continue;
        if (span.clipped) break;
        // The windows after an unclipped one open later still, so none of them is clipped.
        started = true;
      }
      yield span;
    }
  }
  throw new RangeError(`schedule open for more than ${MAX_WINDOW_DAYS} days without a break`);
}

const toWindow = (span: Span): ScheduleWindow => ({ open: new Date(span.open), close: new Date(span.close) });

function firstSpan(c: Compiled, t: number): Span {
  const result = spansAfter(c, t).next();
  if (result.done) throw new RangeError('schedule has no window');
  return result.value;
}

/** The (merged) window containing `instant` (`open <= instant < close`), or null outside every window. */
export function windowAt(schedule: Schedule, instant: Date): ScheduleWindow | null {
  const t = instant.getTime();
  const span = firstSpan(compile(schedule), t);
  return span.open <= t ? toWindow(span) : null;
}

/**
 * The next window whose opening is strictly after `after`. Inside a window, that is the one after
 * it (the current one has already opened; `windowAt` returns it). At exactly an opening instant,
 * the window opening then counts as current, not next.
 */
export function nextWindow(schedule: Schedule, after: Date): ScheduleWindow {
  const t = after.getTime();
  for (const span of spansAfter(compile(schedule), t)) {
    if (span.open > t) return toWindow(span);
  }
  throw new RangeError('schedule has no window');
}

/**
 * What a reconciler needs at `now`: inside a window it should run until `close`; outside it should
 * be stopped until the next `open`. Requeueing at `nextTransitionAt` sees every window, however
 * short, because a window's open is a transition of its own.
 */
export function scheduleState(schedule: Schedule, now: Date): ScheduleState {
  const t = now.getTime();
  const c = compile(schedule);
  const span = firstSpan(c, t);
  if (span.open <= t) return { inside: true, window: toWindow(span), nextTransitionAt: new Date(span.close) };
  return { inside: false, window: null, nextTransitionAt: new Date(span.open) };
}

/**
 * The next `count` openings and closings at or after `from`, in order: a window containing
 * `from` contributes its close (and its open when it opens exactly at `from`).
 */
export function previewTransitions(schedule: Schedule, from: Date, count: number): ScheduleTransition[] {
  if (!Number.isInteger(count) || count < 0 || count > MAX_PREVIEW_TRANSITIONS) {
    throw new RangeError(`count must be an integer from 0 to ${MAX_PREVIEW_TRANSITIONS}`);
  }
  const c = compile(schedule);
  const t = from.getTime();
  const transitions: ScheduleTransition[] = [];
  const push = (at: number, kind: ScheduleTransition['kind']) =>
    transitions.push({ at: new Date(at), kind, local: DateTime.fromMillis(at, { zone: c.zone }).toISO({ suppressMilliseconds: true }) as string });
  if (count === 0) return transitions;
  for (const span of spansAfter(c, t)) {
    if (span.open >= t) push(span.open, 'open');
    if (transitions.length < count) push(span.close, 'close');
    if (transitions.length >= count) break;
  }
  return transitions.slice(0, count);
}

/**
 * A window's identity: its opening instant (ISO-8601, UTC). A reconciler records it when it
 * dispatches for a window, so the same window is never started twice, by any replica or after a
 * restart in the middle of it; the next window has another opening and so another id.
 */
export function windowId(open: Date): string {
  return open.toISOString();
}
