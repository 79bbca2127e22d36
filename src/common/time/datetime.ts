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

/** `YYYY-MM-DD HH:mm:ss[.SSS]` in `zone`, or ISO-8601 with an offset; null when not a real instant. */
export function parseWireDateTime(value: string, zone: string): Date | null {
  if (ISO_WITH_OFFSET.test(value)) {
    const parsed = dayjs(value);
    return parsed.isValid() ? parsed.toDate() : null;
  }
  if (!LOCAL_PATTERN.test(value)) return null;
  const format = value.includes('.') ? `YYYY-MM-DD HH:mm:ss.${'S'.repeat(value.split('.')[1].length)}` : 'YYYY-MM-DD HH:mm:ss';
  // Strict parse first so that 2018-02-30 is refused instead of rolled over.
  if (!dayjs(value, format, true).isValid()) return null;
  const parsed = dayjs.tz(value, format, zone);
  return parsed.isValid() ? parsed.toDate() : null;
}

export function formatWireDateTime(date: Date | null | undefined, zone: string): string | null {
  if (!date) return null;
  return dayjs(date).tz(zone).format(WIRE_FORMAT);
}
