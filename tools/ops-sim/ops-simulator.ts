import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';

/**
 * A stand-in for the ops service (which runs subtasks on analysis servers), served over real HTTP (Fastify) so
 * the dispatcher, its retries/timeouts and the report endpoint can be exercised end to end without the real thing.
 */

export type SimState = 'running' | 'stopped' | 'failed' | 'completed';

export interface OpsSimOptions {
  /** 0 picks a free port. */
  port: number;
  /** Added delay before every answer. */
  latencyMs: number;
  /** 0..1 probability of answering 503 `{error:"simulated"}` to any request. */
  errorRate: number;
  /** 0..1 probability, per report tick, that a running subtask dies. */
  crashProbability: number;
  reportIntervalMs: number;
  /** Overrides the `report_url` each start request carries. */
  reportUrl: string | undefined;
  /** Sent verbatim as the `Authorization` header of report POSTs. */
  reportToken: string | undefined;
  reportBatchSize: number;
  /** A running subtask completes this long after its start; undefined = runs forever. */
  completeAfterMs: number | undefined;
  random: () => number;
  /** One line per report POST that was refused (non-2xx) or reached nobody. */
  log: (line: string) => void;
}

/** What the simulator knows about one subtask. */
export interface SimRecord {
  subtask_id: string;
  task_id: string | null;
  generation: number;
  state: SimState;
  status_reason: string | null;
  progress: number;
  startedAt: Date;
}

/** One entry of a report POST body `{reports: SimReport[]}`. */
export interface SimReport {
  subtask_id: string;
  generation: number;
  state: SimState;
  status_reason: string | null;
  progress: number;
  reported_at: string;
}

export interface OpsSimStats {
  requests: number;
  /** `subtask_id:generation` -> number of 201 starts. */
  startsByKey: Map<string, number>;
  /** `subtask_id:generation` -> valid start POSTs that reached the service (new starts and replays alike). */
  startPostsByKey: Map<string, number>;
  /** Last body that produced a 201 start, by subtask_id. */
  startBodies: Map<string, unknown>;
  stopsById: Map<string, number>;
  getsById: Map<string, number>;
  /** Reports delivered with a 2xx answer. */
  reportsSent: number;
  /** Report POSTs that threw or got a non-2xx answer. */
  reportPostsFailed: number;
}

/** Options changeable on a running simulator (everything but the port). */
export type OpsSimRuntimeOptions = Partial<Omit<OpsSimOptions, 'port'>>;

export const DEFAULT_OPS_SIM_OPTIONS: Readonly<OpsSimOptions> = {
  port: 0,
  latencyMs: 0,
  errorRate: 0,
  crashProbability: 0,
  reportIntervalMs: 1000,
  reportUrl: undefined,
  reportToken: undefined,
  reportBatchSize: 500,
  completeAfterMs: undefined,
  random: Math.random,
  log: (line) => console.warn(line),
};

export const SIMULATED_CRASH_REASON = 'simulated stream failure';

const HOST = '127.0.0.1';
const MAX_BODY_BYTES = 1024 * 1024;
/** A report receiver that never answers must not pin a tick (and close()) forever. */
const REPORT_TIMEOUT_MS = 5000;

const OPTIONAL_KEYS: ReadonlySet<string> = new Set(['reportUrl', 'reportToken', 'completeAfterMs']);

/** Merges over the defaults and refuses out-of-range values, naming the offending option. */
export function resolveOpsSimOptions(partial: Partial<OpsSimOptions>, base: OpsSimOptions = DEFAULT_OPS_SIM_OPTIONS): OpsSimOptions {
  const options: OpsSimOptions = { ...base };
  for (const [key, value] of Object.entries(partial)) {
    // `undefined` keeps the base value, except for the optional ones where it switches the feature off.
    if (value !== undefined || OPTIONAL_KEYS.has(key)) (options as unknown as Record<string, unknown>)[key] = value;
  }
  const problems = [
    checkInt('port', options.port, 0, 65535),
    checkInt('latencyMs', options.latencyMs, 0),
    checkFraction('errorRate', options.errorRate),
    checkFraction('crashProbability', options.crashProbability),
    checkInt('reportIntervalMs', options.reportIntervalMs, 1),
    checkInt('reportBatchSize', options.reportBatchSize, 1),
    options.completeAfterMs === undefined ? null : checkInt('completeAfterMs', options.completeAfterMs, 0),
    typeof options.random === 'function' ? null : 'random must be a function',
    typeof options.log === 'function' ? null : 'log must be a function',
  ].filter((p): p is string => p !== null);
  if (problems.length) throw new RangeError(`Invalid ops simulator options: ${problems.join('; ')}`);
  return options;
}

function checkInt(name: string, value: number, min: number, max = Number.MAX_SAFE_INTEGER): string | null {
  return Number.isInteger(value) && value >= min && value <= max ? null : `${name} must be an integer in ${min}..${max} (got ${value})`;
}

function checkFraction(name: string, value: number): string | null {
  return Number.isFinite(value) && value >= 0 && value <= 1 ? null : `${name} must be a number in 0..1 (got ${value})`;
}

/** Internal bookkeeping around a public record. */
interface Entry {
  record: SimRecord;
  reportUrl: string;
  /** Bumped on every state change; a change is pending until a POST carrying that version succeeds. */
  version: number;
  reportedVersion: number;
}

interface InjectedFailure {
  remaining: number;
  status: number;
  path: string | undefined;
  method: string | undefined;
}

interface Reply {
  status: number;
  body: unknown;
}

type Request = FastifyRequest<{ Params: { id: string }; Body: string | undefined }>;

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
  ) {
    super(String(body.error));
  }
}

const notFound = (): Reply => ({ status: 404, body: { error: 'not found' } });

export class OpsSimulator {
  private baseUrl = '';

  private options: OpsSimOptions;
  private readonly entries = new Map<string, Entry>();
  private readonly silenced = new Set<string>();
  private readonly failures: InjectedFailure[] = [];
  private hangMs = 0;
  /** Wake-ups of every pending delay, so close() can cut them short and no timer outlives the server. */
  private readonly sleepers = new Set<() => void>();
  /** The subset parked by hang(); hang(0) lets them through at once. */
  private readonly hangSleepers = new Set<() => void>();
  private readonly reportAbort = new AbortController();
  private interval: NodeJS.Timeout | undefined;
  /** Ticks run one after another so a flush never races the interval into duplicate reports. */
  private tickChain: Promise<void> = Promise.resolve();
  private tickInFlight = false;
  private closed = false;
  private readonly counters = {
    requests: 0,
    startsByKey: new Map<string, number>(),
    startPostsByKey: new Map<string, number>(),
    startBodies: new Map<string, unknown>(),
    stopsById: new Map<string, number>(),
    getsById: new Map<string, number>(),
    reportsSent: 0,
    reportPostsFailed: 0,
  };

  private readonly app: FastifyInstance;

  private constructor(options: OpsSimOptions) {
    this.options = options;
    this.app = this.buildApp();
  }

  /** `http://127.0.0.1:{port}`; it stays readable after close(). */
  get url(): string {
    return this.baseUrl;
  }

  static async start(options: Partial<OpsSimOptions> = {}): Promise<OpsSimulator> {
    const sim = new OpsSimulator(resolveOpsSimOptions(options));
    try {
      await sim.app.listen({ port: sim.options.port, host: HOST });
    } catch (err) {
      sim.closed = true;
      await sim.app.close();
      throw err;
    }
    sim.baseUrl = `http://${HOST}:${(sim.app.server.address() as AddressInfo).port}`;
    sim.restartInterval();
    return sim;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.interval);
    this.reportAbort.abort();
    for (const wake of [...this.sleepers]) wake();
    await Promise.all([this.app.close(), this.tickChain]);
  }

  // ---------------------------------------------------------------- test hooks

  /**
   * The next `count` requests answer `status` and do nothing else; only those to exactly `path`
   * (and with `method`), when given.
   */
  failNext(count: number, status = 503, path?: string, method?: string): void {
    if (count > 0) this.failures.push({ remaining: count, status, path, method });
  }

  /** Every request waits `ms` before being handled, until hang(0). */
  hang(ms: number): void {
    this.hangMs = Math.max(0, ms);
    if (this.hangMs === 0) for (const wake of [...this.hangSleepers]) wake();
  }

  /** Kills a running subtask; returns whether anything changed. */
  crash(subtaskId: string, reason = SIMULATED_CRASH_REASON): boolean {
    const entry = this.entries.get(subtaskId);
    if (!entry || entry.record.state !== 'running') return false;
    this.transition(entry, 'failed', reason);
    return true;
  }

  /** Stops (or resumes) reports for that subtask; it still answers GET, and missed changes are sent on resume. */
  silence(subtaskId: string, silent = true): void {
    if (silent) this.silenced.add(subtaskId);
    else this.silenced.delete(subtaskId);
  }

  forget(subtaskId: string): void {
    this.entries.delete(subtaskId);
    this.silenced.delete(subtaskId);
  }

  /** Runs one report tick now and resolves once its POSTs have settled. */
  flushReports(): Promise<void> {
    return this.enqueueTick();
  }

  setOptions(partial: OpsSimRuntimeOptions): void {
    const next = resolveOpsSimOptions(partial, this.options);
    const intervalChanged = next.reportIntervalMs !== this.options.reportIntervalMs;
    this.options = next;
    if (intervalChanged) this.restartInterval();
  }

  get(subtaskId: string): SimRecord | undefined {
    const entry = this.entries.get(subtaskId);
    return entry ? copyRecord(entry.record) : undefined;
  }

  records(): SimRecord[] {
    return [...this.entries.values()].map((e) => copyRecord(e.record));
  }

  /** A snapshot: later activity does not change the returned maps. */
  stats(): OpsSimStats {
    const c = this.counters;
    return {
      requests: c.requests,
      startsByKey: new Map(c.startsByKey),
      startPostsByKey: new Map(c.startPostsByKey),
      startBodies: new Map(c.startBodies),
      stopsById: new Map(c.stopsById),
      getsById: new Map(c.getsById),
      reportsSent: c.reportsSent,
      reportPostsFailed: c.reportPostsFailed,
    };
  }

  // ---------------------------------------------------------------- HTTP

  private buildApp(): FastifyInstance {
    const app = Fastify({
      logger: false,
      bodyLimit: MAX_BODY_BYTES,
      // Subtask ids are path segments; Fastify's default cap (100) would turn long ones into 404s.
      routerOptions: { maxParamLength: 2048 },
      // close() must not wait for clients that keep connections alive or requests parked by hang().
      forceCloseConnections: true,
      frameworkErrors: (error, request, reply) => {
        this.counters.requests++;
        const malformed = error.code === 'FST_ERR_BAD_URL';
        send(reply, malformed ? { status: 400, body: { error: 'malformed subtask id in path' } } : { status: 400, body: { error: error.message } });
      },
    });
    // Bodies are read as text whatever their type (or none), and parsed per route, after delays and
    // injected failures, so those apply to malformed requests as well.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

    app.addHook('onRequest', (_request, _reply, done) => {
      this.counters.requests++;
      done();
    });
    app.addHook('preHandler', async (request, reply) => {
      await this.applyDelays();
      const failure = this.injectedFailure(request.method, request.url.split('?')[0]) ?? this.simulatedError();
      if (failure) return send(reply, failure);
    });
    app.setErrorHandler((error: FastifyError, _request, reply) => {
      if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return send(reply, { status: 413, body: { error: 'body too large' } });
      return send(reply, error instanceof HttpError ? { status: error.status, body: error.body } : { status: 500, body: { error: String(error) } });
    });
    app.setNotFoundHandler((_request, reply) => send(reply, notFound()));

    const route = (handler: (request: Request) => Reply) => async (request: Request, reply: FastifyReply) => send(reply, handler(request));
    app.post(
      '/subtasks',
      route((request) => this.startSubtask(request, parseJson(request.body))),
    );
    app.post(
      '/subtasks/:id/stop',
      route((request) => this.stopSubtask(request.params.id, parseJson(request.body))),
    );
    app.get(
      '/subtasks/:id',
      route((request) => this.getSubtask(request.params.id)),
    );
    // Not part of the ops contract: lets a person make a stream die from the command line.
    app.post(
      '/_sim/subtasks/:id/crash',
      route(({ params: { id } }) => (this.crash(id) ? { status: 200, body: view(this.entries.get(id)!.record) } : notFound())),
    );
    return app;
  }

  private async applyDelays(): Promise<void> {
    if (this.hangMs > 0) await this.sleep(this.hangMs, this.hangSleepers);
    if (this.options.latencyMs > 0) await this.sleep(this.options.latencyMs);
  }

  private injectedFailure(method: string, path: string): Reply | null {
    const index = this.failures.findIndex((f) => (f.path === undefined || path === f.path) && (f.method === undefined || method === f.method));
    if (index < 0) return null;
    const failure = this.failures[index];
    if (--failure.remaining <= 0) this.failures.splice(index, 1);
    return { status: failure.status, body: { error: 'injected' } };
  }

  private simulatedError(): Reply | null {
    // Only draw a random number when the knob is on, so injected sequences stay predictable.
    const { errorRate, random } = this.options;
    return errorRate > 0 && random() < errorRate ? { status: 503, body: { error: 'simulated' } } : null;
  }

  private startSubtask(req: Request, body: unknown): Reply {
    const start = validateStartBody(body);
    const key = `${start.subtask_id}:${start.generation}`;
    const header = req.headers['idempotency-key'];
    if (header === undefined) throw new HttpError(400, { error: 'missing Idempotency-Key header' });
    if (header !== key) throw new HttpError(400, { error: `Idempotency-Key must be "${key}"` });

    const current = this.entries.get(start.subtask_id);
    if (current && current.record.generation > start.generation) {
      return { status: 409, body: { error: 'stale generation', generation: current.record.generation } };
    }
    increment(this.counters.startPostsByKey, key);
    if (current && current.record.generation === start.generation) return { status: 200, body: view(current.record) };

    this.entries.set(start.subtask_id, {
      record: {
        subtask_id: start.subtask_id,
        task_id: start.task_id,
        generation: start.generation,
        state: 'running',
        status_reason: null,
        progress: 0,
        startedAt: new Date(),
      },
      reportUrl: start.report_url,
      version: 1,
      reportedVersion: 0,
    });
    increment(this.counters.startsByKey, key);
    this.counters.startBodies.set(start.subtask_id, body);
    return { status: 201, body: { subtask_id: start.subtask_id, generation: start.generation, state: 'running' } };
  }

  private stopSubtask(id: string, body: unknown): Reply {
    increment(this.counters.stopsById, id);
    const entry = this.entries.get(id);
    if (!entry) return notFound();
    const generation = isObject(body) ? body.generation : undefined;
    if (!isGeneration(generation)) throw new HttpError(400, { error: 'generation must be an integer >= 1' });
    const record = entry.record;
    if (generation < record.generation) {
      return { status: 409, body: { error: 'stale generation', generation: record.generation } };
    }
    // Stopping twice is a no-op, so a retried stop does not produce a second report.
    if (record.state !== 'stopped') this.transition(entry, 'stopped', null);
    return { status: 200, body: { subtask_id: id, generation: record.generation, state: 'stopped' } };
  }

  private getSubtask(id: string): Reply {
    increment(this.counters.getsById, id);
    const entry = this.entries.get(id);
    return entry ? { status: 200, body: view(entry.record) } : notFound();
  }

  // ---------------------------------------------------------------- reports

  private restartInterval(): void {
    clearInterval(this.interval);
    if (this.closed) return;
    this.interval = setInterval(() => {
      // A slow receiver must not pile ticks up behind it.
      if (!this.tickInFlight) this.enqueueTick().catch(() => undefined);
    }, this.options.reportIntervalMs);
    this.interval.unref();
  }

  /** The returned promise rejects if the tick threw (only an injected `random` can); the chain itself stays usable. */
  private enqueueTick(): Promise<void> {
    if (this.closed) return this.tickChain;
    const tick = this.tickChain.then(async () => {
      this.tickInFlight = true;
      try {
        await this.runTick();
      } finally {
        this.tickInFlight = false;
      }
    });
    this.tickChain = tick.catch(() => undefined);
    return tick;
  }

  private async runTick(): Promise<void> {
    if (this.closed) return;
    this.advanceRunning(Date.now());
    const byUrl = new Map<string, { entry: Entry; version: number; report: SimReport }[]>();
    const reportedAt = new Date().toISOString();
    for (const entry of this.entries.values()) {
      const url = this.options.reportUrl ?? entry.reportUrl;
      if (!url || !this.isDue(entry)) continue;
      const list = byUrl.get(url) ?? [];
      list.push({ entry, version: entry.version, report: { ...view(entry.record), reported_at: reportedAt } });
      byUrl.set(url, list);
    }
    await Promise.all([...byUrl].map(([url, items]) => this.postInBatches(url, items)));
  }

  /** Running ones are reported every tick (heartbeat); others only while a change is unreported. */
  private isDue(entry: Entry): boolean {
    if (this.silenced.has(entry.record.subtask_id)) return false;
    return entry.record.state === 'running' || entry.version > entry.reportedVersion;
  }

  /** Crashes and completions happen on the tick so each shows up in the very report that follows. */
  private advanceRunning(now: number): void {
    const { crashProbability, completeAfterMs, random } = this.options;
    for (const entry of this.entries.values()) {
      if (entry.record.state !== 'running') continue;
      if (crashProbability > 0 && random() < crashProbability) {
        this.transition(entry, 'failed', SIMULATED_CRASH_REASON);
        continue;
      }
      if (completeAfterMs === undefined) continue;
      const elapsed = now - entry.record.startedAt.getTime();
      if (elapsed >= completeAfterMs) {
        entry.record.progress = 100;
        this.transition(entry, 'completed', null);
      } else {
        entry.record.progress = Math.min(99, Math.floor((elapsed / completeAfterMs) * 100));
      }
    }
  }

  private async postInBatches(url: string, items: { entry: Entry; version: number; report: SimReport }[]): Promise<void> {
    const size = this.options.reportBatchSize;
    // Sequential per receiver so reports for one URL arrive in order.
    for (let i = 0; i < items.length; i += size) {
      const batch = items.slice(i, i + size);
      if (
        !(await this.postReports(
          url,
          batch.map((b) => b.report),
        ))
      )
        continue;
      this.counters.reportsSent += batch.length;
      for (const { entry, version } of batch) entry.reportedVersion = Math.max(entry.reportedVersion, version);
    }
  }

  private async postReports(url: string, reports: SimReport[]): Promise<boolean> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.reportToken) headers.authorization = this.options.reportToken;
    try {
      const res = await fetch(url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ reports }),
        signal: AbortSignal.any([this.reportAbort.signal, AbortSignal.timeout(REPORT_TIMEOUT_MS)]),
      });
      await res.arrayBuffer(); // drain so the connection can be reused
      if (res.ok) return true;
      this.options.log(`ops-sim: ${reports.length} report(s) to ${url} refused: HTTP ${res.status}`);
    } catch (err) {
      // Network errors, timeouts and aborts on close all count as failed posts; the change stays pending.
      if (!this.closed) this.options.log(`ops-sim: ${reports.length} report(s) to ${url} not delivered: ${failureCause(err)}`);
    }
    this.counters.reportPostsFailed++;
    return false;
  }

  // ---------------------------------------------------------------- helpers

  private transition(entry: Entry, state: SimState, reason: string | null): void {
    entry.record.state = state;
    entry.record.status_reason = reason;
    entry.version++;
  }

  /** A delay that close() (or, for `group`, its owner) can end early. */
  private sleep(ms: number, group?: Set<() => void>): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        group?.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
      group?.add(wake);
    });
  }
}

interface StartBody {
  subtask_id: string;
  task_id: string | null;
  generation: number;
  report_url: string;
}

function validateStartBody(body: unknown): StartBody {
  if (!isObject(body)) throw new HttpError(400, { error: 'body must be a JSON object' });
  const { subtask_id, task_id, generation, report_url } = body;
  if (typeof subtask_id !== 'string' || subtask_id === '') throw new HttpError(400, { error: 'subtask_id must be a non-empty string' });
  if (!isGeneration(generation)) throw new HttpError(400, { error: 'generation must be an integer >= 1' });
  if (typeof report_url !== 'string') throw new HttpError(400, { error: 'report_url must be a string' });
  return { subtask_id, task_id: typeof task_id === 'string' ? task_id : null, generation, report_url };
}

function isGeneration(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function view(record: SimRecord): Omit<SimRecord, 'task_id' | 'startedAt'> {
  const { subtask_id, generation, state, status_reason, progress } = record;
  return { subtask_id, generation, state, status_reason, progress };
}

function copyRecord(record: SimRecord): SimRecord {
  return { ...record, startedAt: new Date(record.startedAt) };
}

function increment(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

function parseJson(raw: string | undefined): unknown {
  if (raw === undefined || raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new HttpError(400, { error: 'body is not valid JSON' });
  }
}

/** What fetch's "fetch failed" hides: ECONNREFUSED, a DNS failure, the timeout. */
function failureCause(err: unknown): string {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return cause.code;
  if ((err as Error).name === 'TimeoutError') return `no answer within ${REPORT_TIMEOUT_MS} ms`;
  return cause?.message ?? String(err);
}

/** Every answer is JSON typed exactly `application/json` (as a Buffer, to which Fastify adds no charset). */
function send(reply: FastifyReply, { status, body }: Reply): FastifyReply {
  return reply
    .code(status)
    .header('content-type', 'application/json')
    .send(Buffer.from(JSON.stringify(body)));
}
