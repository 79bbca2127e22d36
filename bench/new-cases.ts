import { readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { api, loadAlone, type Target, taskBody } from './cases';
import type { BenchConfig } from './config';
import { connect } from './db';
import { type HttpSpec, type Measured, type ReportsSpec, runLoad } from './load';
import { ManagedProcess, sleep, spawnNode } from './procs';
import { CHANNELS } from './seed';
import { INTERNAL_TOKEN, startBaseline, startServer, startSimulator, TOKEN } from './servers';
import type { SseResult, SseSpec } from './sse-worker';
import { median } from './stats';

/**
 * The cases of the HTTP edge, the event journal and its streams, and the reconciler's recovery:
 * each a ratio against a baseline measured in the same run where one exists.
 */

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);
const ORIGIN = 'http://admin.bench.test';
/** Far above what a run sends (~1,000 req/s for seconds): on, never refusing. */
const HIGH_LIMIT = '100000000';
const EDGE_ON_PORT_OFFSET = 20;
const EDGE_OFF_PORT_OFFSET = 21;
const listPath = '/tasks?offset=0&limit=10';

/** Runs of each new case: the full run's 5 would add minutes for figures that vary less. */
const runsOf = (cfg: BenchConfig) => Math.min(cfg.runs, 3);

export interface EdgeResult {
  onRps: number[];
  offRps: number[];
  on: Measured;
  off: Measured;
  ratio: number;
  /** Response headers of one list answer to a cross-origin request, on and off. */
  onHeaders: string[];
  offHeaders: string[];
}

export interface ReportsPair {
  /** Applied reports per second, per run. */
  a: number[];
  b: number[];
  aMed: number;
  bMed: number;
  ratio: number;
  aP99: number;
  bP99: number;
  aCpu: number;
  bCpu: number;
  failedBatches: number;
  /** InnoDB row lock waits and their time (ms) over the runs of a and of b. */
  rowLockWaits: [number, number];
  rowLockMs: [number, number];
}

export interface JournalResult {
  reports: ReportsPair;
  /** List req/s (4 connections) alongside the flipping reports, journal on and off. */
  listJournalOn: number[];
  listJournalOff: number[];
  listRatio: number;
  eventsPerFlipRun: number;
}

export interface SseCaseResult {
  few: SseResult;
  many: SseResult;
  batch: number;
  batchesPerSecond: number;
}

export interface RecoveryResult {
  subtasks: number;
  /** What happened mid-start, and when (ms after the start was answered). */
  eventAtMs: number;
  runningAtEvent: number;
  leasedAtEvent: number;
  /** From the kill (takeover) or the simulator's return (outage) until all run; null: not within the wait. */
  untilAllRunningMs: number | null;
  startToAllRunningMs: number | null;
  states: Record<string, number>;
  outageMs?: number;
  leaseMs: number;
  retryMaxMs: number;
}

export interface AddedResults {
  edge: EdgeResult;
  journal: JournalResult;
  raw: ReportsPair;
  sse: SseCaseResult;
  takeover: RecoveryResult;
  outage: RecoveryResult;
  reportsProfile?: string;
}

const headerNames = async (port: number): Promise<string[]> => {
  const res = await fetch(`http://127.0.0.1:${port}${listPath}`, { headers: { authorization: TOKEN, origin: ORIGIN } });
  await res.arrayBuffer();
  return [...res.headers.keys()]
    .filter((h) =>
      /^(access-control-|x-ratelimit|ratelimit|content-security|strict-transport|x-content-type|x-frame|referrer-policy|cross-origin|x-dns|x-download|x-permitted|origin-agent|vary)/.test(
        h,
      ),
    )
    .sort();
};

// ------------------------------------------------------------------ 1. the edge on vs off

async function edgeCase(cfg: BenchConfig, on: Target, off: Target): Promise<EdgeResult> {
  const targets = [on, off];
  const onHeaders = await headerNames(on.port);
  const offHeaders = await headerNames(off.port);
  log(`edge on headers: ${onHeaders.join(', ')}; off: ${offHeaders.join(', ')}`);
  if (!onHeaders.includes('access-control-allow-origin')) throw new Error('edge case: CORS is not on for the edge-on service');
  const spec = (t: Target, seconds: number): HttpSpec => ({
    kind: 'http',
    url: `http://127.0.0.1:${t.port}${listPath}`,
    headers: { authorization: TOKEN, origin: ORIGIN },
    connections: cfg.connections,
    seconds,
  });
  for (const t of targets) await loadAlone(cfg, targets, t, spec(t, cfg.warmupSeconds));
  const runs: Record<string, Measured[]> = { on: [], off: [] };
  for (let r = 0; r < runsOf(cfg); r++) {
    for (const [name, t] of [
      ['on', on],
      ['off', off],
    ] as const) {
      const m = await loadAlone(cfg, targets, t, spec(t, cfg.runSeconds));
      if (m.non2xx || m.errors) throw new Error(`edge case: ${m.non2xx} non-2xx, ${m.errors} errors with the edge ${name}`);
      runs[name].push(m);
      log(`edge ${name} run ${r + 1}: ${m.rps.toFixed(0)} req/s p50 ${m.p50} ms p99 ${m.p99} ms`);
    }
  }
  const pick = (ms: Measured[]) => ms.find((m) => m.rps === median(ms.map((x) => x.rps))) ?? ms[0];
  const onRps = runs.on.map((m) => m.rps);
  const offRps = runs.off.map((m) => m.rps);
  return { onRps, offRps, on: pick(runs.on), off: pick(runs.off), ratio: median(onRps) / median(offRps), onHeaders, offHeaders };
}

// ------------------------------------------------------------------ report loads with tracked states

interface ReportFiles {
  idsFile: string;
  statesFile: string;
}

/** Every seeded sender's subtasks (channel k of every task) and their current states, from the database. */
async function reportFiles(cfg: BenchConfig, name: string): Promise<ReportFiles> {
  const conn = await connect(cfg.database);
  try {
    const [rows] = await conn.query<RowDataPacket[]>(
      'SELECT id, vchan_refid, state FROM tb_subtask WHERE generation = 1 AND desired_state = ? ORDER BY task_id, position',
      ['run'],
    );
    const perChannel = CHANNELS.map((c) => rows.filter((r) => r.vchan_refid === c));
    const idsFile = join(tmpdir(), `bench-${name}-ids.json`);
    const statesFile = join(tmpdir(), `bench-${name}-states.json`);
    writeFileSync(idsFile, JSON.stringify(perChannel.map((l) => l.map((r) => String(r.id)))));
    writeFileSync(statesFile, JSON.stringify(perChannel.map((l) => l.map((r) => String(r.state)))));
    return { idsFile, statesFile };
  } finally {
    await conn.end();
  }
}

const reportsSpec = (cfg: BenchConfig, t: Target, files: ReportFiles, mode: 'flip' | 'hold', seconds: number): ReportsSpec => ({
  kind: 'reports',
  url: `http://127.0.0.1:${t.port}/internal/subtask-reports`,
  token: INTERNAL_TOKEN,
  senders: cfg.reportSenders,
  batch: cfg.reportBatch,
  idsFile: files.idsFile,
  statesFile: files.statesFile,
  mode,
  flipEvery: 50,
  seconds,
});

const appliedPerSecond = (m: Measured) => (m.applied ?? 0) / m.seconds;

/** Two report loads run by run in alternation (a, b, a, b, …), each alone on its server. */
async function reportsPair(cfg: BenchConfig, all: Target[], a: [Target, ReportsSpec], b: [Target, ReportsSpec], label: string): Promise<ReportsPair> {
  for (const [t, spec] of [a, b]) await loadAlone(cfg, all, t, { ...spec, seconds: cfg.warmupSeconds });
  const ra: Measured[] = [];
  const rb: Measured[] = [];
  const locks = { a: { waits: 0, ms: 0 }, b: { waits: 0, ms: 0 } };
  for (let r = 0; r < runsOf(cfg); r++) {
    for (const [[t, spec], out, name] of [
      [a, ra, 'a'],
      [b, rb, 'b'],
    ] as const) {
      const before = await rowLocks();
      const m = await loadAlone(cfg, all, t, { ...spec, seconds: cfg.runSeconds });
      const after = await rowLocks();
      locks[name].waits += after.waits - before.waits;
      locks[name].ms += after.ms - before.ms;
      out.push(m);
      log(
        `${label} ${name} run ${r + 1}: ${appliedPerSecond(m).toFixed(0)} reports/s applied, ${m.ignored} ignored, p99 ${m.p99.toFixed(1)} ms per batch, server CPU ${m.cpuPercent.toFixed(0)}%, InnoDB row lock waits ${after.waits - before.waits} (${after.ms - before.ms} ms), statuses ${JSON.stringify(m.statuses)}`,
      );
    }
  }
  const aRates = ra.map(appliedPerSecond);
  const bRates = rb.map(appliedPerSecond);
  return {
    a: aRates,
    b: bRates,
    aMed: median(aRates),
    bMed: median(bRates),
    ratio: median(aRates) / median(bRates),
    aP99: median(ra.map((m) => m.p99)),
    bP99: median(rb.map((m) => m.p99)),
    aCpu: median(ra.map((m) => m.cpuPercent)),
    bCpu: median(rb.map((m) => m.cpuPercent)),
    failedBatches: [...ra, ...rb].reduce((n, m) => n + m.non2xx + m.errors, 0),
    rowLockWaits: [locks.a.waits, locks.b.waits],
    rowLockMs: [locks.a.ms, locks.b.ms],
  };
}

/** InnoDB row lock waits and their total time (ms), server-wide. */
async function rowLocks(): Promise<{ waits: number; ms: number }> {
  const conn = await connect();
  try {
    const [rows] = await conn.query<RowDataPacket[]>("SHOW GLOBAL STATUS WHERE Variable_name IN ('Innodb_row_lock_waits', 'Innodb_row_lock_time')");
    const v = Object.fromEntries(rows.map((r) => [String(r.Variable_name), Number(r.Value)]));
    return { waits: v.Innodb_row_lock_waits ?? 0, ms: v.Innodb_row_lock_time ?? 0 };
  } finally {
    await conn.end();
  }
}

async function eventCount(cfg: BenchConfig): Promise<number> {
  const conn = await connect(cfg.database);
  try {
    const [rows] = await conn.query<RowDataPacket[]>('SELECT COUNT(*) AS n FROM tb_event');
    return Number(rows[0].n);
  } finally {
    await conn.end();
  }
}

// ------------------------------------------------------------------ 2. state-flipping reports, journal on vs off

/**
 * The same state-flipping reports (every report an event) against two services on one database:
 * one as shipped, one with EVENT_JOURNAL_ENABLED=false, run by run in alternation. Both mark and
 * re-derive task statuses; only the journal differs. The idle one is not frozen: it sweeps the
 * marks the other makes, as a second replica does, and a frozen replica can be stopped holding
 * row locks (frozen, 7.7–8.0 s of InnoDB lock waits in a 3 s run).
 */
async function journalCase(cfg: BenchConfig, on: Target, off: Target): Promise<JournalResult> {
  const files = await reportFiles(cfg, 'journal');
  const before = await eventCount(cfg);
  const reports = await reportsPair(
    cfg,
    [],
    [on, reportsSpec(cfg, on, files, 'flip', 0)],
    [off, reportsSpec(cfg, off, files, 'flip', 0)],
    'reports journal on / off',
  );
  const eventsPerFlipRun = ((await eventCount(cfg)) - before) / (runsOf(cfg) + 1);
  // The list alongside each: 4 connections (closed loop) while the reports run, both from the load core.
  const during = async (t: Target): Promise<number> => {
    const listSpec: HttpSpec = {
      kind: 'http',
      url: `http://127.0.0.1:${t.port}${listPath}`,
      headers: { authorization: TOKEN },
      connections: 4,
      seconds: cfg.runSeconds,
    };
    const [, list] = await Promise.all([
      runLoad(cfg.loadCore, t.pid, reportsSpec(cfg, t, files, 'flip', cfg.runSeconds + 1)),
      sleep(500).then(() => runLoad(cfg.loadCore, t.pid, listSpec)),
    ]);
    if (list.non2xx || list.errors) throw new Error(`list during reports: ${list.non2xx} non-2xx`);
    return list.rps;
  };
  const listJournalOn: number[] = [];
  const listJournalOff: number[] = [];
  for (let r = 0; r < runsOf(cfg); r++) {
    listJournalOn.push(await during(on));
    listJournalOff.push(await during(off));
    log(`list during flipping reports run ${r + 1}: ${listJournalOn[r].toFixed(0)} req/s (journal on) / ${listJournalOff[r].toFixed(0)} req/s (off)`);
  }
  return { reports, listJournalOn, listJournalOff, listRatio: median(listJournalOn) / median(listJournalOff), eventsPerFlipRun };
}

// ------------------------------------------------------------------ 3. reports against one raw upsert per batch

async function prepareRawTable(cfg: BenchConfig): Promise<void> {
  const conn = await connect(cfg.database);
  try {
    await conn.query('DROP TABLE IF EXISTS bench_raw_subtask');
    await conn.query(
      'CREATE TABLE bench_raw_subtask ENGINE=InnoDB AS SELECT id, generation, state, status_reason, progress, reported_at, heartbeat_at, update_dt FROM tb_subtask',
    );
    await conn.query('ALTER TABLE bench_raw_subtask ADD PRIMARY KEY (id)');
  } finally {
    await conn.end();
  }
}

// ------------------------------------------------------------------ 4. event streams with 1,000 subscribers

async function sseRun(
  cfg: BenchConfig,
  t: Target,
  files: { idsFile: string; statesFile: string },
  subscribers: number,
  batch: number,
  batchesPerSecond: number,
): Promise<SseResult> {
  const spec: SseSpec = {
    streamUrl: `http://127.0.0.1:${t.port}/events/stream?access_token=${encodeURIComponent(TOKEN)}&kind=subtask.state`,
    reportsUrl: `http://127.0.0.1:${t.port}/internal/subtask-reports`,
    metricsUrl: `http://127.0.0.1:${t.port}/metrics`,
    token: TOKEN,
    internalToken: INTERNAL_TOKEN,
    subscribers,
    idsFile: files.idsFile,
    statesFile: files.statesFile,
    batch,
    batchesPerSecond,
    seconds: Math.max(5, cfg.runSeconds),
    serverPid: t.pid,
  };
  const worker = spawnNode(
    cfg.loadCore,
    ['-r', 'ts-node/register/transpile-only', join(__dirname, 'sse-worker.ts'), JSON.stringify(spec)],
    { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
    'sse worker',
  );
  const code = await worker.exited;
  if (code !== 0) throw new Error(`sse worker failed (${code}):\n${worker.log}`);
  const r = JSON.parse(worker.log.trim().split('\n').pop() ?? '') as SseResult;
  log(
    `sse ${subscribers} subscribers: connected ${r.connected} in ${r.connectMs.toFixed(0)} ms; ${r.events} events, ${r.deliveries}/${r.expected} deliveries; answer→delivery p50 ${r.p50.toFixed(1)} p99 ${r.p99.toFixed(1)} max ${r.max.toFixed(1)} ms; report p50 ${r.reportP50.toFixed(1)} ms; journal queries ${r.journalQueriesPerSecond.toFixed(1)}/s ${JSON.stringify(r.journalQueries)}; server RSS ${r.serverRssMb.toFixed(0)} MB`,
  );
  return r;
}

async function sseCase(cfg: BenchConfig, t: Target, frozen: Target[]): Promise<SseCaseResult> {
  // Sender 0's subtasks (channel 1 of every task), flipped by the worker.
  const all = await reportFiles(cfg, 'sse-all');
  const ids = (JSON.parse(readFileSync(all.idsFile, 'utf8')) as string[][])[0];
  const states = (JSON.parse(readFileSync(all.statesFile, 'utf8')) as string[][])[0];
  const files = { idsFile: join(tmpdir(), 'bench-sse-ids.json'), statesFile: join(tmpdir(), 'bench-sse-states.json') };
  writeFileSync(files.idsFile, JSON.stringify(ids));
  writeFileSync(files.statesFile, JSON.stringify(states));
  const batch = 5;
  const batchesPerSecond = 4;
  for (const f of frozen) process.kill(f.pid, 'SIGSTOP');
  try {
    const few = await sseRun(cfg, t, files, 10, batch, batchesPerSecond);
    const many = await sseRun(cfg, t, files, 1000, batch, batchesPerSecond);
    return { few, many, batch, batchesPerSecond };
  } finally {
    for (const f of frozen) process.kill(f.pid, 'SIGCONT');
  }
}

// ------------------------------------------------------------------ 5. takeover and post-outage convergence

async function prepareStart(cfg: BenchConfig, port: number, name: string): Promise<string> {
  const n = cfg.startSubtasks;
  const { task_id: taskId } = (await api(port, 'POST', '/tasks', taskBody(n, 0, name))) as { task_id: string };
  const { list_data: subtasks } = (await api(port, 'GET', `/tasks/${taskId}/subtasks`)) as { list_data: { subtask_id: string }[] };
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < subtasks.length) await api(port, 'POST', `/subtasks/${subtasks[next++].subtask_id}/config-complete`);
    }),
  );
  return taskId;
}

/** Starts `taskId`, runs `event` once `threshold` of its subtasks run, and waits until all do. */
async function startThrough(
  cfg: BenchConfig,
  port: number,
  taskId: string,
  threshold: number,
  event: () => Promise<void>,
  retryMaxMs: number,
  leaseMs: number,
): Promise<RecoveryResult> {
  const n = cfg.startSubtasks;
  const conn = await connect(cfg.database);
  try {
    const counts = async () => {
      const [rows] = await conn.query<RowDataPacket[]>(
        'SELECT state, COUNT(*) AS n, SUM(lease_until > UTC_TIMESTAMP(3)) AS leased FROM tb_subtask WHERE task_id = ? GROUP BY state',
        [taskId],
      );
      const states = Object.fromEntries(rows.map((r) => [String(r.state), Number(r.n)]));
      const leased = rows.filter((r) => r.state !== 'running').reduce((a, r) => a + Number(r.leased ?? 0), 0);
      return { states, leased };
    };
    const started = Date.now();
    await api(port, 'POST', `/tasks/${taskId}/start`);
    let eventAtMs = -1;
    let runningAtEvent = 0;
    let leasedAtEvent = 0;
    let eventDone = 0;
    let states: Record<string, number> = {};
    let allMs: number | null = null;
    while (Date.now() - started < 120_000) {
      const c = await counts();
      states = c.states;
      if (eventAtMs < 0 && (states.running ?? 0) >= threshold * n) {
        eventAtMs = Date.now() - started;
        runningAtEvent = states.running ?? 0;
        leasedAtEvent = c.leased;
        await event();
        eventDone = Date.now();
      }
      if ((states.running ?? 0) === n) {
        allMs = Date.now() - started;
        break;
      }
      await sleep(50);
    }
    return {
      subtasks: n,
      eventAtMs,
      runningAtEvent,
      leasedAtEvent,
      untilAllRunningMs: allMs === null || !eventDone ? null : started + allMs - eventDone,
      startToAllRunningMs: allMs,
      states,
      leaseMs,
      retryMaxMs,
    };
  } finally {
    await conn.end();
  }
}

async function recoveryCases(cfg: BenchConfig): Promise<{ takeover: RecoveryResult; outage: RecoveryResult }> {
  const retryMaxMs = Number(cfg.serverEnv.OPS_RETRY_MAX_MS ?? 30_000);
  const leaseMs = Number(cfg.serverEnv.LEASE_MS ?? 15_000);
  const sim = await startSimulator(cfg);
  const portA = cfg.serverPort + EDGE_ON_PORT_OFFSET;
  const portB = cfg.serverPort + EDGE_OFF_PORT_OFFSET;
  // Both announce A's address to the ops service, as replicas behind one load balancer do.
  const env = { OPS_BASE_URL: `http://127.0.0.1:${cfg.simPort}`, PUBLIC_BASE_URL: `http://127.0.0.1:${portA}` };
  const a = await startServer(cfg, env, [], portA);
  let b: ManagedProcess | null = null;
  try {
    b = await startServer(cfg, env, [], portB);
    const takeoverTask = await prepareStart(cfg, portA, 'Bench takeover');
    const victim = b;
    const takeover = await startThrough(
      cfg,
      portA,
      takeoverTask,
      0.2,
      async () => {
        victim.child.kill('SIGKILL');
        await victim.exited;
      },
      retryMaxMs,
      leaseMs,
    );
    log(
      `takeover: kill -9 of one of two replicas at ${takeover.runningAtEvent} running (${takeover.leasedAtEvent} others leased); all ${takeover.subtasks} running ${takeover.untilAllRunningMs ?? '—'} ms after the kill ${JSON.stringify(takeover.states)}`,
    );

    const outageTask = await prepareStart(cfg, portA, 'Bench outage');
    const outageMs = 10_000;
    const outage = await startThrough(
      cfg,
      portA,
      outageTask,
      0.2,
      async () => {
        // The ops service stops answering (accepted connections, no replies: calls end at OPS_TIMEOUT_MS), then returns.
        process.kill(sim.pid, 'SIGSTOP');
        await sleep(outageMs);
        process.kill(sim.pid, 'SIGCONT');
      },
      retryMaxMs,
      leaseMs,
    );
    outage.outageMs = outageMs;
    log(
      `outage: ops simulator frozen ${outageMs} ms at ${outage.runningAtEvent} running; all ${outage.subtasks} running ${outage.untilAllRunningMs ?? '—'} ms after its return ${JSON.stringify(outage.states)}`,
    );
    return { takeover, outage };
  } finally {
    process.kill(sim.pid, 'SIGCONT');
    await b?.stop();
    await a.stop();
    await sim.stop();
  }
}

// ------------------------------------------------------------------ all of them

/** The service must not be running on cfg.serverPort's neighbours; starts and stops its own servers. */
export async function addedCases(cfg: BenchConfig): Promise<AddedResults> {
  log('edge, journal, raw reports and stream cases');
  const edgeOn = await startServer(
    cfg,
    { CORS_ORIGINS: ORIGIN, RATE_LIMIT_PER_MINUTE: HIGH_LIMIT, RATE_LIMIT_REPORTS_PER_MINUTE: HIGH_LIMIT },
    [],
    cfg.serverPort + EDGE_ON_PORT_OFFSET,
  );
  const edgeOff = await startServer(cfg, {}, [], cfg.serverPort + EDGE_OFF_PORT_OFFSET);
  const on: Target = { name: 'ours', port: cfg.serverPort + EDGE_ON_PORT_OFFSET, pid: edgeOn.pid };
  const off: Target = { name: 'ours', port: cfg.serverPort + EDGE_OFF_PORT_OFFSET, pid: edgeOff.pid };
  let baseline: ManagedProcess | null = null;
  try {
    const edge = await edgeCase(cfg, on, off);
    await edgeOn.stop();
    const journalOff = await startServer(cfg, { EVENT_JOURNAL_ENABLED: 'false' }, [], cfg.serverPort + EDGE_ON_PORT_OFFSET);
    restartedServers.push(journalOff);
    const journal = await journalCase(cfg, off, { name: 'ours', port: cfg.serverPort + EDGE_ON_PORT_OFFSET, pid: journalOff.pid });
    await journalOff.stop();

    await prepareRawTable(cfg);
    baseline = await startBaseline(cfg);
    const base: Target = { name: 'baseline', port: cfg.baselinePort, pid: baseline.pid };
    // The same heartbeat batches to both, from the same tracked states.
    const files = await reportFiles(cfg, 'raw');
    const raw = await reportsPair(
      cfg,
      [off, base],
      [off, reportsSpec(cfg, off, files, 'hold', 0)],
      [base, reportsSpec(cfg, base, files, 'hold', 0)],
      'reports ours / raw upsert',
    );
    await baseline.stop();
    baseline = null;

    let reportsProfile: string | undefined;
    if (cfg.profileReports) reportsProfile = await profileReports(cfg, off, edgeOff, files);

    const sse = await sseCase(cfg, off, []);
    await edgeOff.stop();
    for (const p of restartedServers.splice(0)) await p.stop();
    const { takeover, outage } = await recoveryCases(cfg);
    return { edge, journal, raw, sse, takeover, outage, reportsProfile };
  } finally {
    await baseline?.stop();
    await edgeOn.stop();
    await edgeOff.stop();
    for (const p of restartedServers.splice(0)) await p.stop();
  }
}

/**
 * The heartbeat reports load on a service started with --cpu-prof; the self time per function
 * (top 30) and per package is written next to the results.
 */
async function profileReports(cfg: BenchConfig, off: Target, running: ManagedProcess, files: ReportFiles): Promise<string> {
  await running.stop();
  const texts: string[] = [];
  for (const mode of ['hold', 'flip'] as const) texts.push(await profileOne(cfg, off, files, mode));
  const text = texts.join('\n\n');
  writeFileSync(join(__dirname, 'results', 'reports-profile.txt'), `${text}\n`);
  // Back to the unprofiled service for the cases after.
  const restarted = await startServer(cfg, {}, [], off.port);
  off.pid = restarted.pid;
  restartedServers.push(restarted);
  return text;
}

async function profileOne(cfg: BenchConfig, off: Target, files: ReportFiles, mode: 'hold' | 'flip'): Promise<string> {
  const { mkdtempSync, readdirSync } = await import('node:fs');
  const dir = mkdtempSync(join(tmpdir(), 'bench-prof-'));
  const prof = await startServer(cfg, {}, ['--cpu-prof', `--cpu-prof-dir=${dir}`], off.port);
  const { rate, cpu } = await (async () => {
    try {
      const t: Target = { ...off, pid: prof.pid };
      await runLoad(cfg.loadCore, t.pid, reportsSpec(cfg, t, files, mode, cfg.warmupSeconds));
      const m = await runLoad(cfg.loadCore, t.pid, reportsSpec(cfg, t, files, mode, Math.max(8, cfg.runSeconds)));
      const rate = appliedPerSecond(m);
      const cpu = m.cpuPercent;
      log(`profiled reports run (${mode}): ${rate.toFixed(0)} reports/s applied, server CPU ${cpu.toFixed(0)}%`);
      return { rate, cpu };
    } finally {
      await prof.stop();
    }
  })();
  const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
  if (!file) return 'no profile written';
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
    nodes: { id: number; callFrame: { functionName: string; url: string; lineNumber: number } }[];
    samples: number[];
    timeDeltas: number[];
  };
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const self = new Map<string, number>();
  const byPackage = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    const f = byId.get(id)!.callFrame;
    const where = f.url
      .replace(/^file:\/\//, '')
      .replace(/^.*\/node_modules\//, 'node_modules/')
      .replace(/^.*\/dist\//, 'dist/');
    const key = `${f.functionName || '(anonymous)'} ${where}:${f.lineNumber + 1}`;
    self.set(key, (self.get(key) ?? 0) + dt);
    const pkg = where.startsWith('node_modules/')
      ? where
          .split('/')
          .slice(0, where.split('/')[1].startsWith('@') ? 3 : 2)
          .join('/')
      : where.startsWith('dist/')
        ? where.split('/').slice(0, 3).join('/')
        : where.startsWith('node:')
          ? 'node: (core)'
          : f.functionName.startsWith('(')
            ? f.functionName
            : 'other';
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + dt);
    total += dt;
  });
  const pct = (us: number) => `${((us / total) * 100).toFixed(1)}%`;
  const lines = [
    `CPU profile of the service under the ${mode === 'hold' ? 'heartbeat' : 'state-flipping'} reports load: ${rate.toFixed(0)} reports/s applied, server CPU ${cpu.toFixed(0)}% (${(total / 1e6).toFixed(1)} s sampled)`,
    '',
    'self time by package / directory:',
    ...[...byPackage]
      .sort((x, y) => y[1] - x[1])
      .slice(0, 25)
      .map(([k, v]) => `  ${pct(v).padStart(6)}  ${k}`),
    '',
    'self time by function (top 40):',
    ...[...self]
      .sort((x, y) => y[1] - x[1])
      .slice(0, 40)
      .map(([k, v]) => `  ${pct(v).padStart(6)}  ${k}`),
  ];
  return lines.join('\n');
}

/** Servers started by profileReports in place of the one it stopped; stopped by the caller's cleanup. */
export const restartedServers: ManagedProcess[] = [];

// ------------------------------------------------------------------ rendering

const f0 = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : '—');
const f1 = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '—');
const f2 = (n: number) => (Number.isFinite(n) ? n.toFixed(2) : '—');
const s1 = (ms: number | null) => (ms === null ? 'not within 120 s' : `${f1(ms / 1000)} s`);

export interface AddedVerdict {
  target: string;
  measured: string;
  ok: boolean;
}

export function addedVerdicts(r: AddedResults): AddedVerdict[] {
  const { edge, journal, raw, sse, takeover, outage } = r;
  const delivered = sse.many.deliveries === sse.many.expected && sse.few.deliveries === sse.few.expected;
  return [
    {
      target: 'list offset 0 with CORS + rate limiter on: ≥ 0.9× req/s of both off (security headers on in both: no switch)',
      measured: `${f0(median(edge.onRps))} / ${f0(median(edge.offRps))} req/s = ${f2(edge.ratio)}× (runs on: ${edge.onRps.map(f0).join(', ')}; off: ${edge.offRps.map(f0).join(', ')})`,
      ok: edge.ratio >= 0.9,
    },
    {
      target: 'reports that each flip state (an event each), journal on: ≥ 0.8× applied/s of the same with EVENT_JOURNAL_ENABLED=false',
      measured: `${f0(journal.reports.aMed)} / ${f0(journal.reports.bMed)} reports/s = ${f2(journal.reports.ratio)}×; p99 per batch ${f1(journal.reports.aP99)} / ${f1(journal.reports.bP99)} ms; ~${f0(journal.eventsPerFlipRun)} events per run with the journal on; ${journal.reports.failedBatches} failed batches`,
      ok: journal.reports.ratio >= 0.8 && journal.reports.failedBatches === 0,
    },
    {
      target: 'list (4 connections) during flipping reports, journal on: ≥ 0.95× of the same with the journal off',
      measured: `${f0(median(journal.listJournalOn))} / ${f0(median(journal.listJournalOff))} req/s = ${f2(journal.listRatio)}×`,
      ok: journal.listRatio >= 0.95,
    },
    {
      target: 'reports (heartbeats): ≥ 50% of a raw mysql2 server doing one INSERT … ON DUPLICATE KEY UPDATE per batch',
      measured: `${f0(raw.aMed)} / ${f0(raw.bMed)} reports/s = ${(raw.ratio * 100).toFixed(0)}%; p99 per batch ${f1(raw.aP99)} / ${f1(raw.bP99)} ms; server CPU ${f0(raw.aCpu)}% / ${f0(raw.bCpu)}%`,
      ok: raw.ratio >= 0.5 && raw.failedBatches === 0,
    },
    {
      target:
        "1,000 event-stream subscribers: p99 from the report's answer to delivery ≤ 250 ms, every event to every subscriber; journal queries/s not growing with subscribers",
      measured: `p50 ${f1(sse.many.p50)} ms, p99 ${f1(sse.many.p99)} ms (10 subscribers: ${f1(sse.few.p50)} / ${f1(sse.few.p99)} ms); ${f0(sse.many.deliveries)} of ${f0(sse.many.expected)} deliveries; journal queries ${f1(sse.few.journalQueriesPerSecond)}/s with 10, ${f1(sse.many.journalQueriesPerSecond)}/s with 1,000; server RSS ${f0(sse.many.serverRssMb)} MB with 1,000 (${f0(sse.few.serverRssMb)} MB with 10)`,
      ok: sse.many.p99 <= 250 && delivered && sse.many.journalQueriesPerSecond <= sse.few.journalQueriesPerSecond * 1.2 + 1,
    },
    {
      target: `takeover: kill -9 of one of two replicas mid-start of ${f0(takeover.subtasks)} subtasks, all running (reported; bounded by the ${f0(takeover.leaseMs / 1000)} s lease)`,
      measured: `killed at ${f0(takeover.runningAtEvent)} running (${f0(takeover.leasedAtEvent)} not running under a live lease); all running ${s1(takeover.untilAllRunningMs)} after the kill, ${s1(takeover.startToAllRunningMs)} after the start`,
      ok: takeover.untilAllRunningMs !== null && takeover.untilAllRunningMs <= takeover.leaseMs + takeover.retryMaxMs,
    },
    {
      target: `ops outage of ${f0((outage.outageMs ?? 0) / 1000)} s mid-start: all running ≤ OPS_RETRY_MAX_MS (${f0(outage.retryMaxMs / 1000)} s) after the ops service returns`,
      measured: `outage from ${f0(outage.runningAtEvent)} running; all running ${s1(outage.untilAllRunningMs)} after its return, ${s1(outage.startToAllRunningMs)} after the start`,
      ok: outage.untilAllRunningMs !== null && outage.untilAllRunningMs <= outage.retryMaxMs,
    },
  ];
}

export function renderAdded(r: AddedResults): string {
  const lines: string[] = [];
  lines.push('## Edge, event journal, streams, recovery', '');
  lines.push('| case | figures | notes |');
  lines.push('|---|---|---|');
  const { edge, journal, raw, sse, takeover, outage } = r;
  lines.push(
    `| GET /tasks offset 0, 16 connections, Origin header: CORS + rate limiter (limit ${HIGH_LIMIT}/min) on vs off | on ${f0(median(edge.onRps))} req/s (p50 ${f1(edge.on.p50)} / p99 ${f1(edge.on.p99)} ms), off ${f0(median(edge.offRps))} req/s (p50 ${f1(edge.off.p50)} / p99 ${f1(edge.off.p99)} ms) | headers on: ${edge.onHeaders.join(', ')}; off: ${edge.offHeaders.join(', ')}. Security headers have no switch: on in both |`,
  );
  lines.push(
    `| POST /internal/subtask-reports, every report flips running ↔ failed (one event each), 4 senders × 500: journal on vs EVENT_JOURNAL_ENABLED=false | on ${f0(journal.reports.aMed)} reports/s (p99 ${f1(journal.reports.aP99)} ms/batch, CPU ${f0(journal.reports.aCpu)}%), off ${f0(journal.reports.bMed)} reports/s (p99 ${f1(journal.reports.bP99)} ms, CPU ${f0(journal.reports.bCpu)}%) | both mark and re-derive the task statuses. InnoDB row lock waits: ${f0(journal.reports.rowLockWaits[0])} (${f0(journal.reports.rowLockMs[0])} ms) on, ${f0(journal.reports.rowLockWaits[1])} (${f0(journal.reports.rowLockMs[1])} ms) off. List alongside (4 connections): ${f0(median(journal.listJournalOn))} vs ${f0(median(journal.listJournalOff))} req/s |`,
  );
  lines.push(
    `| reports (heartbeats) vs raw mysql2: one INSERT … ON DUPLICATE KEY UPDATE per batch on a copy of the report columns | ours ${f0(raw.aMed)} reports/s (CPU ${f0(raw.aCpu)}%), raw ${f0(raw.bMed)} reports/s (CPU ${f0(raw.bCpu)}%) | same batches from the same tracked states; raw applies generation and reported_at rules in the upsert |`,
  );
  for (const s of [sse.few, sse.many]) {
    lines.push(
      `| GET /events/stream ×${f0(s.subscribers)} (kind=subtask.state), ${sse.batchesPerSecond} batches/s × ${sse.batch} flips | answer → delivery p50 ${f1(s.p50)} / p90 ${f1(s.p90)} / p99 ${f1(s.p99)} / max ${f1(s.max)} ms | ${f0(s.deliveries)} of ${f0(s.expected)} deliveries (${s.events} events); connected in ${f0(s.connectMs)} ms; journal queries ${f1(s.journalQueriesPerSecond)}/s ${JSON.stringify(s.journalQueries)}; server RSS ${f0(s.serverRssMb)} MB; report p50 ${f1(s.reportP50)} ms |`,
    );
  }
  lines.push(
    `| takeover: two replicas, kill -9 of one mid-start of ${f0(takeover.subtasks)} subtasks | all running ${s1(takeover.untilAllRunningMs)} after the kill | killed at ${f0(takeover.runningAtEvent)} running, ${f0(takeover.leasedAtEvent)} leased; LEASE_MS ${f0(takeover.leaseMs)}; end states ${JSON.stringify(takeover.states)} |`,
  );
  lines.push(
    `| ops outage of ${f0((outage.outageMs ?? 0) / 1000)} s (simulator frozen: calls time out) mid-start of ${f0(outage.subtasks)} | all running ${s1(outage.untilAllRunningMs)} after its return | from ${f0(outage.runningAtEvent)} running; OPS_RETRY_MAX_MS ${f0(outage.retryMaxMs)}; end states ${JSON.stringify(outage.states)} |`,
  );
  lines.push('');
  lines.push('| target | measured | |');
  lines.push('|---|---|---|');
  for (const v of addedVerdicts(r)) lines.push(`| ${v.target} | ${v.measured} | ${v.ok ? '**met**' : '**NOT met**'} |`);
  lines.push('');
  if (r.reportsProfile) lines.push('### Reports profile', '', '```', r.reportsProfile, '```', '');
  return lines.join('\n');
}
