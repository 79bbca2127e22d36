import dayjs from 'dayjs';
import customParseFormat from 'dayjs/plugin/customParseFormat';
import timezone from 'dayjs/plugin/timezone';
import utc from 'dayjs/plugin/utc';

dayjs.extend(utc);
dayjs.extend(timezone);
dayjs.extend(customParseFormat);

/** The original's wire format for date-times, interpreted in the configured time zone. */
export const WIRE_FORMAT = 'YYYY-MM-DD HH:mm:ss.SSS';
const LOCAL_PATTERN = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(\.\d{1,3})?$/;
const ISO_WITH_OFFSET = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:?\d{2})$/;
export const TIME_OF_DAY = /^([01]\d|2[0-3]):[0-5]\d:[0-5]\d$/;

export function isWireDateTime(value: unknown): value is string {
  return typeof value === 'string' && (LOCAL_PATTERN.test(value) || ISO_WITH_OFFSET.test(value));
}

/** True when the calendar has this day (2018-02-30 does not); Date.UTC would roll it over silently. */
function isCalendarDate(year: number, month: number, day: number): boolean {
  const date = new Date(Date.UTC(year, month - 1, day));
  return date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}

/** `YYYY-MM-DD HH:mm:ss[.S{1,3}]` in `zone`, or ISO-8601 with an offset; null when not a real instant. */
export function parseWireDateTime(value: string, zone: string): Date | null {
  const iso = ISO_WITH_OFFSET.test(value);
  if (!iso && !LOCAL_PATTERN.test(value)) return null;
  const [year, month, day] = value.slice(0, 10).split('-').map(Number);
  const [hour, minute, second] = value.slice(11, 19).split(':').map(Number);
  if (!isCalendarDate(year, month, day) || hour > 23 || minute > 59 || second > 59) return null;
  if (iso) return dayjs(value).toDate();
  const fraction = (value.split('.')[1] ?? '').padEnd(3, '0');
  const parsed = dayjs.tz(`${value.slice(0, 19)}.${fraction}`, WIRE_FORMAT, zone);
  return parsed.isValid() ? parsed.toDate() : null;
}

export function formatWireDateTime(date: Date | null | undefined, zone: string): string | null {
  if (!date) return null;
  return dayjs(date).tz(zone).format(WIRE_FORMAT);
}
