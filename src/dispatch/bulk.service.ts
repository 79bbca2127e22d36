import '../common/http/request-language';
import { Injectable, Logger } from '@nestjs/common';
import { ErrorResponder } from '../common/errors/error-response';
import type { Language } from '../config/app-config';
import type { Actor } from '../journal/event';
import type { EntityManager } from 'typeorm';
import { StatusSweeper } from '../status/status-sweeper.service';
import { SubtaskRepository } from '../subtask/subtask.repository';
import { SubtaskConfigService } from '../task/subtask-config.service';
import { TaskService } from '../task/task.service';
import { BulkItem, runEach } from './domain/bulk';
import { DispatchService } from './dispatch.service';

export type BulkTaskAction = 'start' | 'stop' | 'delete' | 'restore';

/**
 * Bulk actions (API.md section 9): each item goes through the single-item operation, in its own
 * transaction, so one missing, active or unconfigured task answers its own 404 or 409 and the
 * rest go ahead. The error of an item is the body the single-item endpoint would answer, in the
 * request's language, without a request id of its own.
 */
@Injectable()
export class BulkService {
  private readonly logger = new Logger(BulkService.name);

  constructor(
    private readonly dispatch: DispatchService,
    private readonly tasks: TaskService,
    private readonly configs: SubtaskConfigService,
    private readonly subtasks: SubtaskRepository,
    private readonly responder: ErrorResponder,
    private readonly sweeper: StatusSweeper,
  ) {}

  taskAction(action: BulkTaskAction, ids: readonly string[], actor: Actor, lang: Language): Promise<BulkItem<'task_id'>[]> {
    const operation = async (id: string): Promise<object> => {
      switch (action) {
        case 'start':
        case 'stop': {
          const { status, changed } = action === 'start' ? await this.dispatch.startTask(id, actor) : await this.dispatch.stopTask(id, actor);
          return { status, changed };
        }
        case 'delete':
          await this.tasks.remove(id, actor);
          return {};
        case 'restore':
          await this.tasks.restore(id, actor);
          return {};
      }
    };
    return runEach('task_id', ids, operation, (error) => this.describe(error, lang));
  }

  /** 配置完成 for every subtask of a live task (404 for the whole request when the task is not). */
  async completeAll(taskId: string, actor: Actor, lang: Language): Promise<BulkItem<'subtask_id'>[]> {
    await this.tasks.assertExists(taskId);
    const ids = (await this.subtasks.findByTask(taskId)).map((s) => s.id);
    const bulk = { taskId, markStatus: (em: EntityManager, id: string) => this.sweeper.mark(em, [id]) };
    const results = await runEach(
      'subtask_id',
      ids,
      async (id) => ({ state: (await this.configs.complete(id, actor, bulk)).state }),
      (error) => this.describe(error, lang),
    );
    // The items marked the task; its status is re-derived once, before the answer. Should that
    // fail, the mark stays and the sweep re-derives it, so the items' answers stand.
    await this.sweeper
      .refreshBatch([taskId])
      .catch((error: unknown) => this.logger.warn({ err: error, task_id: taskId }, 'status refresh after bulk 配置完成 failed; left to the sweep'));
    return results;
  }

  private describe(error: unknown, lang: Language): { ecode: number; enote: string; error: string; [field: string]: unknown } {
    const { request_id: _own, ...body } = this.responder.build(this.responder.toAppException(error), lang, '');
    return body;
  }
}
