import { BeforeApplicationShutdown, Inject, Injectable, Logger, OnApplicationBootstrap } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { CLOCK, Clock } from '../common/time/clock';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { TransactionRunner } from '../database/transaction.runner';
import { stateChange, SYSTEM_ACTOR, takeover } from '../journal/event';
import { JournalRepository } from '../journal/journal.repository';
import { StatusSweeper } from '../status/status-sweeper.service';
import type { SubtaskRow } from '../subtask/subtask.mapper';
import { SubtaskRepository } from '../subtask/subtask.repository';
import { OpsClient } from './ops-client';
import { SubtaskWorker } from './subtask-worker.service';

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
    private readonly worker: SubtaskWorker,
    private readonly status: StatusSweeper,
    private readonly tx: TransactionRunner,
    private readonly journal: JournalRepository,
  ) {}

  get enabled(): boolean {
    return this.config.dispatch.reconcilerEnabled && this.ops.baseUrl !== null;
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
    this.worker.stop();
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
    const claimed = await this.claim(token, now, new Date(now.getTime() + dispatch.leaseMs), limit);
    this.moreDue = claimed.length === limit;
    this.nextDue = await this.repository.nextDueAfter(now);
    if (claimed.length === 0) return;
    this.passes += 1;
    const context = await this.worker.claimContext(claimed);
    for (const subtask of claimed) this.track(subtask, token, this.worker.work(subtask, token, context));
  }

  /** Claims due work, journalling in the same transaction each claim taken over from a lapsed owner. */
  private async claim(token: string, now: Date, until: Date, limit: number): Promise<SubtaskRow[]> {
    const { rows, takenOver } = await this.tx.run(async (em) => {
      const result = await this.repository.claim(em, token, now, until, limit);
      await this.journal.append(
        em,
        result.takenOver.map((t) => takeover(t.row, t.owner, t.lapsedAt, this.instanceId)),
        now,
      );
      return result;
    });
    for (const t of takenOver) {
      this.logger.warn(
        { subtask_id: t.row.id, task_id: t.row.task_id, previous_owner: t.owner, lapsed_at: t.lapsedAt?.toISOString() ?? null },
        'claim taken over: the previous owner let its lease lapse',
      );
    }
    return rows;
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
}
