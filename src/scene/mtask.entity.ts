import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';

/** An mtask (monitoring task) of a big task: a schedule plus the scenes it visits. */
@Entity('tb_mtask')
@Index('IDX_mtask_task', ['task_id', 'position'])
export class MtaskEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id: string;
  @Column({ type: 'varchar', length: 36 }) task_id: string;
  @ManyToOne('TaskEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'task_id' })
  /** The parent task, declared for the foreign key only and never loaded. */
  task?: unknown;
  @Column({ type: 'int' }) position: number;
  @Column({ type: 'varchar', length: 64 }) mtask_unid: string;
  @Column({ type: 'varchar', length: 255, nullable: true }) name: string | null;
  @Column({ type: 'int' }) type: number;
  @Column({ type: 'int', nullable: true }) time_interval: number | null;
  @Column({ type: 'varchar', length: 8, nullable: true }) start_time: string | null;
  @Column({ type: 'varchar', length: 8, nullable: true }) end_time: string | null;
  @Column({ type: 'int', nullable: true }) progress: number | null;
}
