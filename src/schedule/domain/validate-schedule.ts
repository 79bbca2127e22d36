import type { FieldError } from '../../common/errors/app.exception';
import { MAX_SCHEDULE_WINDOWS, Schedule, ScheduleWindowRule, coversWholeWeek, isHourMinute, isIanaZone, isIsoWeekday } from './schedule';

export interface ScheduleValidation {
  /** The accepted schedule (zone filled in, unknown fields left out); null when absent (always). */
  schedule: Schedule | null;
  errors: FieldError[];
}

const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isAbsent = (value: unknown) => value === undefined || value === null;

const SCHEDULE_KEYS = ['timezone', 'windows'];
const WINDOW_KEYS = ['days', 'start', 'end'];

function unknownKeys(value: Record<string, unknown>, known: string[], at: string): FieldError[] {
  return Object.keys(value)
    .filter((key) => !known.includes(key))
    .map((key) => ({ field: `${at}.${key}`, rule: 'whitelistValidation' }));
}

/**
 * A schedule as sent by a client (API.md §8), checked without trusting its shape. One error per
 * field, the first rule it breaks, with the same rule names as the DTO's decorators (the i18n keys
 * `validation.<rule>`): `isDefined`, `nestedValidation` (not an object), `isArray`, `arrayNotEmpty`, `arrayMaxSize`,
 * `arrayUnique`, `isIanaZone`, `isIsoWeekday`, `isHourMinute`, `whitelistValidation`, and
 * `scheduleAlwaysOpen` for windows that never close (leave the schedule out instead).
 * Absent or null is no schedule, i.e. always; an absent or null `timezone` is `defaultZone`.
 */
export function validateSchedule(input: unknown, defaultZone: string, field = 'schedule'): ScheduleValidation {
  if (isAbsent(input)) return { schedule: null, errors: [] };
  if (!isObject(input)) return { schedule: null, errors: [{ field, rule: 'nestedValidation' }] };
  const errors = unknownKeys(input, SCHEDULE_KEYS, field);

  const timezone = isAbsent(input.timezone) ? defaultZone : input.timezone;
  if (!isIanaZone(timezone)) errors.push({ field: `${field}.timezone`, rule: 'isIanaZone' });

  const windowsAt = `${field}.windows`;
  const windows: ScheduleWindowRule[] = [];
  const raw = input.windows;
  if (isAbsent(raw)) errors.push({ field: windowsAt, rule: 'isDefined' });
  else if (!Array.isArray(raw)) errors.push({ field: windowsAt, rule: 'isArray' });
  else if (raw.length === 0) errors.push({ field: windowsAt, rule: 'arrayNotEmpty' });
  else if (raw.length > MAX_SCHEDULE_WINDOWS) errors.push({ field: windowsAt, rule: 'arrayMaxSize', args: { max: MAX_SCHEDULE_WINDOWS } });
  else
    raw.forEach((item, i) => {
      const window = validateWindow(item, `${windowsAt}[${i}]`, errors);
      if (window) windows.push(window);
    });

  if (errors.length) return { schedule: null, errors };
  if (coversWholeWeek(windows)) return { schedule: null, errors: [{ field: windowsAt, rule: 'scheduleAlwaysOpen' }] };
  return { schedule: { timezone: timezone as string, windows }, errors };
}

function validateWindow(item: unknown, at: string, errors: FieldError[]): ScheduleWindowRule | null {
  if (!isObject(item)) {
    errors.push({ field: at, rule: 'nestedValidation' });
    return null;
  }
  const before = errors.length;
  errors.push(...unknownKeys(item, WINDOW_KEYS, at));

  const days = item.days;
  if (isAbsent(days)) errors.push({ field: `${at}.days`, rule: 'isDefined' });
  else if (!Array.isArray(days)) errors.push({ field: `${at}.days`, rule: 'isArray' });
  else if (days.length === 0) errors.push({ field: `${at}.days`, rule: 'arrayNotEmpty' });
  else if (!days.every(isIsoWeekday)) errors.push({ field: `${at}.days`, rule: 'isIsoWeekday' });
  else if (new Set(days).size !== days.length) errors.push({ field: `${at}.days`, rule: 'arrayUnique' });

  for (const key of ['start', 'end'] as const) {
    if (isAbsent(item[key])) errors.push({ field: `${at}.${key}`, rule: 'isDefined' });
    else if (!isHourMinute(item[key])) errors.push({ field: `${at}.${key}`, rule: 'isHourMinute' });
  }
  if (errors.length > before) return null;
  return { days: [...(days as number[])], start: item.start as string, end: item.end as string };
}
