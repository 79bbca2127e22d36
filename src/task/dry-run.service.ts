import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AppException } from '../common/errors/app.exception';
import { inDryRun } from '../database/dry-run';
import { countStates } from './domain/task-status';
import type { DryRunPreviewDto, DryRunSubtaskDto } from './dto/fleet.dto';
import { parseDryRun } from './domain/query-flags';
import { planPreview, SubtaskSnapshot } from './domain/dry-run-preview';
import { SubtaskRepository } from '../subtask/subtask.repository';
import { TaskRepository } from './task.repository';

/** Which task a write is about: known up front, through one of its subtasks, or only from its result (a create). */
export interface DryRunTarget {
  taskId?: string;
  subtaskId?: string;
}

type Preview = Omit<DryRunPreviewDto, 'dry_run'>;

/**
 * `?dry_run=true`: the write runs through its usual code path (validation, locks, refusals; the
 * journal's rows, written as a transaction's last step, are not) and its transaction is rolled
 * back at the end; just before, the task and its subtasks
 * are read in that transaction and compared with how they were, to say what would happen. Side
 * effects after a commit are harmless: a reconciler nudge finds nothing new in the database.
 */
@Injectable()
export class DryRunService {
  constructor(
    private readonly tasks: TaskRepository,
    private readonly subtasks: SubtaskRepository,
  ) {}

  /** The flag of `?dry_run=`, 400 when it is neither true nor false. */
  isDryRun(value: unknown): boolean {
    const parsed = parseDryRun(value);
    if (parsed.error) throw AppException.validation([parsed.error]);
    return parsed.dryRun;
  }

  /** Runs `work` for real, or as a dry run whose answer adds `dry_run: true` and the preview. */
  async perform<T extends object>(flag: unknown, target: DryRunTarget, work: () => Promise<T>): Promise<T | (T & DryRunPreviewDto)> {
    if (!this.isDryRun(flag)) return work();
    const taskId = target.taskId ?? (target.subtaskId ? (await this.subtasks.findById(target.subtaskId))?.task_id : undefined);
    const before = taskId ? await this.snapshot(undefined, taskId) : [];
    const { result, previews } = await inDryRun(work, async (em, value) => {
      const id = taskId ?? (value as { task_id?: string }).task_id;
      if (!id) return null;
      const after = await this.snapshot(em, id);
      const task = await this.tasks.findAny(id, em);
      return {
        task_status: task?.status ?? 'unconfigured',
        task_status_counts: task?.status_counts ?? countStates(after),
        subtasks: planPreview(before, after),
      } satisfies Preview;
    });
    const preview = (previews[previews.length - 1] as Preview | null | undefined) ?? {
      task_status: 'unconfigured',
      task_status_counts: countStates([]),
      subtasks: [] as DryRunSubtaskDto[],
    };
    return { ...result, dry_run: true as const, ...preview };
  }

  private async snapshot(em: EntityManager | undefined, taskId: string): Promise<SubtaskSnapshot[]> {
    return (await this.subtasks.findByTask(taskId, em)).map((s) => ({
      id: s.id,
      vchan_refid: s.vchan_refid,
      node_index: s.node_index,
      state: s.state,
      desired_state: s.desired_state,
    }));
  }
}
