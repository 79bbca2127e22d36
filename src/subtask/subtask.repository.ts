import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import type { SubtaskRunInfo } from '../scene/scene.mapper';
import type { SubtaskStatusInput } from '../status/domain/derive-task-status';
import { SubtaskEntity } from './subtask.entity';
import type { SubtaskRow } from './subtask.mapper';

const INSERT_CHUNK = 200;

export type SubtaskRunRow = SubtaskRunInfo & SubtaskStatusInput & { task_id: string };

@Injectable()
export class SubtaskRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insertAll(em: EntityManager, rows: readonly SubtaskRow[]): Promise<void> {
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      await em.createQueryBuilder().insert().into(SubtaskEntity).values(rows.slice(i, i + INSERT_CHUNK)).updateEntity(false).execute();
    }
  }

  findById(id: string, em: EntityManager = this.dataSource.manager): Promise<SubtaskRow | null> {
    return em.findOne(SubtaskEntity, { where: { id } });
  }

  findByTask(taskId: string, em: EntityManager = this.dataSource.manager): Promise<SubtaskRow[]> {
    return em.find(SubtaskEntity, { where: { task_id: taskId }, order: { position: 'ASC' } });
  }

  /** The few columns that status, scenes and mtasks show, for a page of tasks in one query. */
  runInfoForTasks(taskIds: readonly string[], em: EntityManager = this.dataSource.manager): Promise<SubtaskRunRow[]> {
    if (taskIds.length === 0) return Promise.resolve([]);
    return em.find(SubtaskEntity, {
      select: { task_id: true, vchan_refid: true, state: true, desired_state: true, status_reason: true, progress: true },
      where: { task_id: In([...taskIds]) },
    });
  }
}
