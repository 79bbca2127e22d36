import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { Schedule } from '../schedule/domain/schedule';
import type { SourceType, VchanSpec } from '../subtask/domain/decompose';
import type { StatusCounts, TaskStatus } from './domain/task-status';

@Entity('tb_task')
@Index('IDX_task_live_created', ['deleted_dt', 'create_dt', 'id'])
@Index('IDX_task_algo_created', ['algo_type', 'deleted_dt', 'create_dt', 'id'])
@Index('IDX_task_status_created', ['status', 'deleted_dt', 'create_dt', 'id'])
export class TaskEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 }) id: string;
  @Column({ type: 'varchar', length: 255 }) task_name: string;
  @Column({ type: 'varchar', length: 32 }) algo_type: string;
  @Column({ type: 'datetime', precision: 3 }) run_dt: Date;
  @Column({ type: 'varchar', length: 2048 }) play_url: string;
  @Column({ type: 'varchar', length: 128, nullable: true }) store_conf_unid: string | null;
  @Column({ type: 'varchar', length: 32 }) source_type: SourceType;
  @Column({ type: 'json', nullable: true }) vchans: VchanSpec[] | null;
  @Column({ type: 'int', nullable: true }) node_count: number | null;
  @Column({ type: 'varchar', length: 2048, nullable: true }) pull_source_url: string | null;
  /** Weekly windows its subtasks run in after a start (API.md section 8); null means always. */
  @Column({ type: 'json', nullable: true }) schedule: Schedule | null;
  /** Derived from the subtasks by the status rules; stored so lists can filter and page on it. */
  @Column({ type: 'varchar', length: 16 }) status: TaskStatus;
  @Column({ type: 'json' }) status_counts: StatusCounts;
  @Column({ type: 'varchar', length: 1024, nullable: true }) status_reason: string | null;
  /** When a subtask waiting for its time (run_dt, a schedule window, a retry) is due next. */
  @Column({ type: 'datetime', precision: 3, nullable: true }) next_transition_at: Date | null;
  @Column({ type: 'datetime', precision: 3 }) create_dt: Date;
  @Column({ type: 'datetime', precision: 3 }) update_dt: Date;
  /** Soft delete: a deleted task is hidden but can be restored. */
  @Column({ type: 'datetime', precision: 3, nullable: true }) deleted_dt: Date | null;
}
