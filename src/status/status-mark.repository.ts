import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import { selectIn } from '../database/select-in';
import { TaskStatusMarkEntity } from './status-mark.entity';

/** tb_task_status_mark's owner. */
@Injectable()
export class StatusMarkRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /**
   * Marks these tasks for a status refresh, in the caller's transaction: one multi-row insert in
   * id order (concurrent batches lock the rows in the same order); a task already marked stays so.
   */
  async mark(em: EntityManager, taskIds: Iterable<string>, at: Date): Promise<void> {
    const ids = [...new Set(taskIds)].sort();
    if (ids.length === 0) return;
    const driver = em.connection.driver;
    const metadata = em.connection.getMetadata(TaskStatusMarkEntity);
    const stamp: unknown = driver.preparePersistentValue(at, metadata.findColumnWithPropertyName('marked_at')!);
    const rows = ids.map(() => '(?, ?)').join(', ');
    const params = ids.flatMap((id) => [id, stamp]);
    const sql =
      em.connection.options.type === 'better-sqlite3'
        ? `INSERT INTO tb_task_status_mark (task_id, marked_at) VALUES ${rows} ON CONFLICT (task_id) DO NOTHING`
        : `INSERT IGNORE INTO tb_task_status_mark (task_id, marked_at) VALUES ${rows}`;
    await em.query(sql, params);
  }

  /** Up to `limit` marked tasks, in id order (the lock order). */
  async pending(limit: number): Promise<string[]> {
    const rows = await this.dataSource.getRepository(TaskStatusMarkEntity).find({ select: { task_id: true }, order: { task_id: 'ASC' }, take: limit });
    return rows.map((r) => r.task_id);
  }

  /**
   * Takes the marks of these tasks that still exist, for a sweep, in the caller's transaction:
   * locks them in id order (on MySQL, waiting for any writer that holds one, so its change has
   * committed by the time this returns), deletes them, and answers their task ids in id order.
   * A mark another sweep took meanwhile is not there, and its task needs no refresh from this one.
   */
  async claim(em: EntityManager, taskIds: readonly string[], lock: { mode: 'pessimistic_write' } | undefined): Promise<string[]> {
    if (taskIds.length === 0) return [];
    const held = await selectIn(em, TaskStatusMarkEntity, 'task_id', [...new Set(taskIds)].sort(), ['task_id'], {
      orderBy: 'task_id',
      forUpdate: lock !== undefined,
    });
    const ids = held.map((m) => m.task_id);
    if (ids.length > 0) await em.delete(TaskStatusMarkEntity, { task_id: In(ids) });
    return ids;
  }

  count(): Promise<number> {
    return this.dataSource.getRepository(TaskStatusMarkEntity).count();
  }
}
