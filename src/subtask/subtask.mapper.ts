import { formatWireDateTime } from '../common/time/datetime';
import type { SubtaskDto } from './dto/subtask-response.dto';
import type { SubtaskEntity } from './subtask.entity';

export type SubtaskRow = Omit<SubtaskEntity, 'task'>;

export function toSubtaskDto(row: SubtaskRow, zone: string): SubtaskDto {
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
    update_dt: formatWireDateTime(row.update_dt, zone)!,
  };
}
