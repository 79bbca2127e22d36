/** What happened (API.md section 7). */
export const EVENT_KINDS = [
  'subtask.state',
  'subtask.config',
  'task.status',
  'task.created',
  'task.updated',
  'task.deleted',
  'task.restored',
  'task.desired',
  'subtask.takeover',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Who did it: a token's subject and role, the ops service's reports, or the service itself. */
export type Actor = { type: 'user'; subject: string; role: string } | { type: 'ops' } | { type: 'system' };

export const OPS_ACTOR: Actor = { type: 'ops' };
export const SYSTEM_ACTOR: Actor = { type: 'system' };

/** An event to append; `at` and the cursor are the journal's. */
export interface NewEvent {
  kind: EventKind;
  task_id: string;
  subtask_id?: string | null;
  from?: string | null;
  to?: string | null;
  generation?: number | null;
  reason?: string | null;
  actor: Actor;
}

/** A subtask's state change as an event, or nothing when the state stayed (a heartbeat is not an event). */
export function stateChange(
  subtask: { id: string; task_id: string; generation: number },
  from: string,
  to: string,
  actor: Actor,
  reason: string | null = null,
): NewEvent | null {
  if (from === to) return null;
  return { kind: 'subtask.state', task_id: subtask.task_id, subtask_id: subtask.id, from, to, generation: subtask.generation, reason, actor };
}

/**
 * A replica took over work whose claim lapsed under another owner (it died, or lost the
 * database): `from`/`to` are the subtask's state, which the takeover itself does not change.
 */
export function takeover(
  subtask: { id: string; task_id: string; generation: number; state: string },
  previousOwner: string,
  lapsedAt: Date | null,
  newOwner: string,
): NewEvent {
  const lapsed = lapsedAt ? ` lapsed at ${lapsedAt.toISOString()}` : ' lapsed';
  return {
    kind: 'subtask.takeover',
    task_id: subtask.task_id,
    subtask_id: subtask.id,
    from: subtask.state,
    to: subtask.state,
    generation: subtask.generation,
    reason: `claim of ${previousOwner}${lapsed}; continued by ${newOwner}`,
    actor: SYSTEM_ACTOR,
  };
}
