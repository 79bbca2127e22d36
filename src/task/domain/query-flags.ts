import type { FieldError } from '../../common/errors/app.exception';
import { TASK_STATUSES, TaskStatus } from './task-status';

/**
 * `?dry_run=`: absent, `false` or `0` is a real request; `true`, `1` or the bare flag is a dry run.
 * Anything else is a field error, so a typo never turns a dry run into a real write.
 */
export function parseDryRun(value: unknown): { dryRun: boolean; error?: FieldError } {
  if (value === undefined || value === 'false' || value === '0') return { dryRun: false };
  if (value === 'true' || value === '1' || value === '') return { dryRun: true };
  return { dryRun: false, error: { field: 'dry_run', rule: 'dryRun', fallback: 'dry_run must be true or false' } };
}

/** `?status=running,degraded`: one or more task statuses, comma-separated, each one known; repeats collapse. */
export function parseStatusList(value: string): TaskStatus[] | null {
  const parts = value.split(',').map((p) => p.trim());
  if (parts.length === 0 || parts.some((p) => !(TASK_STATUSES as readonly string[]).includes(p))) return null;
  return [...new Set(parts)] as TaskStatus[];
}
