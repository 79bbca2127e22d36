import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { api, taskBody } from './cases';
import type { BenchConfig } from './config';
import { connect } from './db';
import { type HttpSpec, type Measured, runLoad } from './load';
import { type ManagedProcess, procUsage, sleep, spawnNode } from './procs';
import { INTERNAL_TOKEN, startServer, TOKEN } from './servers';
import { median } from './stats';

/**
 * Cases of a fleet of tasks: a schedule window opening and closing for many subtasks at the same
 * minute, the list's conditional GET (304) against a full answer, and 配置完成 of a whole task in
 * one call against one call per subtask.
 */

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const PORT_OFFSET = 30;
const listPath = '/tasks?offset=0&limit=10';
/** Requests in flight for the API set-up of the window case and the single 配置完成 calls (as the start case). */
const IN_FLIGHT = 8;
/** How long to wait for all to run after the opening, or all to stop after the close. */
const WAIT_MS = 120_000;
const runsOf = (cfg: BenchConfig) => Math.min(cfg.runs, 3);

export interface WindowEdge {
  /** ms after the boundary: the first subtask in the state, all of them (null: not within the wait). */
  firstMs: number | null;
  allMs: number | null;
  states: Record<string, number>;
}

export interface WindowResult {
  tasks: number;
  channels: number;
  subtasks: number;
  setupMs: { create: number; configComplete: number; schedule: number; start: number };
  opensAt: string;
  closesAt: string;
  waitedForOpeningMs: number;
  /** Subtasks `scheduled` (waiting) and start POSTs the simulator had seen just before the opening. */
  scheduledBeforeOpening: number;
  startPostsBeforeOpening: number;
  open: WindowEdge;
  /** The same instants as the ops simulator saw them (its records), polled alongside. */
  openAtOps: WindowEdge;
  /** Start POSTs per `${id}:${generation}` of the window's generation: count of keys → how many had it. */
  startPostsPerKey: Record<string, number>;
  startsPerKey: Record<string, number>;
  /** Subtasks with no start POST for their generation. */
  missingStarts: number;
  /** Back to `scheduled` in the database / `stopped` at the ops simulator. */
  close: WindowEdge;
  /** `stopped` at the simulator: every subtask it holds (it was started there), `startedAtOps`. */
  closeAtOps: WindowEdge;
  startedAtOps: number;
  stopsPerId: Record<string, number>;
  serverCpuPercentOpen: number;
  serverRssMb: number;
}

export interface ConditionalListResult {
  etag: string;
  full: Measured[];
  notModified: Measured[];
  fullRps: number;
  notModifiedRps: number;
  ratio: number;
  fullBytes: number;
  connections: number;
}

export interface BulkConfigResult {
  subtasks: number;
  bulkMs: number;
  bulkOk: number;
  singleMs: number;
  singleOk: number;
  ratio: number;
  inFlight: number;
}

export interface FleetResults {
  window: WindowResult;
  conditional: ConditionalListResult;
  bulkConfig: BulkConfigResult;
}

/** Runs `work` over `items` with `n` in flight. */
async function pool<T>(items: readonly T[], n: number, work: (item: T, i: number) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(n, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await work(items[i], i);
      }
    }),
  );
}

const hhmm = (d: Date) => `${String(d.getUTCHours()).padStart(2, '0')}:${String(d.getUTCMinutes()).padStart(2, '0')}`;
const isoWeekday = (d: Date) => d.getUTCDay() || 7;

// ------------------------------------------------------------------ 1. a window opening for a fleet at one minute

async function startFleetSim(cfg: BenchConfig, statsPort: number): Promise<ManagedProcess> {
  const spec = { port: cfg.simPort, statsPort, reportIntervalMs: cfg.simReportIntervalMs, reportToken: INTERNAL_TOKEN };
  const proc = spawnNode(
    cfg.loadCore,
    ['-r', 'ts-node/register/transpile-only', join(__dirname, 'fleet-sim.ts'), JSON.stringify(spec)],
    { PATH: process.env.PATH, NODE_ENV: 'production', TS_NODE_TRANSPILE_ONLY: 'true' },
    'fleet ops simulator',
  );
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await (await fetch(`http://127.0.0.1:${statsPort}/summary`)).arrayBuffer();
      return proc;
    } catch {
      if (proc.child.exitCode !== null || Date.now() > deadline) throw new Error(`fleet ops simulator did not start:\n${proc.log}`);
      await sleep(100);
    }
  }
}

interface SimSummary {
  states: Record<string, number>;
  startPostsPerKey: Record<string, number>;
  startsPerKey: Record<string, number>;
  stopsPerId: Record<string, number>;
}

const simJson = async <T>(statsPort: number, path: string): Promise<T> => (await (await fetch(`http://127.0.0.1:${statsPort}${path}`)).json()) as T;

/**
 * Polls the database (subtask states of the fleet's tasks) and the simulator (its records) every
 * 100 ms from `boundary` until `count` are `dbState` and `opsCount` are `opsState`, or the wait ends.
 */
async function watchEdge(
  conn: Awaited<ReturnType<typeof connect>>,
  taskIds: string[],
  statsPort: number,
  boundary: number,
  count: number,
  dbState: string,
  opsState: string,
  opsCount = count,
): Promise<{ db: WindowEdge; ops: WindowEdge }> {
  const db: WindowEdge = { firstMs: null, allMs: null, states: {} };
  const ops: WindowEdge = { firstMs: null, allMs: null, states: {} };
  while (Date.now() - boundary < WAIT_MS && (db.allMs === null || ops.allMs === null)) {
    const [rows] = await conn.query<RowDataPacket[]>('SELECT state, COUNT(*) AS n FROM tb_subtask WHERE task_id IN (?) GROUP BY state', [taskIds]);
    const at = Date.now() - boundary;
    db.states = Object.fromEntries(rows.map((r) => [String(r.state), Number(r.n)]));
    ops.states = (await simJson<SimSummary>(statsPort, '/summary')).states;
    for (const [edge, n] of [
      [db, db.states[dbState] ?? 0],
      [ops, ops.states[opsState] ?? 0],
    ] as const) {
      if (n > 0 && edge.firstMs === null) edge.firstMs = at;
      if (n >= (edge === ops ? opsCount : count) && edge.allMs === null) edge.allMs = at;
    }
    await sleep(100);
  }
  return { db, ops };
}

async function windowCase(cfg: BenchConfig, port: number, pid: number, statsPort: number): Promise<WindowResult> {
  const tasks = cfg.fleetTasks;
  const channels = cfg.fleetChannels;
  const subtasks = tasks * channels;
  const setupMs = { create: 0, configComplete: 0, schedule: 0, start: 0 };

  let t = Date.now();
  const taskIds: string[] = [];
  const body = taskBody(channels, 0, 'Bench fleet');
  await pool(
    Array.from({ length: tasks }, (_, i) => i),
    IN_FLIGHT,
    async (i) => {
      const { task_id: id } = (await api(port, 'POST', '/tasks', { ...body, task_name: `Bench fleet ${i + 1}` })) as { task_id: string };
      taskIds[i] = id;
    },
  );
  setupMs.create = Date.now() - t;
  t = Date.now();
  await pool(taskIds, IN_FLIGHT, async (id) => {
    const { results } = (await api(port, 'POST', `/tasks/${id}/config-complete`)) as { results: { ecode: number }[] };
    const bad = results.filter((r) => r.ecode !== 200);
    if (bad.length) throw new Error(`window case: 配置完成 of task ${id}: ${bad.length} items not 200: ${JSON.stringify(bad[0])}`);
  });
  setupMs.configComplete = Date.now() - t;
  log(`window case: ${tasks} tasks × ${channels} channels created in ${setupMs.create} ms, 配置完成 (one call per task) in ${setupMs.configComplete} ms`);

  // The opening: the first minute boundary at least 20 s away, so the schedules and the starts are
  // written before it (at most ~80 s of waiting); the window closes `fleetWindowMinutes` later.
  const opens = new Date(Math.ceil((Date.now() + 20_000) / 60_000) * 60_000);
  const closes = new Date(opens.getTime() + cfg.fleetWindowMinutes * 60_000);
  const schedule = { timezone: 'UTC', windows: [{ days: [isoWeekday(opens)], start: hhmm(opens), end: hhmm(closes) }] };
  t = Date.now();
  await pool(taskIds, IN_FLIGHT, async (id) => {
    await api(port, 'PUT', `/tasks/${id}`, { schedule });
  });
  setupMs.schedule = Date.now() - t;
  t = Date.now();
  for (let i = 0; i < taskIds.length; i += 100) {
    const { results } = (await api(port, 'POST', '/tasks/actions/start', { task_ids: taskIds.slice(i, i + 100) })) as { results: { ecode: number }[] };
    const bad = results.filter((r) => r.ecode !== 200);
    if (bad.length) throw new Error(`window case: start: ${bad.length} tasks not 200: ${JSON.stringify(bad[0])}`);
  }
  setupMs.start = Date.now() - t;
  log(
    `window case: schedule ${JSON.stringify(schedule)} on all in ${setupMs.schedule} ms, started all in ${setupMs.start} ms; opening at ${opens.toISOString()}`,
  );

  const conn = await connect(cfg.database);
  try {
    const [waiting] = await conn.query<RowDataPacket[]>("SELECT COUNT(*) AS n FROM tb_subtask WHERE task_id IN (?) AND state = 'scheduled'", [taskIds]);
    const scheduledBeforeOpening = Number(waiting[0].n);
    const waitedForOpeningMs = Math.max(0, opens.getTime() - Date.now());
    await sleep(Math.max(0, opens.getTime() - Date.now() - 500));
    const startPostsBeforeOpening = Object.values((await simJson<SimSummary>(statsPort, '/summary')).startPostsPerKey).reduce((a, b) => a + b, 0);
    log(
      `window case: ${scheduledBeforeOpening} scheduled, ${startPostsBeforeOpening} start POSTs at the ops simulator before the opening; waited ${waitedForOpeningMs} ms for it`,
    );

    const cpu0 = procUsage(pid).cpuSeconds;
    const opened = await watchEdge(conn, taskIds, statsPort, opens.getTime(), subtasks, 'running', 'running');
    const cpuOpen = procUsage(pid).cpuSeconds - cpu0;
    const openSpan = (opened.db.allMs ?? WAIT_MS) / 1000;
    log(
      `window case: opening: first running +${opened.db.firstMs} ms, all ${subtasks} running +${opened.db.allMs ?? '—'} ms (ops simulator: +${opened.ops.allMs ?? '—'} ms) ${JSON.stringify(opened.db.states)}`,
    );

    const [ids] = await conn.query<RowDataPacket[]>('SELECT id, generation FROM tb_subtask WHERE task_id IN (?)', [taskIds]);
    const keys = await simJson<{ startPosts: Record<string, number>; starts: Record<string, number> }>(statsPort, '/keys');
    const startPostsPerKey: Record<string, number> = {};
    const startsPerKey: Record<string, number> = {};
    let missingStarts = 0;
    for (const r of ids) {
      const key = `${String(r.id)}:${Number(r.generation)}`;
      const posts = keys.startPosts[key] ?? 0;
      if (!posts) missingStarts++;
      startPostsPerKey[posts] = (startPostsPerKey[posts] ?? 0) + 1;
      const starts = keys.starts[key] ?? 0;
      startsPerKey[starts] = (startsPerKey[starts] ?? 0) + 1;
    }
    log(
      `window case: start POSTs per id:generation ${JSON.stringify(startPostsPerKey)} (201 starts ${JSON.stringify(startsPerKey)}), ${missingStarts} without one`,
    );

    await sleep(Math.max(0, closes.getTime() - Date.now() - 500));
    // At the ops service, every subtask it was asked to start must be stopped.
    const startedAtOps = Object.values((await simJson<SimSummary>(statsPort, '/summary')).states).reduce((a, b) => a + b, 0);
    const closed = await watchEdge(conn, taskIds, statsPort, closes.getTime(), subtasks, 'scheduled', 'stopped', startedAtOps);
    const stopsPerId = (await simJson<SimSummary>(statsPort, '/summary')).stopsPerId;
    log(
      `window case: close: all stopped at the ops simulator +${closed.ops.allMs ?? '—'} ms, all scheduled again +${closed.db.allMs ?? '—'} ms ${JSON.stringify(closed.db.states)}; stops per id ${JSON.stringify(stopsPerId)}`,
    );
    return {
      tasks,
      channels,
      subtasks,
      setupMs,
      opensAt: opens.toISOString(),
      closesAt: closes.toISOString(),
      waitedForOpeningMs,
      scheduledBeforeOpening,
      startPostsBeforeOpening,
      open: opened.db,
      openAtOps: opened.ops,
      startPostsPerKey,
      startsPerKey,
      missingStarts,
      close: closed.db,
      closeAtOps: closed.ops,
      startedAtOps,
      stopsPerId,
      serverCpuPercentOpen: (cpuOpen / openSpan) * 100,
      serverRssMb: procUsage(pid).rssMb,
    };
  } finally {
    await conn.end();
  }
}

// ------------------------------------------------------------------ 2. the list: 304 against 200

async function conditionalCase(cfg: BenchConfig, port: number, pid: number): Promise<ConditionalListResult> {
  const url = `http://127.0.0.1:${port}${listPath}`;
  const first = await fetch(url, { headers: { authorization: TOKEN } });
  const fullBytes = (await first.arrayBuffer()).byteLength;
  const etag = first.headers.get('etag');
  if (!first.ok || !etag) throw new Error(`conditional list case: ${first.status}, ETag ${etag}`);
  const check = await fetch(url, { headers: { authorization: TOKEN, 'if-none-match': etag } });
  const checkBytes = (await check.arrayBuffer()).byteLength;
  if (check.status !== 304) throw new Error(`conditional list case: If-None-Match ${etag} answered ${check.status}`);
  log(`conditional list: ETag ${etag}, 200 with ${fullBytes} bytes, 304 with ${checkBytes}`);
  const spec = (conditional: boolean, seconds: number): HttpSpec => ({
    kind: 'http',
    url,
    headers: conditional ? { authorization: TOKEN, 'if-none-match': etag } : { authorization: TOKEN },
    connections: cfg.connections,
    seconds,
  });
  for (const c of [false, true]) await runLoad(cfg.loadCore, pid, spec(c, cfg.warmupSeconds));
  const full: Measured[] = [];
  const notModified: Measured[] = [];
  for (let r = 0; r < runsOf(cfg); r++) {
    for (const c of [false, true]) {
      const m = await runLoad(cfg.loadCore, pid, spec(c, cfg.runSeconds));
      // autocannon counts a 304 as non-2xx: every conditional answer must be one, no full one a 304.
      if (m.errors || (c ? m.non2xx !== m.requests : m.non2xx !== 0))
        throw new Error(`conditional list case: ${m.non2xx} non-2xx of ${m.requests}, ${m.errors} errors (${c ? 'If-None-Match' : 'plain'})`);
      (c ? notModified : full).push(m);
      log(
        `conditional list run ${r + 1} ${c ? '304' : '200'}: ${m.rps.toFixed(0)} req/s p50 ${m.p50} ms p99 ${m.p99} ms, server CPU ${m.cpuPercent.toFixed(0)}%`,
      );
    }
  }
  const fullRps = median(full.map((m) => m.rps));
  const notModifiedRps = median(notModified.map((m) => m.rps));
  return { etag, full, notModified, fullRps, notModifiedRps, ratio: notModifiedRps / fullRps, fullBytes, connections: cfg.connections };
}

// ------------------------------------------------------------------ 3. 配置完成 of a task: one call against one per subtask

async function bulkConfigCase(cfg: BenchConfig, port: number): Promise<BulkConfigResult> {
  const n = cfg.startSubtasks;
  const { task_id: bulkTask } = (await api(port, 'POST', '/tasks', taskBody(n, 0, 'Bench bulk 配置完成'))) as { task_id: string };
  let t = Date.now();
  const { results } = (await api(port, 'POST', `/tasks/${bulkTask}/config-complete`)) as { results: { ecode: number; state?: string }[] };
  const bulkMs = Date.now() - t;
  const bulkOk = results.filter((r) => r.ecode === 200 && r.state === 'configured').length;

  // A new task, so every subtask starts unconfigured again.
  const { task_id: singleTask } = (await api(port, 'POST', '/tasks', taskBody(n, 0, 'Bench single 配置完成'))) as { task_id: string };
  const { list_data: subtasks } = (await api(port, 'GET', `/tasks/${singleTask}/subtasks`)) as { list_data: { subtask_id: string; state: string }[] };
  if (subtasks.some((s) => s.state !== 'unconfigured')) throw new Error('bulk 配置完成 case: the new task has configured subtasks');
  let singleOk = 0;
  t = Date.now();
  await pool(subtasks, IN_FLIGHT, async (s) => {
    const answer = (await api(port, 'POST', `/subtasks/${s.subtask_id}/config-complete`)) as { state?: string; data?: { state?: string } };
    if ((answer.state ?? answer.data?.state) === 'configured') singleOk++;
  });
  const singleMs = Date.now() - t;
  log(
    `bulk 配置完成: ${n} subtasks in one call ${bulkMs} ms (${bulkOk} configured); ${n} single calls (${IN_FLIGHT} in flight) ${singleMs} ms (${singleOk} configured)`,
  );
  return { subtasks: n, bulkMs, bulkOk, singleMs, singleOk, ratio: singleMs / bulkMs, inFlight: IN_FLIGHT };
}

// ------------------------------------------------------------------ all three

/** Starts and stops its own service (cfg.serverPort + 30) and ops simulator (cfg.simPort, stats on cfg.simPort + 30). */
export async function fleetCases(cfg: BenchConfig): Promise<FleetResults> {
  const port = cfg.serverPort + PORT_OFFSET;
  log('conditional list and bulk 配置完成 cases');
  const plain = await startServer(cfg, {}, [], port);
  let conditional: ConditionalListResult;
  let bulkConfig: BulkConfigResult;
  try {
    conditional = await conditionalCase(cfg, port, plain.pid);
    bulkConfig = await bulkConfigCase(cfg, port);
  } finally {
    await plain.stop();
  }
  log(`window case: ${cfg.fleetTasks} tasks × ${cfg.fleetChannels} channels`);
  const statsPort = cfg.simPort + PORT_OFFSET;
  const sim = await startFleetSim(cfg, statsPort);
  let server: ManagedProcess | null = null;
  try {
    server = await startServer(cfg, { OPS_BASE_URL: `http://127.0.0.1:${cfg.simPort}`, PUBLIC_BASE_URL: `http://127.0.0.1:${port}` }, [], port);
    const window = await windowCase(cfg, port, server.pid, statsPort);
    return { window, conditional, bulkConfig };
  } finally {
    await server?.stop();
    await sim.stop();
  }
}

// ------------------------------------------------------------------ rendering

const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '—');
const s1 = (ms: number | null) => (ms === null ? `not within ${WAIT_MS / 1000} s` : `${(ms / 1000).toFixed(1)} s`);
const WINDOW_BOUND_MS = 20_000;

export interface FleetVerdict {
  target: string;
  measured: string;
  ok: boolean;
}

export function fleetVerdicts(r: FleetResults): FleetVerdict[] {
  const { window: w, conditional: c } = r;
  const once = w.missingStarts === 0 && Object.keys(w.startPostsPerKey).every((k) => k === '1');
  return [
    {
      target: `window opening for ${f0(w.subtasks)} subtasks (${w.tasks} tasks × ${w.channels}) at one minute: all running ≤ 20 s after it, each dispatched once (one start POST per id:generation)`,
      measured: `all running ${s1(w.open.allMs)} after the opening (first ${s1(w.open.firstMs)}; at the ops simulator ${s1(w.openAtOps.allMs)}); start POSTs per id:generation ${JSON.stringify(w.startPostsPerKey)}, ${w.missingStarts} without one`,
      ok: w.open.allMs !== null && w.open.allMs <= WINDOW_BOUND_MS && once,
    },
    {
      target: `window close for the same ${f0(w.subtasks)}: all stopped at the ops service and back to scheduled ≤ 20 s after it`,
      measured: `all ${f0(w.startedAtOps)} started at the ops simulator stopped there ${s1(w.closeAtOps.allMs)} after the close, all ${f0(w.subtasks)} scheduled ${s1(w.close.allMs)}; stops per id ${JSON.stringify(w.stopsPerId)}`,
      ok:
        w.startedAtOps === w.subtasks &&
        w.closeAtOps.allMs !== null &&
        w.closeAtOps.allMs <= WINDOW_BOUND_MS &&
        w.close.allMs !== null &&
        w.close.allMs <= WINDOW_BOUND_MS,
    },
    {
      target: 'GET /tasks?offset=0&limit=10 with a matching If-None-Match (304): ≥ 3× req/s of the full answer (200)',
      measured: `${f0(c.notModifiedRps)} / ${f0(c.fullRps)} req/s = ${f2(c.ratio)}× (runs 304: ${c.notModified.map((m) => f0(m.rps)).join(', ')}; 200: ${c.full.map((m) => f0(m.rps)).join(', ')})`,
      ok: c.ratio >= 3,
    },
  ];
}

export function renderFleet(r: FleetResults): string {
  const { window: w, conditional: c, bulkConfig: b } = r;
  const pick = (ms: Measured[]) => ms.find((m) => m.rps === median(ms.map((x) => x.rps))) ?? ms[0];
  const c200 = pick(c.full);
  const c304 = pick(c.notModified);
  const lines: string[] = ['## Fleet: a schedule window for many tasks, conditional list, bulk 配置完成', ''];
  lines.push('| case | figures | notes |', '|---|---|---|');
  lines.push(
    `| schedule window (UTC, ${w.opensAt.slice(11, 16)}–${w.closesAt.slice(11, 16)} on ${w.opensAt.slice(0, 10)}) for ${w.tasks} tasks × ${w.channels} channels = ${f0(w.subtasks)} subtasks, started before it (ops simulator, no added latency) | opening: first running ${s1(w.open.firstMs)}, all running ${s1(w.open.allMs)} (ops simulator: all running ${s1(w.openAtOps.allMs)}); close: all ${f0(w.startedAtOps)} started at the ops simulator stopped there ${s1(w.closeAtOps.allMs)}, all scheduled again ${s1(w.close.allMs)} | set-up through the API: create ${f0(w.setupMs.create)} ms, 配置完成 one call per task ${f0(w.setupMs.configComplete)} ms, schedule (PUT) ${f0(w.setupMs.schedule)} ms, bulk start ${f0(w.setupMs.start)} ms; opening = the first minute boundary ≥ 20 s after the set-up (waited ${f2(w.waitedForOpeningMs / 1000)} s); before it ${f0(w.scheduledBeforeOpening)} scheduled, ${w.startPostsBeforeOpening} start POSTs; start POSTs per id:generation ${JSON.stringify(w.startPostsPerKey)} (201 starts ${JSON.stringify(w.startsPerKey)}); stops per id ${JSON.stringify(w.stopsPerId)}; states after the close ${JSON.stringify(w.close.states)}; server CPU ${f0(w.serverCpuPercentOpen)}% from the opening to all running, RSS ${f0(w.serverRssMb)} MB; states polled every 100 ms |`,
  );
  lines.push(
    `| GET ${listPath}, ${c.connections} connections: If-None-Match ${c.etag} (304) vs none (200) | 304 ${f0(c.notModifiedRps)} req/s (p50 ${c304.p50} / p99 ${c304.p99} ms, CPU ${f0(c304.cpuPercent)}%), 200 ${f0(c.fullRps)} req/s (p50 ${c200.p50} / p99 ${c200.p99} ms, CPU ${f0(c200.cpuPercent)}%) = ${f2(c.ratio)}× | full answer ${f0(c.fullBytes)} bytes; runs alternate 200 / 304 on one service |`,
  );
  lines.push(
    `| 配置完成 of ${f0(b.subtasks)} subtasks: POST /tasks/{id}/config-complete once vs POST /subtasks/{id}/config-complete × ${f0(b.subtasks)} (${b.inFlight} in flight, another new task) | one call ${f0(b.bulkMs)} ms, single calls ${f0(b.singleMs)} ms = ${f2(b.ratio)}× | configured: ${f0(b.bulkOk)} / ${f0(b.singleOk)} of ${f0(b.subtasks)} |`,
  );
  lines.push('', '| target | measured | |', '|---|---|---|');
  for (const v of fleetVerdicts(r)) lines.push(`| ${v.target} | ${v.measured} | ${v.ok ? '**met**' : '**NOT met**'} |`);
  lines.push('');
  return lines.join('\n');
}
