import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { AppException } from '../common/errors/app.exception';
import { MetricsService } from '../common/observability/metrics.service';
import { CLOCK, Clock } from '../common/time/clock';
import { formatWireDateTime, parseWireDateTime } from '../common/time/datetime';
import type { JournalEventEntity } from '../journal/journal-event.entity';
import { JournalRepository } from '../journal/journal.repository';
import type { SubtaskRow } from '../subtask/subtask.mapper';
import { SubtaskRepository } from '../subtask/subtask.repository';
import { TaskRepository } from '../task/task.repository';
import {
  AVAILABILITY_DESIRED,
  AVAILABILITY_STATES,
  AvailabilityEvent,
  AvailabilityFigures,
  availabilityInputFromJournal,
  DESIRED_EVENT_KINDS,
  STATE_EVENT_KIND,
  subtaskAvailability,
  sumAvailability,
} from './domain/availability';

const DAY_MS = 86_400_000;
/** Default window: the last 24 h. */
const DEFAULT_WINDOW_MS = DAY_MS;
/** Longest window asked for at once. */
export const MAX_WINDOW_DAYS = 31;

/** A subtask as it is now: the fallback for what the journal no longer holds. */
type SubtaskNow = Pick<SubtaskRow, 'id' | 'state' | 'desired_state'>;

export interface Window {
  from: Date;
  to: Date;
}

/** What a row of the journal says to the availability functions; values they do not know are left out. */
function readable(row: JournalEventEntity): boolean {
  if (row.kind === STATE_EVENT_KIND) return (AVAILABILITY_STATES as readonly string[]).includes(row.to_value ?? '');
  return (AVAILABILITY_DESIRED as readonly string[]).includes(row.to_value ?? '');
}

const asEvent = (row: JournalEventEntity): AvailabilityEvent => ({ at: row.at, kind: row.kind, from: row.from_value, to: row.to_value });

/**
 * When the subtask was last started before `from` (desired turning to `run` from something else),
 * from its desired events (its own and the task-wide ones) oldest first; null when never.
 */
export function latestStart(desired: readonly JournalEventEntity[], from: Date): Date | null {
  let current: string = desired[0]?.from_value ?? 'idle';
  let started: Date | null = null;
  for (const row of desired) {
    if (row.at.getTime() >= from.getTime()) break;
    if (row.to_value === 'run' && current !== 'run') started = row.at;
    if (row.to_value) current = row.to_value;
  }
  return started;
}

/**
 * Availability over a window, built from the journal (API.md section 7): for each subtask, its desired
 * events and the task-wide ones (a task start or stop applies to every subtask), its state before the
 * window (or before its latest start, which decides whether a non-running state is a start-up or an
 * outage), and its state changes inside.
 */
@Injectable()
export class AvailabilityService {
  constructor(
    private readonly journal: JournalRepository,
    private readonly tasks: TaskRepository,
    private readonly subtasks: SubtaskRepository,
    private readonly metrics: MetricsService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  window(query: { from?: string; to?: string }): Window {
    const zone = this.config.time.zone;
    const now = this.clock.now();
    const to = query.to === undefined ? now : parseWireDateTime(query.to, zone);
    if (!to) throw AppException.validation([{ field: 'to', rule: 'isWireDateTime' }]);
    const from = query.from === undefined ? new Date(to.getTime() - DEFAULT_WINDOW_MS) : parseWireDateTime(query.from, zone);
    if (!from) throw AppException.validation([{ field: 'from', rule: 'isWireDateTime' }]);
    if (!(from < to) || to > now || to.getTime() - from.getTime() > MAX_WINDOW_DAYS * DAY_MS) {
      throw new AppException('EVENT_WINDOW_INVALID', { now: formatWireDateTime(now, zone)!, max_days: MAX_WINDOW_DAYS });
    }
    return { from, to };
  }

  async forSubtask(subtaskId: string, query: { from?: string; to?: string }) {
    const window = this.window(query);
    const subtask = await this.subtasks.findById(subtaskId);
    if (!subtask) throw new AppException('SUBTASK_NOT_FOUND', { id: subtaskId });
    const [figures] = await this.compute(subtask.task_id, [subtask], window, subtaskId);
    return { subtask_id: subtaskId, ...this.span(window), ...figures };
  }

  async forTask(taskId: string, query: { from?: string; to?: string }) {
    const window = this.window(query);
    if (!(await this.tasks.findAny(taskId))) throw new AppException('TASK_NOT_FOUND', { id: taskId });
    const subtasks = await this.subtasks.findByTask(taskId);
    const rows = await this.compute(taskId, subtasks, window);
    return { task_id: taskId, ...this.span(window), ...sumAvailability(rows), subtasks: rows.map((row, i) => ({ subtask_id: subtasks[i].id, ...row })) };
  }

  private span(window: Window) {
    const zone = this.config.time.zone;
    return { from: formatWireDateTime(window.from, zone)!, to: formatWireDateTime(window.to, zone)! };
  }

  /**
   * Events are read up to now, not only to `to`: the first one after the window tells what held
   * before it, and with none at all (pruned past retention) the row's state now held all along.
   */
  private async compute(taskId: string, subtasks: readonly SubtaskNow[], { from, to }: Window, only?: string): Promise<AvailabilityFigures[]> {
    if (subtasks.length === 0) return [];
    const subtaskIds = subtasks.map((s) => s.id);
    this.metrics.journalQueries.inc({ query: 'availability' }, 3);
    const desired = (await this.journal.findForAvailability(taskId, DESIRED_EVENT_KINDS, { subtaskId: only })).filter(readable);
    const desiredOf = (id: string) => desired.filter((row) => row.subtask_id === null || row.subtask_id === id);
    // From the earliest latest start on, every state change counts; before it, only the last one.
    let since = from;
    for (const id of subtaskIds) {
      const started = latestStart(desiredOf(id), from);
      if (started && started < since) since = started;
    }
    const [before, inside] = await Promise.all([
      this.journal.lastStatesBefore(taskId, since, only),
      this.journal.findForAvailability(taskId, [STATE_EVENT_KIND], { since, subtaskId: only }),
    ]);
    const states = [...before, ...inside].filter(readable);
    return subtasks.map(({ id, state, desired_state }) => {
      const events = [...states.filter((row) => row.subtask_id === id), ...desiredOf(id)].sort((a, b) => Number(a.seq) - Number(b.seq));
      const now = { state, desired: desired_state };
      const { outage_list: _, ...figures } = subtaskAvailability(availabilityInputFromJournal(events.map(asEvent), from, to, now));
      return figures;
    });
  }
}
