import type { MtaskResponseDto } from '../../scene/dto/mtask-response.dto';
import type { MtaskRow, SceneRow } from '../../scene/domain/scene-rows';
import { toMtaskResponses } from '../../scene/scene.mapper';
import { selectSubtaskConfig } from '../../subtask/domain/subtask-config';
import type { SubtaskRow } from '../../subtask/subtask.mapper';

/** The task columns the ops service needs beside the subtask's own. */
export interface TaskForDispatch {
  id: string;
  algo_type: string;
  source_type: string;
  store_conf_unid: string | null;
}

/** The body of `POST {OPS_BASE_URL}/subtasks`, exactly as API.md section 6 defines it. */
export interface StartSubtaskBody {
  subtask_id: string;
  task_id: string;
  generation: number;
  algo_type: string;
  source_type: string;
  source: { vchan_refid: string | null; play_url: string | null; node_index: number | null; pull_source_url: string | null };
  mtasks: OpsMtask[];
  store_conf_unid: string | null;
  report_url: string;
}

/** An mtask as the ops service gets it: the original shape without the output-only fields. */
export type OpsMtask = Omit<MtaskResponseDto, 'progress' | 'scenes'> & {
  scenes: Omit<MtaskResponseDto['scenes'][number], 'is_running' | 'status_reason'>[];
};

export function buildStartBody(
  subtask: SubtaskRow,
  task: TaskForDispatch,
  config: { mtasks: readonly MtaskRow[]; scenes: readonly SceneRow[] },
  reportUrl: string,
): StartSubtaskBody {
  // Exactly the configuration GET /subtasks/{id} shows.
  const own = selectSubtaskConfig(subtask, config);
  return {
    subtask_id: subtask.id,
    task_id: task.id,
    generation: subtask.generation,
    algo_type: task.algo_type,
    source_type: task.source_type,
    source: {
      vchan_refid: subtask.vchan_refid,
      play_url: subtask.play_url,
      node_index: subtask.node_index,
      pull_source_url: subtask.pull_source_url,
    },
    mtasks: toMtaskResponses(own.mtasks, own.scenes, []).map(({ progress: _progress, scenes, ...mtask }) => ({
      ...mtask,
      scenes: scenes.map(({ is_running: _running, status_reason: _reason, ...scene }) => scene),
    })),
    store_conf_unid: task.store_conf_unid,
    report_url: reportUrl,
  };
}
