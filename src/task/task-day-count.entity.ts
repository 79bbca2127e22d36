import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * Live (not deleted) tasks per UTC day of create_dt (see domain/day-counts), kept in the
 * transactions that create, delete and restore tasks, each on a random one of TASK_COUNTER_SLOTS
 * rows of the day, like the total in TaskCounterEntity. A deep page of the unfiltered list skips
 * whole days by these counts instead of walking every index entry before its offset.
 */
@Entity('tb_task_day_count')
export class TaskDayCountEntity {
  @PrimaryColumn({ type: 'int' }) day: number;
  @PrimaryColumn({ type: 'int' }) slot: number;
  @Column({ type: 'int' }) live: number;
}
