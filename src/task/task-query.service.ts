import { Inject, Injectable } from '@nestjs/common';
import { AppException } from '../common/errors/app.exception';
import { subtaskEtag, subtaskListEtag, SubtaskVersion, taskEtag, taskListEtag } from '../common/http/etag';
import { instantOf } from '../common/http/etag';
import { APP_CONFIG, AppConfig, Language } from '../config/app-config';
import { SceneRepository } from '../scene/scene.repository';
import type { SubtaskDto } from '../subtask/dto/subtask-response.dto';
import { SubtaskRepository } from '../subtask/subtask.repository';
import { parseStatusList } from './domain/query-flags';
import type { FleetListTasksQueryDto, ListSubtasksQueryDto, TaskSummaryDto } from './dto/fleet.dto';
import type { TaskDto } from './dto/task-response.dto';
import { SubtaskService } from './subtask.service';
import { groupByTask, toTaskDto } from './task.mapper';
import { TaskFilter, TaskRepository } from './task.repository';

/** A page of the task list identified by versions only: enough to answer 304, and which rows to load for a 200. */
export interface TaskListVersion {
  etag: string;
  total: number;
  offset: number;
  ids: string[];
}

const versionOf = (found: { count: number; latest: Date | string | null } | undefined): SubtaskVersion =>
  found ? { count: found.count, latest: instantOf(found.latest) } : { count: 0, latest: null };

/**
 * The read side of fleet operations: lists with several statuses, deleted tasks and a summary view,
 * subtasks across tasks, and the ETags of the readable resources, each computed from a light query
 * (versions of rows), never from the built answer.
 */
@Injectable()
export class TaskQueryService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly subtasks: SubtaskRepository,
    private readonly scenes: SceneRepository,
    private readonly subtaskDtos: SubtaskService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private filterOf(query: FleetListTasksQueryDto): TaskFilter {
    const statuses = query.status === undefined ? undefined : parseStatusList(query.status);
    if (statuses === null)
      throw AppException.validation([{ field: 'status', rule: 'taskStatusList', fallback: 'status must be a comma-separated list of task statuses' }]);
    return { algo_type: query.algo_type, statuses, keyword: query.keyword, deleted: query.deleted === 'true' };
  }

  /** The page's ETag from its task ids, their update_dt and status, their subtasks' count and newest update_dt, the total and the query. */
  async listVersion(query: FleetListTasksQueryDto): Promise<TaskListVersion> {
    const filter = this.filterOf(query);
    const offset = query.offset ?? 0;
    const limit = query.limit ?? 10;
    const { total, rows } = await this.tasks.pageVersions(filter, offset, limit);
    const ids = rows.map((r) => r.id);
    const subtasks = await this.subtasks.versionsForTasks(ids);
    const etag = taskListEtag(
      { ...query, offset, limit },
      total,
      rows.map((r) => ({ ...r, subtasks: versionOf(subtasks.get(r.id)) })),
    );
    return { etag, total, offset, ids };
  }

  /** The page a version names, built in full (or without mtasks and scenes for `view=summary`). */
  async listPage(
    query: FleetListTasksQueryDto,
    version: TaskListVersion,
    lang: Language,
  ): Promise<{ total_num: number; offset: number; list_size: number; list_data: (TaskDto | TaskSummaryDto)[] }> {
    const summary = query.view === 'summary';
    const [tasks, config, runInfo] = await Promise.all([
      this.tasks.byIdsInOrder(version.ids),
      summary ? Promise.resolve({ mtasks: [], scenes: [] }) : this.scenes.loadForTasks(version.ids),
      this.subtasks.runInfoForTasks(version.ids),
    ]);
    const mtasksByTask = groupByTask(config.mtasks);
    const scenesByTask = groupByTask(config.scenes);
    const subtasksByTask = groupByTask(runInfo);
    const list = tasks.map((task) => {
      const dto = toTaskDto(
        task,
        { mtasks: mtasksByTask.get(task.id) ?? [], scenes: scenesByTask.get(task.id) ?? [], subtasks: subtasksByTask.get(task.id) ?? [] },
        this.config.time.zone,
        lang,
      );
      if (!summary) return dto;
      const { mtasks: _omitted, ...rest } = dto;
      return rest;
    });
    return { total_num: version.total, offset: version.offset, list_size: list.length, list_data: list };
  }

  /** GET /tasks/{id}'s ETag; 404 for a task that is not live. */
  async taskEtag(id: string): Promise<string> {
    const task = await this.tasks.findLive(id);
    if (!task) throw new AppException('TASK_NOT_FOUND', { id });
    return taskEtag(task, versionOf((await this.subtasks.versionsForTasks([id])).get(id)));
  }

  /** GET /tasks/{id}/subtasks's ETag. */
  async subtaskListEtag(taskId: string): Promise<string> {
    return subtaskListEtag(taskId, versionOf((await this.subtasks.versionsForTasks([taskId])).get(taskId)));
  }

  /** GET /subtasks/{id}'s ETag; 404 for a subtask of a deleted task too. */
  async subtaskEtag(id: string): Promise<string> {
    const subtask = await this.subtasks.findById(id);
    const task = subtask && (await this.tasks.findLive(subtask.task_id));
    if (!subtask || !task) throw new AppException('SUBTASK_NOT_FOUND', { id });
    return subtaskEtag(subtask, task.update_dt);
  }

  /** GET /subtasks: across live tasks, newest first. */
  async searchSubtasks(query: ListSubtasksQueryDto): Promise<{ total_num: number; offset: number; list_size: number; list_data: SubtaskDto[] }> {
    const offset = query.offset ?? 0;
    const { total, rows } = await this.subtasks.search(
      { state: query.state, desired_state: query.desired_state, task_id: query.task_id, vchan_refid: query.vchan_refid },
      offset,
      query.limit ?? 10,
    );
    const list = this.subtaskDtos.toDtos(rows);
    return { total_num: total, offset, list_size: list.length, list_data: list };
  }
}
