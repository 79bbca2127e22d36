import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One row of the event journal, appended in the same transaction as the change it records.
 * `id` (a UUIDv7, increasing within a process) is the insert order; `seq` is the commit order, given by the sequencer only once the row
 * is committed, so a reader tailing `seq` never skips a row that committed out of `id` order.
 */
@Entity('tb_event')
@Index('UQ_event_seq', ['seq'], { unique: true })
@Index('IDX_event_task', ['task_id', 'seq'])
@Index('IDX_event_subtask', ['subtask_id', 'seq'])
@Index('IDX_event_at', ['at'])
export class JournalEventEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id: string;
  @Column({ type: 'bigint', nullable: true }) seq: string | null;
  @Column({ type: 'datetime', precision: 3 }) at: Date;
  @Column({ type: 'varchar', length: 32 }) kind: string;
  @Column({ type: 'varchar', length: 36 }) task_id: string;
  @Column({ type: 'varchar', length: 36, nullable: true }) subtask_id: string | null;
  @Column({ type: 'varchar', length: 16, nullable: true }) from_value: string | null;
  @Column({ type: 'varchar', length: 16, nullable: true }) to_value: string | null;
  @Column({ type: 'int', nullable: true }) generation: number | null;
  @Column({ type: 'varchar', length: 1024, nullable: true }) reason: string | null;
  @Column({ type: 'varchar', length: 8 }) actor_type: string;
  @Column({ type: 'varchar', length: 128, nullable: true }) actor_subject: string | null;
  @Column({ type: 'varchar', length: 16, nullable: true }) actor_role: string | null;
}

/** The next commit-order position, one row; the sequencer holds its lock while it numbers rows. */
@Entity('tb_event_sequence')
export class JournalSequenceEntity {
  @PrimaryColumn({ type: 'int' }) id: number;
  @Column({ type: 'bigint' }) next_seq: string;
}
