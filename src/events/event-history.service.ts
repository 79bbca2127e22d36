import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AppException } from '../common/errors/app.exception';
import { MetricsService } from '../common/observability/metrics.service';
import { JournalFilter, JournalRepository } from '../journal/journal.repository';
import { SubtaskRepository } from '../subtask/subtask.repository';
import { TaskRepository } from '../task/task.repository';
import { afterIsExpired, beforeIsExpired, formatEventId, parseEventId } from './domain/cursor';
import { toWireEvent, WireEvent } from './domain/wire-event';

const DEFAULT_LIMIT = 10;

export interface HistoryPage {
  total_num: number;
  offset: number;
  list_size: number;
  list_data: WireEvent[];
  next_before: string | null;
}

export interface CatchUpPage {
  total_num: number;
  offset: number;
  list_size: number;
  list_data: WireEvent[];
  next_after: string | null;
}

/**
 * The journal's pages: newest first for one task or subtask (paged with `before`), oldest first for
 * catching up (`after`). `total_num` counts what matches on the cursor's side, this page included.
 */
@Injectable()
export class EventHistoryService {
  constructor(
    private readonly journal: JournalRepository,
    private readonly tasks: TaskRepository,
    private readonly subtasks: SubtaskRepository,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async forTask(taskId: string, query: { kind?: string[]; before?: string; limit?: number }): Promise<HistoryPage> {
    if (!(await this.tasks.findAny(taskId))) throw new AppException('TASK_NOT_FOUND', { id: taskId });
    return this.newestFirst({ taskId, kinds: query.kind }, query.before, query.limit);
  }

  async forSubtask(subtaskId: string, query: { kind?: string[]; before?: string; limit?: number }): Promise<HistoryPage> {
    if (!(await this.subtasks.findById(subtaskId))) throw new AppException('SUBTASK_NOT_FOUND', { id: subtaskId });
    return this.newestFirst({ subtaskId, kinds: query.kind }, query.before, query.limit);
  }

  async catchUp(query: { after?: string; task_id?: string; kind?: string[]; limit?: number }): Promise<CatchUpPage> {
    const after = query.after === undefined ? undefined : await this.resumeAfter(query.after);
    const filter: JournalFilter = { taskId: query.task_id, kinds: query.kind, after };
    const limit = query.limit ?? DEFAULT_LIMIT;
    this.metrics.journalQueries.inc({ query: 'history' }, 2);
    const [total, rows] = await Promise.all([this.journal.countSequenced(filter), this.journal.findSequenced(filter, 'ASC', limit)]);
    const list = rows.map((row) => toWireEvent(row, this.config.time.zone));
    const next = list.length ? list[list.length - 1].event_id : query.after === undefined ? null : formatEventId(after!);
    return { total_num: total, offset: 0, list_size: list.length, list_data: list, next_after: next };
  }

  /** The seq after a cursor, or 400 / 410 (when events after it were pruned). */
  async resumeAfter(cursor: string): Promise<number> {
    const after = this.parse(cursor, 'after');
    const oldest = await this.journal.oldestRetainedSeq();
    if (afterIsExpired(after, oldest)) throw new AppException('EVENT_CURSOR_EXPIRED', { cursor, oldest: formatEventId(oldest) });
    return after;
  }

  private async newestFirst(base: JournalFilter, cursor: string | undefined, limit = DEFAULT_LIMIT): Promise<HistoryPage> {
    let before: number | undefined;
    if (cursor !== undefined) {
      before = this.parse(cursor, 'before');
      const oldest = await this.journal.oldestRetainedSeq();
      if (beforeIsExpired(before, oldest)) throw new AppException('EVENT_CURSOR_EXPIRED', { cursor, oldest: formatEventId(oldest) });
    }
    const filter = { ...base, before };
    this.metrics.journalQueries.inc({ query: 'history' }, 2);
    const [total, rows] = await Promise.all([this.journal.countSequenced(filter), this.journal.findSequenced(filter, 'DESC', limit + 1)]);
    const page = rows.slice(0, limit).map((row) => toWireEvent(row, this.config.time.zone));
    const next = rows.length > limit ? page[page.length - 1].event_id : null;
    return { total_num: total, offset: 0, list_size: page.length, list_data: page, next_before: next };
  }

  private parse(cursor: string, field: string): number {
    const seq = parseEventId(cursor);
    if (seq === null) throw AppException.validation([{ field, rule: 'isDigits', args: { max: 20 } }]);
    return seq;
  }
}
