import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { TransactionRunner } from '../database/transaction.runner';
import { SceneRepository } from '../scene/scene.repository';
import { StatusAggregationService } from '../status/status-aggregation.service';
import type { SubtaskRow } from '../subtask/subtask.mapper';
import { TaskRepository } from '../task/task.repository';
import { buildStartBody, StartSubtaskBody } from './domain/payload';
import { classifyOpsAnswer, observedState } from './domain/transitions';
import { DispatchRepository } from './dispatch.repository';
import { OpsClient, OpsUnavailableError } from './ops-client';

const STATUS_FLUSH_MS = 50;

/** The claim on a subtask was lost mid-work (it expired and was taken, or a start/stop superseded it). */
class LeaseLostError extends Error {}

/**
 * Drives every subtask from its observed state toward its desired state, like a Kubernetes
 * controller: level-triggered (each pass looks at what the database says is due, not at events),
 * safe to repeat (dispatches carry an idempotency key per generation), and resumable (a claimed
 * subtask whose owner died is claimed again once its lease runs out).
 */
@Injectable()
export class ReconcilerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(ReconcilerService.name);
  readonly instanceId = `${hostname().slice(0, 30)}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private passes = 0;
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<void> | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private readonly dirtyTasks = new Set<string>();
  private flushTimer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();
  private stopped = false;
  /** A nudge came while a pass was under way, which may have looked before the new work existed. */
  private again = false;
  /** The last claim took a full batch: more work is probably due, so passes follow completions, not the interval. */
  private moreDue = false;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly repository: DispatchRepository,
    private readonly ops: OpsClient,
    private readonly tasks: TaskRepository,
    private readonly scenes: SceneRepository,
    private readonly status: StatusAggregationService,
    private readonly tx: TransactionRunner,
  ) {}

  get enabled(): boolean {
    return this.config.dispatch.reconcilerEnabled && this.ops.baseUrl !== null;
  }

  onApplicationBootstrap(): void {
    if (this.enabled) this.scheduleNext();
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearTimeout(this.flushTimer);
    await this.current;
    await Promise.allSettled([...this.inFlight]);
    await this.flushStatus();
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
        // A full claim with room left (fast ops answers finished during the pass), or a nudge
        // that arrived mid-pass: claim again now rather than at the next interval.
        const backlog = this.moreDue && this.inFlight.size < this.config.dispatch.concurrency * 2;
        if (backlog || this.again) {
          this.again = false;
          setImmediate(() => this.nudge());
        }
      });
    return this.current;
  }

  private scheduleNext(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      void this.tick().finally(() => this.scheduleNext());
    }, this.config.dispatch.reconcileIntervalMs);
  }

  private async pass(): Promise<void> {
    const { dispatch } = this.config;
    const now = new Date();
    const lost = await this.repository.markLost(
      new Date(now.getTime() - dispatch.heartbeatTimeoutMs),
      now,
      `no report for more than ${Math.round(dispatch.heartbeatTimeoutMs / 1000)} s`,
    );
    lost.forEach((id) => this.markDirty(id));

    const room = dispatch.concurrency * 2 - this.inFlight.size;
    if (room <= 0) return;
    const token = `${this.instanceId}#${this.passes + 1}`;
    const limit = Math.min(dispatch.batchSize, room);
    const claimed = await this.repository.claim(token, now, new Date(now.getTime() + dispatch.leaseMs), limit);
    this.moreDue = claimed.length === limit;
    if (claimed.length === 0) return;
    this.passes += 1;
    const context = await this.loadContext(claimed);
    for (const subtask of claimed) this.track(subtask, token, this.work(subtask, token, context));
  }

  private track(subtask: SubtaskRow, token: string, work: Promise<void>): void {
    const tracked = work
      .catch(async (error: unknown) => {
        if (error instanceof LeaseLostError) return;
        this.logger.error({ err: error, subtask_id: subtask.id }, 'reconcile work failed');
        // Give the claim back so the work is tried again soon, not after the lease runs out.
        const retryAt = new Date(Date.now() + this.config.dispatch.retryBaseMs);
        await this.repository.release(subtask.id, token, retryAt).catch(() => undefined);
      })
      .finally(() => {
        this.inFlight.delete(tracked);
        // With a backlog, a start of 1,000 subtasks must not wait an interval per claim: once half
        // the window is free, claim again (half, so each pass claims a batch, not one subtask).
        if (this.moreDue && this.inFlight.size <= this.config.dispatch.concurrency) this.nudge();
      });
    this.inFlight.add(tracked);
  }

  /** Task rows and configurations of the claimed subtasks, one query per level for the whole batch. */
  private async loadContext(claimed: readonly SubtaskRow[]): Promise<Map<string, (s: SubtaskRow) => StartSubtaskBody>> {
    const taskIds = [...new Set(claimed.filter((s) => s.desired_state === 'run').map((s) => s.task_id))];
    const [tasks, config] = await Promise.all([this.tasks.findByIds(taskIds), this.scenes.loadForTasks(taskIds)]);
    const reportUrl = `${this.config.dispatch.publicBaseUrl}/internal/subtask-reports`;
    const builders = new Map<string, (s: SubtaskRow) => StartSubtaskBody>();
    for (const task of tasks) {
      const own = { mtasks: config.mtasks.filter((m) => m.task_id === task.id), scenes: config.scenes.filter((s) => s.task_id === task.id) };
      builders.set(task.id, (subtask) => buildStartBody(subtask, task, own, reportUrl));
    }
    return builders;
  }

  private async work(subtask: SubtaskRow, token: string, bodies: Map<string, (s: SubtaskRow) => StartSubtaskBody>): Promise<void> {
    const { state, desired_state: desired } = subtask;
    if (state === 'stopping' && desired === 'stop') await this.stop(subtask, token);
    else if (state === 'lost') await this.probe(subtask, token);
    else if (desired === 'run' && (state === 'scheduled' || state === 'dispatching')) await this.dispatch(subtask, token, bodies.get(subtask.task_id));
    else await this.repository.release(subtask.id, token);
    this.markDirty(subtask.task_id);
  }

  /** Before each retry: extend the claim, or stop trying when it is no longer ours. */
  private leaseExtender(subtask: SubtaskRow, token: string) {
    return async (attempt: number): Promise<void> => {
      const until = new Date(Date.now() + this.config.dispatch.leaseMs);
      if (!(await this.repository.renewLease(subtask.id, token, until, attempt))) throw new LeaseLostError();
    };
  }

  private async dispatch(subtask: SubtaskRow, token: string, body: ((s: SubtaskRow) => StartSubtaskBody) | undefined): Promise<void> {
    const { id, generation } = subtask;
    if (subtask.state === 'scheduled') {
      if (!(await this.repository.advance(id, token, generation, 'scheduled', { state: 'dispatching' }, new Date()))) {
        await this.repository.release(id, token);
        return;
      }
      this.markDirty(subtask.task_id);
    }
    if (!body) {
      await this.repository.finish(id, token, generation, ['dispatching'], { state: 'failed', status_reason: 'the task no longer exists' }, new Date());
      return;
    }
    try {
      const answer = await this.ops.call('start', 'POST', '/subtasks', body(subtask), { 'Idempotency-Key': `${id}:${generation}` }, { beforeRetry: this.leaseExtender(subtask, token) });
      const outcome = classifyOpsAnswer(answer.status, answer.body, generation);
      const now = new Date();
      const patch =
        outcome.kind === 'ok'
          ? { state: 'running' as const, heartbeat_at: now, status_reason: null }
          : { state: 'failed' as const, status_reason: `the ops service refused the subtask (${outcome.reason})` };
      await this.repository.finish(id, token, generation, ['dispatching'], patch, now);
    } catch (error) {
      if (!(error instanceof OpsUnavailableError)) throw error;
      await this.repository.finish(
        id,
        token,
        generation,
        ['dispatching'],
        { state: 'failed', attempts: error.attempts, status_reason: `${error.reason}; check the ops service at OPS_BASE_URL, then start again` },
        new Date(),
      );
    }
  }

  private async stop(subtask: SubtaskRow, token: string): Promise<void> {
    const { id, generation } = subtask;
    try {
      const answer = await this.ops.call('stop', 'POST', `/subtasks/${encodeURIComponent(id)}/stop`, { generation }, {}, { beforeRetry: this.leaseExtender(subtask, token) });
      // 404: the ops service has nothing running under this id, which is what a stop wants.
      const outcome = answer.status === 404 ? { kind: 'ok' as const } : classifyOpsAnswer(answer.status, answer.body, generation);
      if (outcome.kind === 'ok') {
        await this.repository.finish(id, token, generation, ['stopping'], { state: 'stopped', status_reason: null }, new Date());
      } else {
        await this.stopLater(subtask, token, `the ops service refused the stop (${outcome.reason})`);
      }
    } catch (error) {
      if (!(error instanceof OpsUnavailableError)) throw error;
      await this.stopLater(subtask, token, `stop not confirmed: ${error.reason}`);
    }
  }

  /** Not confirmed: it may still run, so it is not called stopped; the reason shows and the stop is retried later. */
  private async stopLater(subtask: SubtaskRow, token: string, reason: string): Promise<void> {
    const retryAt = new Date(Date.now() + this.config.dispatch.retryMaxMs);
    await this.repository.finish(subtask.id, token, subtask.generation, ['stopping'], { status_reason: reason, next_attempt_at: retryAt }, new Date());
  }

  /** A lost subtask: ask the ops service what it knows and converge on that. */
  private async probe(subtask: SubtaskRow, token: string): Promise<void> {
    const { id, generation } = subtask;
    const now = () => new Date();
    try {
      const answer = await this.ops.call('get', 'GET', `/subtasks/${encodeURIComponent(id)}`, undefined, {}, { maxRetries: 1 });
      const body = (answer.body ?? {}) as { generation?: unknown; state?: unknown; status_reason?: unknown; progress?: unknown };
      const known = answer.status === 200 && body.generation === generation;
      const observed = known ? observedState(body.state) : null;
      if (answer.status === 404 || (answer.status === 200 && !known)) {
        // The ops service lost it (restart, failover): dispatch again under a new generation.
        await this.repository.finish(
          id,
          token,
          generation,
          ['lost'],
          {
            state: 'dispatching',
            generation: generation + 1,
            next_attempt_at: now(),
            attempts: 0,
            progress: null,
            reported_at: null,
            status_reason: 'lost by the ops service; dispatched again',
          },
          now(),
        );
      } else if (observed) {
        const reason = typeof body.status_reason === 'string' ? body.status_reason.slice(0, 1024) : null;
        const progress = typeof body.progress === 'number' ? Math.round(body.progress) : subtask.progress;
        await this.repository.finish(
          id,
          token,
          generation,
          ['lost'],
          { state: observed, status_reason: observed === 'running' ? null : reason, progress, heartbeat_at: now() },
          now(),
        );
      } else {
        await this.retryProbeLater(subtask, token, `the ops service answered HTTP ${answer.status} with no usable state`);
      }
    } catch (error) {
      if (!(error instanceof OpsUnavailableError)) throw error;
      await this.retryProbeLater(subtask, token, error.reason);
    }
  }

  private async retryProbeLater(subtask: SubtaskRow, token: string, reason: string): Promise<void> {
    await this.repository.finish(
      subtask.id,
      token,
      subtask.generation,
      ['lost'],
      { status_reason: `lost: no report, and the ops service could not say: ${reason}`.slice(0, 1024), next_attempt_at: new Date(Date.now() + this.config.dispatch.retryMaxMs) },
      new Date(),
    );
  }

  /** Recompute these tasks' statuses shortly (when a caller's own refresh could not). */
  refreshSoon(taskIds: Iterable<string>): void {
    for (const id of taskIds) this.markDirty(id);
  }

  /** Task statuses are recomputed once per task per short window, not once per subtask. */
  private markDirty(taskId: string): void {
    this.dirtyTasks.add(taskId);
    if (this.stopped) return;
    this.flushTimer ??= setTimeout(() => {
      this.flushTimer = undefined;
      void this.flushStatus();
    }, STATUS_FLUSH_MS);
    this.flushTimer.unref();
  }

  async flushStatus(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.dirtyTasks.size === 0) return;
      const ids = [...this.dirtyTasks];
      this.dirtyTasks.clear();
      try {
        await this.tx.run((em) => this.status.refresh(em, ids));
      } catch (error) {
        this.logger.error({ err: error }, 'status refresh failed; trying again');
        ids.forEach((id) => this.markDirty(id));
      }
    });
    return this.flushing;
  }
}
