import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { CLOCK, Clock } from '../common/time/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { TransactionRunner } from '../database/transaction.runner';
import { SceneRepository } from '../scene/scene.repository';
import { stateChange, SYSTEM_ACTOR } from '../journal/event';
import { JournalRepository } from '../journal/journal.repository';
import { StatusSweeper } from '../status/status-sweeper.service';
import type { SubtaskRow } from '../subtask/subtask.mapper';
import { TaskRepository } from '../task/task.repository';
import type { BackoffPolicy } from './domain/backoff';
import { runWindow } from '../schedule/domain/run-window';
import type { TaskEntity } from '../task/task.entity';
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
import { workFor } from '../subtask/domain/work';
import { SubtaskRepository } from '../subtask/subtask.repository';
import { OpsCircuitOpenError, OpsClient, OpsUnavailableError } from './ops-client';

/** Builds the dispatch body of a claimed subtask from its task's row and configuration. */
type StartBodyBuilder = (subtask: SubtaskRow) => StartSubtaskBody;

/** What the claimed subtasks' work needs of their tasks, loaded once per claim. */
interface ClaimContext {
  bodies: Map<string, StartBodyBuilder>;
  tasks: Map<string, TaskEntity>;
}

/**
 * Drives every subtask from its observed state toward its desired state, like a Kubernetes
 * controller: level-triggered (each pass looks at what the database says is due), safe to repeat
 * (dispatches carry an idempotency key per generation), and resumable (short leases, renewed while
 * work is in flight; a dead owner's claims are taken over once they lapse). This class is the I/O
 * shell: what is due and what each outcome writes are pure rules in domain/.
 */
@Injectable()
export class ReconcilerService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(ReconcilerService.name);
  readonly instanceId = `${hostname().slice(0, 30)}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private passes = 0;
  private timer: NodeJS.Timeout | undefined;
  private renewTimer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  /** Subtask id → the claim token its work in flight holds. */
  private readonly claims = new Map<string, string>();
  private readonly abort = new AbortController();
  private stopped = false;
  /** A nudge came while a pass was under way, which may have looked before the new work existed. */
  private again = false;
  /** The last claim took a full batch: more work is probably due, so passes follow completions, not the interval. */
  private moreDue = false;
  /** When the earliest work not yet due falls due, as the last pass saw it. */
  private nextDue: Date | null = null;

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

  get enabled(): boolean {
    return this.config.dispatch.reconcilerEnabled && this.ops.baseUrl !== null;
  }

  private get backoff(): BackoffPolicy {
    return { baseMs: this.config.dispatch.retryBaseMs, capMs: this.config.dispatch.retryMaxMs };
  }

  onApplicationBootstrap(): void {
    if (!this.enabled) return;
    this.scheduleNext();
    this.renewTimer = setInterval(() => void this.renewLeases(), Math.max(250, Math.floor(this.config.dispatch.leaseMs / 3)));
    this.renewTimer.unref();
  }

  /**
   * SIGTERM, before the HTTP server closes: stop claiming, let a pass already claiming finish (so
   * its claims are known), abandon the calls in flight and hand every claim back at once, so
   * another replica continues on its next pass. A call the ops service did receive is deduplicated
   * by its idempotency key when the next owner repeats it.
   */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.renewTimer);
    await this.current?.catch(() => undefined);
    this.abort.abort();
    const held = new Map(this.claims);
    this.claims.clear();
    await this.repository
      .releaseAll(held)
      .catch((error: unknown) => this.logger.warn({ err: error }, 'claims not handed back at shutdown; they lapse after LEASE_MS'));
    await Promise.allSettled([...this.inFlight]);
  }

  /** Look for work now rather than at the next interval (after a start or stop). */
  nudge(): void {
    if (!this.enabled || this.stopped) return;
    if (this.current) this.again = true;
    else void this.tick();
  }

  /** One pass; concurrent callers share the pass under way. */
  tick(): Promise<void> {
    this.current ??= this.pass()
      .catch((error: unknown) => this.logger.error({ err: error }, 'reconcile pass failed'))
      .finally(() => {
        this.current = undefined;
        // A full claim with room left, or a nudge that arrived mid-pass: claim again now.
        const backlog = this.moreDue && this.inFlight.size < this.config.dispatch.concurrency * 2;
        if ((backlog || this.again) && !this.stopped) {
          this.again = false;
          setImmediate(() => this.nudge());
        }
      });
    return this.current;
  }

  /**
   * The next pass comes after the interval, or earlier when work falls due before it (a run_dt,
   * a schedule window's opening or close, a retry): a window shorter than the interval is still
   * seen at its opening.
   */
  private scheduleNext(): void {
    if (this.stopped) return;
    const interval = this.config.dispatch.reconcileIntervalMs;
    const untilDue = this.nextDue === null ? interval : this.nextDue.getTime() - this.clock.now().getTime();
    this.timer = setTimeout(
      () => {
        void this.tick().finally(() => this.scheduleNext());
      },
      Math.max(0, Math.min(interval, untilDue)),
    );
  }

  private async renewLeases(): Promise<void> {
    if (this.claims.size === 0 || this.stopped) return;
    const until = new Date(this.clock.now().getTime() + this.config.dispatch.leaseMs);
    await this.repository.renewLeases(this.claims, until).catch((error: unknown) => this.logger.warn({ err: error }, 'lease renewal failed'));
  }

  private async pass(): Promise<void> {
    const { dispatch } = this.config;
    const now = this.clock.now();
    await this.detectLost(now);

    const room = dispatch.concurrency * 2 - this.inFlight.size;
    if (room <= 0 || this.stopped) return;
    const token = `${this.instanceId}#${this.passes + 1}`;
    const limit = Math.min(dispatch.batchSize, room);
    const claimed = await this.repository.claim(token, now, new Date(now.getTime() + dispatch.leaseMs), limit);
    this.moreDue = claimed.length === limit;
    this.nextDue = await this.repository.nextDueAfter(now);
    if (claimed.length === 0) return;
    this.passes += 1;
    const context = await this.claimContext(claimed);
    for (const subtask of claimed) this.track(subtask, token, this.work(subtask, token, context));
  }

  /** Running subtasks silent past the heartbeat timeout become lost, with their tasks marked, in one transaction. */
  private async detectLost(now: Date): Promise<void> {
    const timeout = this.config.dispatch.heartbeatTimeoutMs;
    const lost = await this.tx.run(async (em) => {
      const reason = `no report for more than ${Math.round(timeout / 1000)} s`;
      const rows = await this.repository.markLost(em, new Date(now.getTime() - timeout), now, reason);
      await this.status.mark(
        em,
        rows.map((r) => r.task_id),
      );
      await this.journal.append(
        em,
        rows.map((r) => stateChange(r, 'running', 'lost', SYSTEM_ACTOR, reason)),
        now,
      );
      return rows;
    });
    if (lost.length === 0) return;
    for (const row of lost) {
      const silentMs = row.heartbeat_at ? now.getTime() - row.heartbeat_at.getTime() : null;
      this.logger.warn({ subtask_id: row.id, task_id: row.task_id, silent_ms: silentMs }, 'subtask lost: no report within HEARTBEAT_TIMEOUT_MS');
    }
    this.status.nudge();
  }

  private track(subtask: SubtaskRow, token: string, work: Promise<void>): void {
    this.claims.set(subtask.id, token);
    const tracked = work
      .catch(async (error: unknown) => {
        if (this.stopped) return;
        this.logger.error({ err: error, subtask_id: subtask.id, task_id: subtask.task_id }, 'reconcile work failed');
        // Give the claim back so the work is tried again soon, not after the lease runs out.
        const retryAt = new Date(this.clock.now().getTime() + this.config.dispatch.retryBaseMs);
        await this.repository.release(subtask.id, token, retryAt).catch(() => undefined);
      })
      .finally(() => {
        if (this.claims.get(subtask.id) === token) this.claims.delete(subtask.id);
        this.inFlight.delete(tracked);
        // With a backlog, a start of 1,000 subtasks must not wait an interval per claim: once half
        // the window is free, claim again (half, so each pass claims a batch, not one subtask).
        if (this.moreDue && this.inFlight.size <= this.config.dispatch.concurrency) this.nudge();
      });
    this.inFlight.add(tracked);
  }

  /** Task rows and configurations of the claimed subtasks, one query per level for the whole batch. */
  private async claimContext(claimed: readonly SubtaskRow[]): Promise<ClaimContext> {
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

  private async work(subtask: SubtaskRow, token: string, context: ClaimContext): Promise<void> {
    const task = context.tasks.get(subtask.task_id);
    switch (workFor(subtask)) {
      case 'dispatch':
        return this.dispatch(subtask, token, task, context.bodies.get(subtask.task_id));
      case 'stop':
        return this.stop(subtask, token);
      case 'close':
        return this.close(subtask, token, task);
      case 'probe':
        return this.probe(subtask, token, task);
      default:
        // Changed since it was found due (a start or stop in between): nothing to do under this claim.
        await this.repository.release(subtask.id, token);
    }
  }

  /** Writes an outcome under the claim, with its task marked for a status refresh in the same transaction. */
  private async write(subtask: SubtaskRow, token: string, outcome: Outcome, keepLease = false): Promise<boolean> {
    const now = this.clock.now();
    const changesState = outcome.patch.state !== undefined && outcome.patch.state !== subtask.state;
    const written = await this.tx.run(async (em) => {
      const ok = await this.repository.finish(em, subtask.id, token, subtask.generation, outcome.expected, outcome.patch, now, keepLease);
      if (ok && changesState) {
        await this.status.mark(em, [subtask.task_id]);
        const generation = outcome.patch.generation ?? subtask.generation;
        await this.journal.append(
          em,
          [stateChange({ ...subtask, generation }, subtask.state, outcome.patch.state!, SYSTEM_ACTOR, outcome.patch.status_reason ?? null)],
          now,
        );
      }
      return ok;
    });
    if (written && changesState) this.status.nudge();
    if (written && outcome.warn) {
      this.logger.warn(
        { subtask_id: subtask.id, task_id: subtask.task_id, generation: outcome.patch.generation ?? subtask.generation, attempts: outcome.patch.attempts },
        outcome.warn,
      );
    }
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

  private async stop(subtask: SubtaskRow, token: string): Promise<void> {
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
