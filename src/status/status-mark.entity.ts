import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A task whose stored status may no longer match its subtasks. Written in the same transaction as
 * the subtask change that made it stale (a report batch, a reconciler outcome), removed by the
 * transaction that re-derives the status; so a crash between the two loses nothing.
 */
@Entity('tb_task_status_mark')
export class TaskStatusMarkEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) task_id: string;
  @Column({ type: 'datetime', precision: 3 }) marked_at: Date;
}
