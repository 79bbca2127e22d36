import { formatWireDateTime } from '../common/time/datetime';
import type { MtaskResponseDto } from '../scene/dto/mtask-response.dto';
import type { SubtaskDetailResponseDto, SubtaskDto } from './dto/subtask-response.dto';
import type { SubtaskEntity } from './subtask.entity';

export type SubtaskRow = Omit<SubtaskEntity, 'task'>;

export function toSubtaskDto(row: SubtaskRow, zone: string, now: Date): SubtaskDto {
  return {
    subtask_id: row.id,
    task_id: row.task_id,
    position: row.position,
    source: {
      vchan_refid: row.vchan_refid,
      vchan_name: row.vchan_name,
      play_url: row.play_url,
      is_ptz: Boolean(row.is_ptz),
      node_index: row.node_index,
      pull_source_url: row.pull_source_url,
    },
    state: row.state,
    desired_state: row.desired_state,
    generation: row.generation,
    status_reason: row.status_reason,
    progress: row.progress,
    reported_at: formatWireDateTime(row.reported_at, zone),
    report_age_ms: row.heartbeat_at && row.reported_at ? Math.max(0, now.getTime() - row.heartbeat_at.getTime()) : null,
    attempts: row.attempts,
    next_attempt_at: formatWireDateTime(row.next_attempt_at, zone),
    last_error: row.last_error,
    lease_owner: row.lease_until && row.lease_until.getTime() >= now.getTime() ? row.lease_owner : null,
    lease_until: row.lease_until && row.lease_until.getTime() >= now.getTime() ? formatWireDateTime(row.lease_until, zone) : null,
    update_dt: formatWireDateTime(row.update_dt, zone)!,
  };
}

/** GET /subtasks/{id}: the subtask's fields, its task's algorithm type and its configuration view. */
export function toSubtaskDetailDto(
  row: SubtaskRow,
  algoType: string,
  mtasks: MtaskResponseDto[],
  zone: string,
  now: Date,
): Omit<SubtaskDetailResponseDto, 'ecode' | 'enote'> {
  return { ...toSubtaskDto(row, zone, now), algo_type: algoType, mtasks };
}
