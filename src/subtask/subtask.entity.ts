import { Column, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import type { DesiredState, SubtaskState } from './domain/states';

/** What actually runs on an analysis server: one video channel, or one worker node for picture sources. */
@Entity('tb_subtask')
@Index('IDX_subtask_task', ['task_id', 'position'])
@Index('IDX_subtask_work', ['state', 'desired_state', 'next_attempt_at'])
@Index('IDX_subtask_heartbeat', ['state', 'desired_state', 'heartbeat_at'])
@Index('IDX_subtask_vchan', ['vchan_refid', 'create_dt', 'id'])
@Index('IDX_subtask_created', ['create_dt', 'id'])
export class SubtaskEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id: string;
  @Column({ type: 'varchar', length: 36 }) task_id: string;
  @ManyToOne('TaskEntity', { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'task_id' })
  /** The parent task, declared for the foreign key only and never loaded. */
  task?: unknown;
  @Column({ type: 'int' }) position: number;
  @Column({ type: 'varchar', length: 128, nullable: true }) vchan_refid: string | null;
  @Column({ type: 'varchar', length: 255, nullable: true }) vchan_name: string | null;
  @Column({ type: 'varchar', length: 2048, nullable: true }) play_url: string | null;
  @Column({ type: 'boolean', default: false }) is_ptz: boolean;
  @Column({ type: 'int', nullable: true }) node_index: number | null;
  @Column({ type: 'varchar', length: 2048, nullable: true }) pull_source_url: string | null;
  @Column({ type: 'varchar', length: 16 }) state: SubtaskState;
  @Column({ type: 'varchar', length: 8 }) desired_state: DesiredState;
  /** Increases on every new start; the ops service deduplicates dispatches on (id, generation). */
  @Column({ type: 'int', default: 0 }) generation: number;
  @Column({ type: 'varchar', length: 1024, nullable: true }) status_reason: string | null;
  @Column({ type: 'int', nullable: true }) progress: number | null;
  /** `reported_at` of the newest report applied; older reports are ignored. */
  @Column({ type: 'datetime', precision: 3, nullable: true }) reported_at: Date | null;
  @Column({ type: 'datetime', precision: 3, nullable: true }) heartbeat_at: Date | null;
  /** Dispatch attempts of the current generation that met an unavailable ops service. */
  @Column({ type: 'int', default: 0 }) attempts: number;
  /** The last failure talking to the ops service about this subtask, kept after it recovers. */
  @Column({ type: 'varchar', length: 1024, nullable: true }) last_error: string | null;
  @Column({ type: 'datetime', precision: 3, nullable: true }) next_attempt_at: Date | null;
  @Column({ type: 'varchar', length: 64, nullable: true }) lease_owner: string | null;
  @Column({ type: 'datetime', precision: 3, nullable: true }) lease_until: Date | null;
  @Column({ type: 'datetime', precision: 3 }) create_dt: Date;
  @Column({ type: 'datetime', precision: 3 }) update_dt: Date;
}
