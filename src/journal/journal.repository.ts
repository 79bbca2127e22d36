import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import type { NewEvent } from './event';
import { JournalEventEntity } from './journal-event.entity';

/** Rows per INSERT statement: one batch's state changes go in one statement up to this size. */
const INSERT_CHUNK = 500;

const clip = (text: string | null | undefined, max: number): string | null => (text == null ? null : text.length > max ? `${text.slice(0, max - 1)}…` : text);

/** tb_event's and tb_event_sequence's owner. */
@Injectable()
export class JournalRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Appends events in the caller's transaction, as one multi-row insert; they get their cursor once committed. */
  async append(em: EntityManager, events: readonly (NewEvent | null | undefined)[], at: Date): Promise<number> {
    const rows = events
      .filter((e): e is NewEvent => e != null)
      .map((e) => ({
        id: uuidv7(),
        seq: null,
        at,
        kind: e.kind,
        task_id: e.task_id,
        subtask_id: e.subtask_id ?? null,
        from_value: clip(e.from, 16),
        to_value: clip(e.to, 16),
        generation: e.generation ?? null,
        reason: clip(e.reason, 1024),
        actor_type: e.actor.type,
        actor_subject: e.actor.type === 'user' ? clip(e.actor.subject, 128) : null,
        actor_role: e.actor.type === 'user' ? e.actor.role : null,
      }));
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await em.createQueryBuilder().insert().into(JournalEventEntity).values(rows.slice(i, i + INSERT_CHUNK)).updateEntity(false).execute();
    }
    return rows.length;
  }

  get manager(): EntityManager {
    return this.dataSource.manager;
  }
}
