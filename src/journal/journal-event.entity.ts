import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * One row of the event journal, appended in the same transaction as the change it records.
 * `seq` is its place in commit order: it is taken from tb_event_sequence as the transaction's last
 * step, and the sequence row stays locked until the commit, so a transaction that took n has
 * committed before any other can take n+1. A reader tailing `seq` therefore never skips a row.
 */
@Entity('tb_event')
@Index('IDX_event_task', ['task_id', 'seq'])
@Index('IDX_event_subtask', ['subtask_id', 'seq'])
export class JournalEventEntity {
  @PrimaryColumn({ type: 'bigint' }) seq: string;
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

/** The next commit-order position, one row; a transaction appending events holds its lock until it commits. */
@Entity('tb_event_sequence')
export class JournalSequenceEntity {
  @PrimaryColumn({ type: 'int' }) id: number;
  @Column({ type: 'bigint' }) next_seq: string;
}
