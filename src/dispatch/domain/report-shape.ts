import { hasControlChars } from '../../common/validation/decorators';
import { isWireDateTime, parseWireDateTime } from '../../common/time/datetime';
import { REPORTED_STATES } from './transitions';

/** The limits SubtaskReportDto and SubtaskReportsDto declare (report.dto.ts), which this check must not exceed. */
export const REPORT_LIMITS = { maxReports: 1000, subtaskIdMax: 36, reasonMax: 1024 } as const;

const REQUIRED = ['subtask_id', 'generation', 'state', 'reported_at'] as const;
const OPTIONAL = ['status_reason', 'progress'] as const;
const KNOWN = new Set<string>([...REQUIRED, ...OPTIONAL]);
const STATES: ReadonlySet<unknown> = new Set(REPORTED_STATES);

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

function isWellFormedReport(item: unknown): boolean {
  if (!isPlainObject(item)) return false;
  let required = 0;
  for (const key of Object.keys(item)) {
    if (!KNOWN.has(key)) return false;
    if ((REQUIRED as readonly string[]).includes(key)) required += 1;
  }
  if (required !== REQUIRED.length) return false;
  const { subtask_id, generation, state, reported_at, status_reason, progress } = item;
  if (typeof subtask_id !== 'string' || subtask_id === '' || subtask_id.length > REPORT_LIMITS.subtaskIdMax || hasControlChars(subtask_id)) return false;
  if (typeof generation !== 'number' || !Number.isInteger(generation) || generation < 1) return false;
  if (!STATES.has(state)) return false;
  if (status_reason != null && (typeof status_reason !== 'string' || status_reason.length > REPORT_LIMITS.reasonMax)) return false;
  if (progress != null && (typeof progress !== 'number' || !Number.isInteger(progress) || progress < 0 || progress > 100)) return false;
  return isWireDateTime(reported_at) && parseWireDateTime(reported_at, 'UTC') !== null;
}

/**
 * Whether a parsed report batch is plainly valid: exactly the documented fields, each of the
 * documented type and within its limits. Pure. It may refuse what validation would accept (a
 * reason whose length counts surrogate pairs once), never the other way round, so a batch it
 * accepts needs no further validation, and any other batch is validated field by field for its
 * errors. A batch of 500 heartbeats went through class-validator and class-transformer in about
 * as much CPU as the database work it asks for.
 */
export function isWellFormedReportBatch(body: unknown): boolean {
  if (!isPlainObject(body)) return false;
  const keys = Object.keys(body);
  if (keys.length !== 1 || keys[0] !== 'reports') return false;
  const { reports } = body;
  if (!Array.isArray(reports) || reports.length < 1 || reports.length > REPORT_LIMITS.maxReports) return false;
  for (const item of reports) if (!isWellFormedReport(item)) return false;
  return true;
}
