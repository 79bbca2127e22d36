import dayjs from 'dayjs';
import customParseFormat from 'dayjs/plugin/customParseFormat';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';

dayjs.extend(utc);
dayjs.extend(timezone);
dayjs.extend(customParseFormat);

/** The original's wire format for date-times, interpreted in the configured time zone. */
export const WIRE_FORMAT = 'YYYY-MM-DD HH:mm:ss.SSS';
const FIELDS_FORMAT = 'YYYY-MM-DD HH:mm:ss';
const LOCAL_PATTERN = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,3})?$/;
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;
export const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/;

export function isWireDateTime(value: unknown): value is string {
  return typeof value === 'string' && (LOCAL_PATTERN.test(value) || ISO_WITH_OFFSET.test(value));
}

/** `YYYY-MM-DD HH:mm:ss[.S{1,3}]` in `zone`, or ISO-8601 with an offset; null when not a real instant. */
export function parseWireDateTime(value: string, zone: string): Date | null {
  const iso = ISO_WITH_OFFSET.test(value);
  if (!iso && !LOCAL_PATTERN.test(value)) return null;
  // Strict: what the calendar or the clock does not have (2018-02-30, 25:00) is refused, not rolled over.
  const fields = calendarFields(value);
  if (!fields) return null;
  if (iso) return new Date(value);
  const millis = Number((value.split('.')[1] ?? '').padEnd(3, '0'));
  const wall = wallClockMs(fields) + millis;
  if (zone === 'UTC') return new Date(wall);
  const offset = steadyOffset(zone, wall);
  if (offset !== null) return new Date(wall - offset);
  // Near a zone's offset change (a gap or a fold), dayjs settles which instant is meant.
  // The whole seconds go through dayjs.tz and the milliseconds are added after: dayjs's zone offset
  // drops the milliseconds of instants before 1970 the wrong way and reads them a second late.
  // A zone changes offset only on a whole second, so the milliseconds cannot cross a change.
  const parsed = dayjs.tz(value.slice(0, 19), FIELDS_FORMAT, zone);
  return parsed.isValid() ? new Date(parsed.valueOf() + millis) : null;
}

interface CalendarFields {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

/** The date and time fields of a wire date-time (its shape already checked), or null when the calendar or the clock has no such time. */
function calendarFields(value: string): CalendarFields | null {
  const n = (from: number, to: number) => Number(value.slice(from, to));
  const f = { year: n(0, 4), month: n(5, 7), day: n(8, 10), hour: n(11, 13), minute: n(14, 16), second: n(17, 19) };
  if (f.month < 1 || f.month > 12 || f.day < 1 || f.hour > 23 || f.minute > 59 || f.second > 59) return null;
  const daysInMonth = new Date(wallClockMs({ ...f, month: f.month + 1, day: 0, hour: 0, minute: 0, second: 0 })).getUTCDate();
  return f.day <= daysInMonth ? f : null;
}

/** The fields read as UTC, in epoch ms (any year: Date.UTC alone maps years 0–99 to 1900–1999). */
function wallClockMs(f: CalendarFields): number {
  const date = new Date(0);
  date.setUTCFullYear(f.year, f.month - 1, f.day);
  date.setUTCHours(f.hour, f.minute, f.second, 0);
  return date.getTime();
}

/**
 * The zone's offset for a wall-clock time when it is the same for 14 hours either side (so no
 * change of offset can make the wall time ambiguous or missing); null near a change, or outside
 * the years the per-hour offsets cover.
 */
function steadyOffset(zone: string, wallMs: number): number | null {
  if (!(wallMs >= FAST_RANGE.from && wallMs < FAST_RANGE.to)) return null;
  const before = offsetInHour(zone, wallMs - 14 * HOUR);
  const after = offsetInHour(zone, wallMs + 14 * HOUR);
  return Number.isNaN(before) || before !== after ? null : before;
}

/**
 * One Intl formatter per zone, built once: dayjs's tz() builds a new ICU formatter on every call
 * (toLocaleString), which made date formatting a third of the CPU of GET /tasks. It is asked only
 * for the offset of each UTC hour; the fields are then plain arithmetic.
 */
const wireFormatters = new Map<string, Intl.DateTimeFormat>();
function wireFormatter(zone: string): Intl.DateTimeFormat {
  let formatter = wireFormatters.get(zone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    wireFormatters.set(zone, formatter);
  }
  return formatter;
}

/** The zone's offset (ms) at an instant, from the formatter's wall-clock fields. */
function offsetAt(zone: string, ms: number): number {
  const f: Record<string, number> = {};
  for (const part of wireFormatter(zone).formatToParts(new Date(ms))) if (part.type !== 'literal') f[part.type] = Number(part.value);
  return Date.UTC(f.year, f.month - 1, f.day, f.hour, f.minute, f.second) - (ms - (((ms % 1000) + 1000) % 1000));
}

/**
 * Offsets per zone and UTC hour. An hour whose start and end share an offset has no transition
 * in it (zones change at most once in an hour), so every instant in it formats with arithmetic;
 * an hour with a transition is marked NaN and formatted field by field.
 */
const hourOffsets = new Map<string, Map<number, number>>();
const HOUR = 3_600_000;

function offsetInHour(zone: string, ms: number): number {
  let hours = hourOffsets.get(zone);
  if (!hours) hourOffsets.set(zone, (hours = new Map<number, number>()));
  const hour = Math.floor(ms / HOUR);
  let offset = hours.get(hour);
  if (offset === undefined) {
    const start = offsetAt(zone, hour * HOUR);
    offset = start === offsetAt(zone, hour * HOUR + HOUR - 1) ? start : NaN;
    if (hours.size >= 100_000) hours.clear();
    hours.set(hour, offset);
  }
  return offset;
}

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));
const pad3 = (n: number) => (n < 10 ? `00${n}` : n < 100 ? `0${n}` : String(n));

/** Years 1000..9999, two days in from either end: where instants are read and written with the per-hour offsets. */
const FAST_RANGE = { from: -30610224000000 + 2 * 86_400_000, to: 253402300800000 - 2 * 86_400_000 };

export function formatWireDateTime(date: Date | null | undefined, zone: string): string | null {
  if (!date) return null;
  const ms = date.getTime();
  // Outside years 1000..9999 (and for invalid dates) keep dayjs's exact output.
  if (!(ms >= FAST_RANGE.from && ms < FAST_RANGE.to)) return dayjs(date).tz(zone).format(WIRE_FORMAT);
  const offset = offsetInHour(zone, ms);
  if (Number.isNaN(offset)) return dayjs(date).tz(zone).format(WIRE_FORMAT);
  const local = new Date(ms + offset);
  return `${local.getUTCFullYear()}-${pad2(local.getUTCMonth() + 1)}-${pad2(local.getUTCDate())} ${pad2(local.getUTCHours())}:${pad2(local.getUTCMinutes())}:${pad2(local.getUTCSeconds())}.${pad3(local.getUTCMilliseconds())}`;
}
