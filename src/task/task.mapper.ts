import { formatWireDateTime } from '../common/time/datetime';
import type { MtaskRow, SceneRow } from '../scene/domain/scene-rows';
import { SubtaskRunInfo, toMtaskResponses } from '../scene/scene.mapper';
import type { Language } from '../config/app-config';
import { formatStatusReason, summarizeTaskStatus, SubtaskStatusDetail } from './domain/task-status';
import type { TaskDto } from './dto/task-response.dto';
import type { TaskEntity } from './task.entity';

export interface TaskConfigRows {
  mtasks: readonly MtaskRow[];
  scenes: readonly SceneRow[];
  subtasks: readonly (SubtaskRunInfo & SubtaskStatusDetail)[];
}

/**
 * The task as a client sees it. Status, counts, reason and next transition are derived from the
 * subtask rows loaded with it, so a read is exact even while the stored copy (which the list
 * filters and pages on) waits for its refresh; the reason is in the reader's language.
 */
export function toTaskDto(task: TaskEntity, rows: TaskConfigRows, zone: string, lang: Language): TaskDto {
  const summary = summarizeTaskStatus(rows.subtasks);
  return {
    task_id: task.id,
    task_name: task.task_name,
    algo_type: task.algo_type,
    run_dt: formatWireDateTime(task.run_dt, zone)!,
    play_url: task.play_url,
    store_conf_unid: task.store_conf_unid,
    source_type: task.source_type,
    vchans: (task.vchans ?? []).map((v) => ({ vchan_refid: v.vchan_refid, name: v.name ?? null, play_url: v.play_url ?? null, is_ptz: v.is_ptz === true })),
    node_count: task.node_count,
    pull_source_url: task.pull_source_url,
    schedule: task.schedule,
    mtasks: toMtaskResponses(rows.mtasks, rows.scenes, rows.subtasks),
    status: summary.status,
    status_counts: summary.counts,
    status_reason: formatStatusReason(summary, lang),
    next_transition_at: formatWireDateTime(summary.next_transition_at, zone),
    create_dt: formatWireDateTime(task.create_dt, zone)!,
    update_dt: formatWireDateTime(task.update_dt, zone)!,
  };
}

/** Splits rows loaded for a page of tasks by task, keeping one pass over each list. */
export function groupByTask<T extends { task_id: string }>(rows: readonly T[]): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const list = groups.get(row.task_id);
    if (list) list.push(row);
    else groups.set(row.task_id, [row]);
  }
  return groups;
}
