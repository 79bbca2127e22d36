import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, EntityManager, In } from 'typeorm';
import type { MtaskFields, MtaskRow, SceneRow } from './domain/scene-rows';
import { selectIn } from '../database/select-in';
import { MtaskEntity } from './mtask.entity';
import { SceneEntity } from './scene.entity';

/** The writes that replace one channel's configuration; the subtask module plans them. */
export interface ChannelConfigWrites {
  mtaskUpdates: readonly { id: string; fields: MtaskFields }[];
  mtaskInserts: readonly MtaskRow[];
  sceneInserts: readonly SceneRow[];
  mtaskDeletes: readonly string[];
}

/** Rows per INSERT statement: large enough to save round trips, small enough for max_allowed_packet. */
const INSERT_CHUNK = 200;

@Injectable()
export class SceneRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Multi-row inserts inside the caller's transaction; no read-back of generated values. */
  async insertAll(em: EntityManager, mtasks: readonly MtaskRow[], scenes: readonly SceneRow[]): Promise<void> {
    for (let i = 0; i < mtasks.length; i += INSERT_CHUNK) {
      await em
        .createQueryBuilder()
        .insert()
        .into(MtaskEntity)
        .values(mtasks.slice(i, i + INSERT_CHUNK))
        .updateEntity(false)
        .execute();
    }
    for (let i = 0; i < scenes.length; i += INSERT_CHUNK) {
      await em
        .createQueryBuilder()
        .insert()
        .into(SceneEntity)
        .values(scenes.slice(i, i + INSERT_CHUNK) as QueryDeepPartialEntity<SceneEntity>[])
        .updateEntity(false)
        .execute();
    }
  }

  /** Replaces a task's whole configuration (scenes go with their mtasks by cascade). */
  async replaceForTask(em: EntityManager, taskId: string, mtasks: readonly MtaskRow[], scenes: readonly SceneRow[]): Promise<void> {
    await em.delete(SceneEntity, { task_id: taskId });
    await em.delete(MtaskEntity, { task_id: taskId });
    await this.insertAll(em, mtasks, scenes);
  }

  /**
   * Writes one channel's new configuration (planned by the subtask module) in the caller's
   * transaction: its scenes out, new mtasks and scenes in, shared mtasks updated, emptied ones out.
   */
  async replaceForChannel(em: EntityManager, taskId: string, channel: string, plan: ChannelConfigWrites): Promise<void> {
    await em.delete(SceneEntity, { task_id: taskId, vchan_refid: channel });
    await this.insertAll(em, plan.mtaskInserts, plan.sceneInserts);
    for (const { id, fields } of plan.mtaskUpdates) await em.update(MtaskEntity, { id, task_id: taskId }, fields);
    if (plan.mtaskDeletes.length) await em.delete(MtaskEntity, { task_id: taskId, id: In([...plan.mtaskDeletes]) });
  }

  /**
   * The configuration rows one subtask needs: for a channel, that channel's scenes (on the
   * (task_id, vchan_refid) index) and the task's few mtasks; without a channel, the whole task's.
   */
  async loadForSubtask(
    taskId: string,
    channel: string | null,
    em: EntityManager = this.dataSource.manager,
  ): Promise<{ mtasks: MtaskRow[]; scenes: SceneRow[] }> {
    if (!channel) return this.loadForTasks([taskId], em);
    const [mtasks, scenes] = await Promise.all([
      em.find(MtaskEntity, { where: { task_id: taskId } }),
      em.find(SceneEntity, { where: { task_id: taskId, vchan_refid: channel } }),
    ]);
    return { mtasks, scenes };
  }

  /** One query per level for a whole page of tasks (plain rows, see selectIn). */
  async loadForTasks(taskIds: readonly string[], em: EntityManager = this.dataSource.manager): Promise<{ mtasks: MtaskRow[]; scenes: SceneRow[] }> {
    if (taskIds.length === 0) return { mtasks: [], scenes: [] };
    const [mtasks, scenes] = await Promise.all([selectIn(em, MtaskEntity, 'task_id', taskIds), selectIn(em, SceneEntity, 'task_id', taskIds)]);
    return { mtasks, scenes };
  }
}
