import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Slots a create picks from at random, so concurrent creates rarely wait on one counter row. */
export const TASK_COUNTER_SLOTS = 16;

/**
 * The number of live (not deleted) tasks, kept in the transactions that create, delete and
 * restore tasks, split over TASK_COUNTER_SLOTS rows. The unfiltered GET /tasks reads the sum of
 * 16 rows instead of counting every live task, so its total_num costs the same at any table size.
 */
@Entity('tb_task_counter')
export class TaskCounterEntity {
  @PrimaryColumn({ type: 'int' }) slot: number;
  @Column({ type: 'int' }) live: number;
}
