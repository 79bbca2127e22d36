import { createHash } from 'node:crypto';

/**
 * Entity tags of the API's resources. They are weak (`W/"…"`): each is derived from the version of
 * the rows a representation is built from (ids, update_dt, status, subtask counts), not from its
 * bytes, which also carry clock-relative fields (a report's age, a lease still held) and the
 * request's language. Two answers with one tag are the same resource state. Conditions compare
 * weakly (RFC 9110 §8.8.3.2), for If-Match as well as If-None-Match.
 */

/** A datetime as epoch ms, however the driver hands it over: a Date, epoch ms, or SQLite's UTC text. */
export function instantOf(value: Date | string | number | null | undefined): number | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'number') return value;
  const text = value.includes('T') ? value : `${value.replace(' ', 'T')}Z`;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? null : ms;
}

/** The weak tag of a version tuple: the same parts, in the same order, give the same tag. */
export function weakEtag(parts: readonly unknown[]): string {
  const digest = createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 27);
  return `W/"${digest}"`;
}

/** The opaque part of a tag, without the weak prefix: what weak comparison compares. */
function opaque(tag: string): string {
  return tag.trim().replace(/^W\//, '');
}

/**
 * Whether an If-None-Match or If-Match header names `current`: `*` names any, otherwise a comma
 * list of tags compared weakly. An absent or empty header names nothing.
 */
export function etagMatches(header: string | string[] | undefined, current: string): boolean {
  if (header === undefined) return false;
  const value = Array.isArray(header) ? header.join(',') : header;
  const wanted = opaque(current);
  return value
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t.length > 0)
    .some((t) => t === '*' || opaque(t) === wanted);
}

/** The version of a task's subtasks: how many, and the newest update_dt (every write of a subtask sets it). */
export interface SubtaskVersion {
  count: number;
  latest: number | null;
}

export function subtaskVersionOf(rows: readonly { update_dt: Date | string | number | null }[]): SubtaskVersion {
  let latest: number | null = null;
  for (const row of rows) {
    const at = instantOf(row.update_dt);
    if (at !== null && (latest === null || at > latest)) latest = at;
  }
  return { count: rows.length, latest };
}

export interface TaskVersion {
  id: string;
  update_dt: Date | string | number;
  status: string;
}

/** GET /tasks/{id}: the task row's version and its subtasks'. Configuration edits set the task's update_dt. */
export function taskEtag(task: TaskVersion, subtasks: SubtaskVersion): string {
  return weakEtag(['task', task.id, instantOf(task.update_dt), task.status, subtasks.count, subtasks.latest]);
}

/** GET /tasks/{id}/subtasks: the task's subtasks as a whole. */
export function subtaskListEtag(taskId: string, subtasks: SubtaskVersion): string {
  return weakEtag(['subtasks', taskId, subtasks.count, subtasks.latest]);
}

/**
 * GET /subtasks/{id}: the subtask row and its task's update_dt, which every configuration save
 * sets (a sibling's save can change the scenes this subtask shares).
 */
export function subtaskEtag(subtask: { id: string; update_dt: Date | string | number }, taskUpdatedAt: Date | string | number): string {
  return weakEtag(['subtask', subtask.id, instantOf(subtask.update_dt), instantOf(taskUpdatedAt)]);
}

/** GET /tasks: the query, the total, and each row of the page with its subtasks' version, in page order. */
export function taskListEtag(query: Record<string, unknown>, total: number, rows: readonly (TaskVersion & { subtasks: SubtaskVersion })[]): string {
  const normalized = Object.keys(query)
    .filter((k) => query[k] !== undefined)
    .sort()
    .map((k) => [k, query[k]]);
  return weakEtag(['tasks', normalized, total, rows.map((r) => [r.id, instantOf(r.update_dt), r.status, r.subtasks.count, r.subtasks.latest])]);
}
