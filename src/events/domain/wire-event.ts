import type { Actor } from '../../journal/event';
import type { JournalEventEntity } from '../../journal/journal-event.entity';
import { formatWireDateTime } from '../../common/time/datetime';
import { formatEventId } from './cursor';

/** An event as clients see it (API.md section 7). */
export interface WireEvent {
  event_id: string;
  at: string;
  kind: string;
  task_id: string;
  subtask_id: string | null;
  from: string | null;
  to: string | null;
  generation: number | null;
  reason: string | null;
  actor: Actor;
}

function actorOf(row: Pick<JournalEventEntity, 'actor_type' | 'actor_subject' | 'actor_role'>): Actor {
  if (row.actor_type === 'user') return { type: 'user', subject: row.actor_subject ?? '', role: row.actor_role ?? '' };
  if (row.actor_type === 'ops') return { type: 'ops' };
  return { type: 'system' };
}

/** A journal row on the wire; `at` in the configured zone's wire format. */
export function toWireEvent(row: JournalEventEntity, zone: string): WireEvent {
  return {
    event_id: formatEventId(Number(row.seq)),
    at: formatWireDateTime(row.at, zone) as string,
    kind: row.kind,
    task_id: row.task_id,
    subtask_id: row.subtask_id,
    from: row.from_value,
    to: row.to_value,
    generation: row.generation,
    reason: row.reason,
    actor: actorOf(row),
  };
}

/** One server-sent event: `id:` the cursor, `event:` the kind, `data:` the event as JSON (one line). */
export function sseFrame(event: WireEvent): string {
  return `id: ${event.event_id}\nevent: ${event.kind}\ndata: ${JSON.stringify(event)}\n\n`;
}
