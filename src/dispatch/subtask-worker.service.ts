import { Inject, Injectable, Logger } from '@nestjs/common';
import { CLOCK, Clock } from '../common/time/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { GroupCommit } from '../database/group-commit';
import { TransactionRunner } from '../database/transaction.runner';
import { stateChange, SYSTEM_ACTOR } from '../journal/event';
import { JournalRepository } from '../journal/journal.repository';
import { SceneRepository } from '../scene/scene.repository';
import { runWindow } from '../schedule/domain/run-window';
import { StatusSweeper } from '../status/status-sweeper.service';
import { workFor } from '../subtask/domain/work';
import type { SubtaskRow } from '../subtask/subtask.mapper';
import { SubtaskRepository } from '../subtask/subtask.repository';
import type { TaskEntity } from '../task/task.entity';
import { TaskRepository } from '../task/task.repository';
import type { BackoffPolicy } from './domain/backoff';
import {
  dispatchAccepted,
  dispatchDue,
  dispatchRefused,
  lostForgotten,
  lostObserved,
  Outcome,
  retryLater,
  stillInWindow,
  stopConfirmed,
  stopRefused,
  taskGone,
  waitForCircuit,
  waitForWindow,
  windowClosed,
  windowClosing,
} from './domain/outcomes';
import { buildStartBody, StartSubtaskBody } from './domain/payload';
import { classifyOpsAnswer, observedState, scheduledReason } from './domain/transitions';
import { OpsCircuitOpenError, OpsClient, OpsUnavailableError } from './ops-client';

/** Outcomes written in one transaction at most (a claim's worth). */
const OUTCOMES_PER_TRANSACTION = 200;

interface PendingOutcome {
  subtask: SubtaskRow;
  token: string;
  outcome: Outcome;
  keepLease: boolean;
}

/** Builds the dispatch body of a claimed subtask from its task's row and configuration. */
type StartBodyBuilder = (subtask: SubtaskRow) => StartSubtaskBody;

/** What the claimed subtasks' work needs of their tasks, loaded once per claim. */
export interface ClaimContext {
  bodies: Map<string, StartBodyBuilder>;
  tasks: Map<string, TaskEntity>;
}

/**
 * The work on one claimed subtask: what its state and wish call for (workFor), one call to the
 * ops service, and the outcome the pure rules in domain/outcomes.ts give for the answer, written
 * under the claim with its journal event and status mark in one transaction.
 */
@Injectable()
export class SubtaskWorker {
  private readonly logger = new Logger(SubtaskWorker.name);
  private readonly abort = new AbortController();
  private stopped = false;
  private readonly outcomes = new GroupCommit<PendingOutcome, boolean>(
    (pending) => this.writeOutcomes(pending),
    (p) => p.subtask.id,
    OUTCOMES_PER_TRANSACTION,
  );

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly repository: SubtaskRepository,
    private readonly ops: OpsClient,
    private readonly tasks: TaskRepository,
    private readonly scenes: SceneRepository,
    private readonly status: StatusSweeper,
    private readonly tx: TransactionRunner,
    private readonly journal: JournalRepository,
  ) {}

  private get backoff(): BackoffPolicy {
    return { baseMs: this.config.dispatch.retryBaseMs, capMs: this.config.dispatch.retryMaxMs };
  }

  /** Abandons the calls in flight and writes no outcome of theirs (the claims are handed back). */
  stop(): void {
    this.stopped = true;
    this.abort.abort();
  }

  /** Task rows and configurations of the claimed subtasks, one query per level for the whole batch. */
  async claimContext(claimed: readonly SubtaskRow[]): Promise<ClaimContext> {
    const taskIds = [...new Set(claimed.filter((s) => s.desired_state === 'run' || s.state === 'lost').map((s) => s.task_id))];
    const [tasks, rows] = await Promise.all([this.tasks.findByIds(taskIds), this.scenes.loadForTasks(taskIds)]);
    const reportUrl = `${this.config.dispatch.publicBaseUrl}/internal/subtask-reports`;
    const bodies = new Map<string, StartBodyBuilder>();
    for (const task of tasks) {
      const own = { mtasks: rows.mtasks.filter((m) => m.task_id === task.id), scenes: rows.scenes.filter((s) => s.task_id === task.id) };
      bodies.set(task.id, (subtask) => buildStartBody(subtask, task, own, reportUrl));
    }
    return { bodies, tasks: new Map(tasks.map((t) => [t.id, t])) };
  }

  async work(subtask: SubtaskRow, token: string, context: ClaimContext): Promise<void> {
    const task = context.tasks.get(subtask.task_id);
    switch (workFor(subtask)) {
      case 'dispatch':
        return this.dispatch(subtask, token, task, context.bodies.get(subtask.task_id));
      case 'stop':
        return this.stopAtOps(subtask, token);
      case 'close':
        return this.close(subtask, token, task);
      case 'probe':
        return this.probe(subtask, token, task);
      default:
        // Changed since it was found due (a start or stop in between): nothing to do under this claim.
        await this.repository.release(subtask.id, token);
    }
  }

  /** Writes an outcome under the claim; concurrent outcomes share one transaction (writeOutcomes). */
  private write(subtask: SubtaskRow, token: string, outcome: Outcome, keepLease = false): Promise<boolean> {
    return this.outcomes.submit({ subtask, token, outcome, keepLease });
  }

  /**
   * Writes outcomes of many claims in one transaction: each only if it still applies, with the
   * state changes journalled (one multi-row insert) and their tasks marked for a status refresh.
   * At a window's opening thousands of subtasks finish their calls together; one commit per
   * outcome would bound dispatch by the database's commit rate.
   */
  private async writeOutcomes(pending: PendingOutcome[]): Promise<boolean[]> {
    const now = this.clock.now();
    const nextState = (p: PendingOutcome) => p.outcome.patch.state;
    const changesState = (p: PendingOutcome) => nextState(p) !== undefined && nextState(p) !== p.subtask.state;
    const written = await this.tx.run(async (em) => {
      const applied = await this.repository.finishMany(
        em,
        pending.map(({ subtask, token, outcome, keepLease }) => ({
          id: subtask.id,
          token,
          generation: subtask.generation,
          expected: outcome.expected,
          patch: outcome.patch,
          keepLease,
        })),
        now,
        this.tx.lockMode(),
      );
      const changed = pending.filter((p, i) => applied[i] && changesState(p));
      if (changed.length > 0) {
        await this.status.mark(
          em,
          changed.map((p) => p.subtask.task_id),
        );
        await this.journal.append(
          em,
          changed.map(({ subtask, outcome }) =>
            stateChange(
              { ...subtask, generation: outcome.patch.generation ?? subtask.generation },
              subtask.state,
              outcome.patch.state!,
              SYSTEM_ACTOR,
              outcome.patch.status_reason ?? null,
            ),
          ),
          now,
        );
      }
      return applied;
    });
    if (pending.some((p, i) => written[i] && changesState(p))) this.status.nudge();
    pending.forEach(({ subtask, outcome }, i) => {
      if (!written[i] || !outcome.warn) return;
      this.logger.warn(
        { subtask_id: subtask.id, task_id: subtask.task_id, generation: outcome.patch.generation ?? subtask.generation, attempts: outcome.patch.attempts },
        outcome.warn,
      );
    });
    return written;
  }

  private async dispatch(subtask: SubtaskRow, token: string, task: TaskEntity | undefined, body: StartBodyBuilder | undefined): Promise<void> {
    let current = subtask;
    if (subtask.state === 'scheduled') {
      // Its time has come, unless the window it waited for is already over (the service was down
      // through it): then it waits for the next one. A window still open is started late.
      const schedule = task?.schedule ?? null;
      const now = this.clock.now();
      const window = runWindow(schedule, task && task.run_dt.getTime() > now.getTime() ? task.run_dt : now);
      if (schedule && window.at.getTime() > now.getTime()) {
        await this.write(subtask, token, waitForWindow(window.at, scheduledReason(schedule, window.at)));
        return;
      }
      if (!(await this.write(subtask, token, dispatchDue(), true))) return;
      current = { ...subtask, state: 'dispatching' };
    }
    if (!body) {
      await this.write(current, token, taskGone());
      return;
    }
    const { id, generation } = current;
    try {
      const answer = await this.ops.call('start', 'POST', '/subtasks', body(current), { 'Idempotency-Key': `${id}:${generation}` }, this.abort.signal);
      const verdict = classifyOpsAnswer(answer.status, answer.body, generation);
      const now = this.clock.now();
      await this.write(
        current,
        token,
        verdict.kind === 'ok' ? dispatchAccepted(now, this.closeOf(task, now)) : retryOrRefuse(current, verdict, 'dispatch', now, this.backoff),
      );
    } catch (error) {
      await this.unavailable(current, token, 'dispatch', error);
    }
  }

  private async stopAtOps(subtask: SubtaskRow, token: string): Promise<void> {
    const { id, generation } = subtask;
    try {
      const answer = await this.ops.call('stop', 'POST', `/subtasks/${encodeURIComponent(id)}/stop`, { generation }, {}, this.abort.signal);
      // 404: the ops service has nothing running under this id, which is what a stop wants.
      const verdict = answer.status === 404 ? { kind: 'ok' as const } : classifyOpsAnswer(answer.status, answer.body, generation);
      const now = this.clock.now();
      await this.write(subtask, token, verdict.kind === 'ok' ? stopConfirmed() : stopRefused(subtask, verdict.reason, now, this.backoff));
    } catch (error) {
      await this.unavailable(subtask, token, 'stop not confirmed', error);
    }
  }

  /**
   * Under a schedule, when its window closes: a running subtask is stopped (stopping, then the
   * ops service is asked), and once that is confirmed it waits as `scheduled` for the next window
   * under the next generation. The wish to run stands; only a stop by the operator ends it.
   */
  private async close(subtask: SubtaskRow, token: string, task: TaskEntity | undefined): Promise<void> {
    const schedule = task?.schedule ?? null;
    const now = this.clock.now();
    const window = runWindow(schedule, now);
    if (!schedule || (window.inside && subtask.state === 'running')) {
      // No window to close (no schedule), or it is still open: due again at its close.
      await this.write(subtask, token, stillInWindow(subtask, window.closeAt ?? now));
      return;
    }
    let current = subtask;
    if (subtask.state === 'running') {
      if (!(await this.write(subtask, token, windowClosing(), true))) return;
      current = { ...subtask, state: 'stopping' };
    }
    const { id, generation } = current;
    try {
      const answer = await this.ops.call('stop', 'POST', `/subtasks/${encodeURIComponent(id)}/stop`, { generation }, {}, this.abort.signal);
      const verdict = answer.status === 404 ? { kind: 'ok' as const } : classifyOpsAnswer(answer.status, answer.body, generation);
      const after = this.clock.now();
      const next = runWindow(schedule, after);
      await this.write(
        current,
        token,
        verdict.kind === 'ok' ? windowClosed(current, next.at, scheduledReason(schedule, next.at)) : stopRefused(current, verdict.reason, after, this.backoff),
      );
    } catch (error) {
      await this.unavailable(current, token, 'window closed, stop not confirmed', error);
    }
  }

  /** When a subtask dispatched now must stop for its schedule: its window's close, or at once if the window is already over. */
  private closeOf(task: TaskEntity | undefined, now: Date): Date | null {
    if (!task?.schedule) return null;
    const window = runWindow(task.schedule, now);
    return window.inside ? window.closeAt : now;
  }

  /** A lost subtask: ask the ops service what it knows and converge on that. */
  private async probe(subtask: SubtaskRow, token: string, task: TaskEntity | undefined): Promise<void> {
    const { id, generation } = subtask;
    try {
      const answer = await this.ops.call('get', 'GET', `/subtasks/${encodeURIComponent(id)}`, undefined, {}, this.abort.signal);
      const body = (answer.body ?? {}) as { generation?: unknown; state?: unknown; status_reason?: unknown; progress?: unknown };
      const known = answer.status === 200 && body.generation === generation;
      const observed = known ? observedState(body.state) : null;
      const now = this.clock.now();
      if (answer.status === 404 || (answer.status === 200 && !known)) {
        await this.write(subtask, token, lostForgotten(subtask, now));
      } else if (observed) {
        const reason = typeof body.status_reason === 'string' ? body.status_reason.slice(0, 1024) : null;
        const progress = typeof body.progress === 'number' ? Math.round(body.progress) : null;
        await this.write(subtask, token, lostObserved(subtask, observed, reason, progress, now, this.closeOf(task, now)));
      } else {
        await this.write(
          subtask,
          token,
          retryLater(subtask, 'lost: no report, and the ops service could not say', `HTTP ${answer.status} with no usable state`, now, this.backoff),
        );
      }
    } catch (error) {
      await this.unavailable(subtask, token, 'lost: no report, and the ops service could not say', error);
    }
  }

  /** Unavailability never fails a subtask: it stays on its way, with a durable backoff (or waits for the breaker). */
  private async unavailable(subtask: SubtaskRow, token: string, what: string, error: unknown): Promise<void> {
    if (this.stopped) return;
    if (error instanceof OpsCircuitOpenError) {
      await this.write(subtask, token, waitForCircuit(subtask, what, error.reason, error.retryAt));
      return;
    }
    if (!(error instanceof OpsUnavailableError)) throw error;
    await this.write(subtask, token, retryLater(subtask, what, `ops service unavailable: ${error.reason}`, this.clock.now(), this.backoff));
  }
}

/** A 429 or 5xx answered without an exception would be retried; any other non-success refuses. */
function retryOrRefuse(subtask: SubtaskRow, verdict: { kind: 'retry' | 'refused'; reason: string }, what: string, now: Date, policy: BackoffPolicy): Outcome {
  return verdict.kind === 'retry' ? retryLater(subtask, what, verdict.reason, now, policy) : dispatchRefused(verdict.reason);
}
