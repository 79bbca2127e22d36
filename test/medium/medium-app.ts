import { Test, TestingModule } from '@nestjs/testing';
import { Logger } from 'nestjs-pino';
import { DataSource } from 'typeorm';
import { AppModule } from '../../src/app.module';
import { ManualClock } from '../../src/common/time/clock';
import { loadConfig } from '../../src/config/app-config';
import { TransactionRunner } from '../../src/database/transaction.runner';
import { OpsAnswer, OpsClient, OpsOperation } from '../../src/dispatch/ops-client';
import { ReconcilerService } from '../../src/dispatch/reconciler.service';
import { StatusSweeper } from '../../src/status/status-sweeper.service';
import { createTestDatabase, DatabaseKind, storedInstant, TestDatabase } from '../support/databases';
import { Factory } from './factory';

/** The moment every medium test starts at (a ManualClock never moves by itself). */
export const T0 = Date.parse('2026-03-02T08:00:00.000Z');

/** Settings with round numbers, so expected times are easy to state. */
export const MEDIUM_ENV = {
  OPS_RETRY_BASE_MS: '1000',
  OPS_RETRY_MAX_MS: '8000',
  LEASE_MS: '15000',
  HEARTBEAT_TIMEOUT_MS: '60000',
  DISPATCH_CONCURRENCY: '4',
};

/** A tb_subtask row as read back, its times as epoch ms. */
export type SubtaskRecord = Record<string, unknown> & {
  state: string;
  attempts: number;
  generation: number;
  status_reason: string | null;
  lease_owner: string | null;
  next_attempt_at: number | null;
  lease_until: number | null;
};

export interface OpsCall {
  operation: OpsOperation;
  method: string;
  path: string;
  body: unknown;
  headers: Record<string, string>;
}

/** An answer, an error to throw (OpsUnavailableError, OpsCircuitOpenError), or a function of the call. */
export type Scripted = OpsAnswer | Error | ((call: OpsCall) => OpsAnswer | Error);

const DEFAULT_ANSWERS: Record<OpsOperation, OpsAnswer> = {
  start: { status: 201, body: { accepted: true } },
  stop: { status: 200, body: { stopped: true } },
  get: { status: 404, body: { reason: 'unknown subtask' } },
};

/**
 * Stands in for OpsClient (same `call()` signature): answers from a script per operation, records
 * every call. `once()` queues answers used in order; `always()` sets the answer once they run out.
 */
export class FakeOpsClient {
  readonly baseUrl = 'http://ops.test';
  readonly circuitOpen = false;
  readonly calls: OpsCall[] = [];
  private readonly queued: Record<OpsOperation, Scripted[]> = { start: [], stop: [], get: [] };
  private fallback: Record<OpsOperation, Scripted> = { ...DEFAULT_ANSWERS };

  once(operation: OpsOperation, ...answers: Scripted[]): this {
    this.queued[operation].push(...answers);
    return this;
  }

  always(operation: OpsOperation, answer: Scripted): this {
    this.fallback[operation] = answer;
    return this;
  }

  callsOf(operation: OpsOperation): OpsCall[] {
    return this.calls.filter((c) => c.operation === operation);
  }

  reset(): void {
    this.calls.length = 0;
    for (const operation of Object.keys(this.queued) as OpsOperation[]) this.queued[operation] = [];
    this.fallback = { ...DEFAULT_ANSWERS };
  }

  // eslint-disable-next-line @typescript-eslint/require-await -- the real client's signature is async
  async call(
    operation: OpsOperation,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    _signal?: AbortSignal,
  ): Promise<OpsAnswer> {
    const call = { operation, method, path, body, headers };
    this.calls.push(call);
    const scripted = this.queued[operation].shift() ?? this.fallback[operation];
    const answer = typeof scripted === 'function' ? scripted(call) : scripted;
    if (answer instanceof Error) throw answer;
    return answer;
  }
}

/**
 * The real app module (every provider, migrations, a real database) without HTTP: a ManualClock
 * for now, a FakeOpsClient for the ops service, the reconciler driven by `pass()` instead of its
 * timer, and the status sweep only when a test calls `sweep()`, so the durable marks a write leaves
 * stay in the table to be asserted.
 */
export class MediumApp {
  readonly factory: Factory;

  private constructor(
    readonly module: TestingModule,
    readonly db: TestDatabase,
    readonly clock: ManualClock,
    readonly ops: FakeOpsClient,
  ) {
    this.factory = new Factory(this.dataSource, clock, module.get(TransactionRunner));
  }

  static async start(kind: DatabaseKind, env: Record<string, string> = {}): Promise<MediumApp> {
    const db = await createTestDatabase(kind);
    const clock = new ManualClock(T0);
    const ops = new FakeOpsClient();
    const config = loadConfig({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      RECONCILER_ENABLED: 'false',
      STATUS_SWEEP_INTERVAL_MS: '3600000',
      ...MEDIUM_ENV,
      ...db.env,
      ...env,
    });
    const module = await Test.createTestingModule({ imports: [AppModule.forRoot(config, { clock })] })
      .overrideProvider(OpsClient)
      .useValue(ops)
      .compile();
    // The app's own (pino) logger, silent here, as bootstrap sets it.
    module.useLogger(module.get(Logger));
    const sweeper = module.get(StatusSweeper);
    sweeper.nudge = () => undefined;
    const app = new MediumApp(module, db, clock, ops);
    await module.init();
    return app;
  }

  get dataSource(): DataSource {
    return this.module.get(DataSource);
  }

  get<T>(type: abstract new (...args: never[]) => T): T {
    return this.module.get(type);
  }

  /** One reconciler pass, and every piece of work it claimed run to its written outcome. */
  async pass(): Promise<void> {
    const reconciler = this.module.get(ReconcilerService);
    await reconciler.tick();
    await Promise.allSettled([...reconciler['inFlight']]);
  }

  /** Re-derives every marked task's status (what the sweeper does after a nudge). */
  sweep(): Promise<number> {
    return this.module.get(StatusSweeper).sweep();
  }

  /** Raw rows of a table, for assertions on what was written. */
  async rows<T = Record<string, unknown>>(sql: string, params: unknown[] = []): Promise<T[]> {
    return this.dataSource.query(sql, params);
  }

  async subtask(id: string): Promise<SubtaskRecord> {
    const [row] = await this.rows<Record<string, unknown>>('SELECT * FROM tb_subtask WHERE id = ?', [id]);
    return {
      ...row,
      state: row.state as string,
      attempts: Number(row.attempts),
      generation: Number(row.generation),
      status_reason: row.status_reason as string | null,
      lease_owner: row.lease_owner as string | null,
      next_attempt_at: storedInstant(row.next_attempt_at),
      lease_until: storedInstant(row.lease_until),
    };
  }

  /** A subtask's journal events in insert order, as (kind, from, to, actor). */
  async events(
    subtaskId: string,
  ): Promise<{ kind: string; from_value: string | null; to_value: string | null; actor_type: string; reason: string | null; at: number | null }[]> {
    const rows = await this.rows<Record<string, unknown>>(
      'SELECT kind, from_value, to_value, actor_type, reason, at FROM tb_event WHERE subtask_id = ? ORDER BY seq',
      [subtaskId],
    );
    return rows.map((r) => ({
      kind: r.kind as string,
      from_value: r.from_value as string | null,
      to_value: r.to_value as string | null,
      actor_type: r.actor_type as string,
      reason: r.reason as string | null,
      at: storedInstant(r.at),
    }));
  }

  /** Tasks marked for a status refresh, with when. */
  async marks(): Promise<{ task_id: string; marked_at: number | null }[]> {
    const rows = await this.rows<{ task_id: string; marked_at: unknown }>('SELECT task_id, marked_at FROM tb_task_status_mark ORDER BY task_id');
    return rows.map((r) => ({ task_id: r.task_id, marked_at: storedInstant(r.marked_at) }));
  }

  /** Between tests: no rows left to claim, no script, the clock back at T0. */
  async reset(): Promise<void> {
    this.ops.reset();
    this.clock.set(T0);
    await this.module.get(TransactionRunner).run(async (em) => {
      for (const table of ['tb_event', 'tb_task_status_mark', 'tb_scene', 'tb_mtask', 'tb_subtask', 'tb_task', 'tb_task_day_count'])
        await em.query(`DELETE FROM ${table}`);
      await em.query('UPDATE tb_task_counter SET live = 0');
    });
  }

  async close(): Promise<void> {
    await this.module.close();
    await this.db.drop();
  }
}
