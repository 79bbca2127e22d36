import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import type { BenchConfig } from './config';
import { captureStatements, connect, DB_HOST } from './db';
import { describeGc, type GcWindow, gcWindow, readGc } from './gc';
import { type HttpSpec, type Measured, type ReportsSpec, runLoad } from './load';
import { onInterrupt, pinDatabaseServer, procUsage, sleep } from './procs';
import { CHANNELS } from './seed';
import { INTERNAL_TOKEN, TOKEN } from './servers';
import { medianRun, summarize, type Summary } from './stats';

const log = (msg: string) => process.stderr.write(`[bench] ${msg}\n`);

export interface Target {
  name: 'ours' | 'baseline';
  port: number;
  pid: number;
}

export interface ListResult {
  offset: number;
  size: number;
  ours: Summary;
  baseline: Summary;
  /** At half of the target's own peak rate (open loop), median of `runs` back-to-back runs after a warm-up. */
  oursHalf: Measured;
  baselineHalf: Measured;
  /** Each half-peak run, and the service's GC in each (same order). */
  oursHalfRuns: Measured[];
  oursHalfGc: GcWindow[];
  baselineHalfRuns: Measured[];
  /** At a light fixed rate, where p50 is close to the cost of one request. */
  oursLight: Measured;
  /** Where the database ran during the fixed-rate runs. */
  fixedRateDatabase: string;
}

const listUrl = (port: number, offset: number) => `http://127.0.0.1:${port}/tasks?offset=${offset}&limit=10`;
const auth = { authorization: TOKEN };
export const LIGHT_RATE = 20;
const HALF_PEAK_WARMUP_SECONDS = 10;

function httpSpec(cfg: BenchConfig, url: string, seconds: number, rate?: number, connections = cfg.connections): HttpSpec {
  return { kind: 'http', url, headers: auth, connections, seconds, rate };
}

/**
 * Loads `target` with the other servers frozen (SIGSTOP, then SIGCONT): both sit on one core, and an
 * idle Node process is not idle for long — V8's memory reducer runs a compacting GC a few seconds
 * after its load stops, which landed in the other server's measurement (p99 23 ms against 3.5 ms).
 */
export async function loadAlone(cfg: BenchConfig, targets: readonly Target[], target: Target, spec: HttpSpec | ReportsSpec): Promise<Measured> {
  const others = targets.filter((t) => t !== target);
  for (const t of others) process.kill(t.pid, 'SIGSTOP');
  try {
    return await runLoad(cfg.loadCore, target.pid, spec);
  } finally {
    for (const t of others) process.kill(t.pid, 'SIGCONT');
  }
}

/**
 * Runs the fixed-rate (latency) measurements with the local database server pinned to the load
 * core, so the server under test has its core to itself. Sharing it, MariaDB's threads and the
 * service preempt each other and the tail is theirs (offset 0 at 640 req/s: p99 2.9–12 ms shared,
 * 2.6–2.8 ms pinned). Peak throughput runs leave the database on both cores, where it is not the
 * limit. The previous affinity is restored afterwards, also when the bench is interrupted.
 */
async function withDatabaseOnLoadCore<T>(cfg: BenchConfig, work: (where: string) => Promise<T>): Promise<T> {
  const local = ['127.0.0.1', 'localhost', '::1'].includes(DB_HOST);
  const pin = local ? pinDatabaseServer(cfg.loadCore) : { reason: `the database is not on this machine (${DB_HOST})` };
  if ('reason' in pin) {
    log(`database not pinned for the fixed-rate runs: ${pin.reason}`);
    return work(`shared cores (not pinned: ${pin.reason})`);
  }
  process.once('exit', pin.restore);
  const forget = onInterrupt(pin.restore);
  try {
    return await work(`pinned to core ${cfg.loadCore} with the load generator`);
  } finally {
    process.removeListener('exit', pin.restore);
    forget();
    pin.restore();
  }
}

/**
 * The list at each offset. Peak runs alternate ours and the baseline run by run, so drift on a noisy
 * machine hits both alike; fixed-rate runs go back to back per server. Both servers sit on one
 * core, and the one not under load is frozen meanwhile (loadAlone).
 */
export async function listCases(cfg: BenchConfig, targets: Target[], offsets: number[], size: number): Promise<ListResult[]> {
  const runs = new Map<string, Measured[]>();
  const key = (t: Target, o: number) => `${t.name}:${o}`;
  for (const offset of offsets) {
    for (const t of targets) {
      log(`warm-up ${t.name} offset=${offset}`);
      await loadAlone(cfg, targets, t, httpSpec(cfg, listUrl(t.port, offset), cfg.warmupSeconds));
      runs.set(key(t, offset), []);
    }
  }
  for (let r = 0; r < cfg.runs; r++) {
    for (const offset of offsets) {
      for (const t of targets) {
        const m = await loadAlone(cfg, targets, t, httpSpec(cfg, listUrl(t.port, offset), cfg.runSeconds));
        runs.get(key(t, offset))!.push(m);
        log(`run ${r + 1}/${cfg.runs} ${t.name} offset=${offset}: ${m.rps.toFixed(0)} req/s p50 ${m.p50} ms p99 ${m.p99} ms non2xx ${m.non2xx}`);
      }
    }
  }
  return withDatabaseOnLoadCore(cfg, async (fixedRateDatabase) => {
    const results: ListResult[] = [];
    for (const offset of offsets) {
      const [ours, baseline] = targets.map((t) => summarize(runs.get(key(t, offset))!));
      const oursHalfGc: GcWindow[] = [];
      // Each server's runs back to back after one warm-up longer than V8's memory-reducer delay
      // (8 s): interleaved with the other server's, each run followed ~10 s without load, and the
      // reducer, judging the allocation rate over that window, started a compacting GC a few
      // seconds into the next run (two mark-compacts, p99 71 ms against 3–5 ms without).
      const halfRuns = async (t: Target, s: Summary): Promise<Measured[]> => {
        const rate = Math.max(1, Math.round(s.rps / 2));
        await loadAlone(cfg, targets, t, httpSpec(cfg, listUrl(t.port, offset), HALF_PEAK_WARMUP_SECONDS, rate));
        const measured: Measured[] = [];
        for (let r = 0; r < cfg.runs; r++) {
          // Only the service has /metrics; read between runs, outside the measured window.
          const gcBefore = t.name === 'ours' ? await readGc(t.port, TOKEN) : undefined;
          const m = await loadAlone(cfg, targets, t, httpSpec(cfg, listUrl(t.port, offset), cfg.runSeconds, rate));
          const gc = gcBefore && gcWindow(gcBefore, await readGc(t.port, TOKEN), m.seconds);
          if (gc) oursHalfGc.push(gc);
          log(
            `run ${r + 1}/${cfg.runs} ${t.name} offset=${offset} at ${rate} req/s: p50 ${m.p50} ms p99 ${m.p99} ms, late sends ${m.lateSends ?? '-'}${gc ? `; ${describeGc(gc)}` : ''}`,
          );
          measured.push(m);
        }
        return measured;
      };
      const oursHalfRuns = await halfRuns(targets[0], ours);
      const baselineHalfRuns = await halfRuns(targets[1], baseline);
      const oursHalf = medianRun(oursHalfRuns);
      const baselineHalf = medianRun(baselineHalfRuns);
      const oursLight = await loadAlone(cfg, targets, targets[0], httpSpec(cfg, listUrl(targets[0].port, offset), cfg.runSeconds, LIGHT_RATE, 4));
      log(`ours offset=${offset} at ${LIGHT_RATE} req/s: p50 ${oursLight.p50} ms p99 ${oursLight.p99} ms`);
      results.push({ offset, size, ours, baseline, oursHalf, oursHalfRuns, oursHalfGc, baselineHalf, baselineHalfRuns, oursLight, fixedRateDatabase });
    }
    return results;
  });
}

export interface JsonCheck {
  offset: number;
  identical: boolean;
  bytes: number;
  /** The page holds the ids the plain `ORDER BY create_dt DESC, id DESC LIMIT 10 OFFSET n` gives. */
  plainOffsetPage: boolean;
}

/**
 * Ours and the baseline must answer the same bytes, or the ratio compares different work; and the
 * page must be the one a plain OFFSET query finds, since past the first page both locate it by
 * per-day counts instead.
 */
export async function compareJson(database: string, targets: Target[], offsets: number[]): Promise<JsonCheck[]> {
  const out: JsonCheck[] = [];
  const conn = await connect(database);
  try {
    for (const offset of offsets) {
      const [a, b] = await Promise.all(targets.map(async (t) => (await fetch(listUrl(t.port, offset), { headers: auth })).text()));
      const [plain] = await conn.query<RowDataPacket[]>('SELECT id FROM tb_task WHERE deleted_dt IS NULL ORDER BY create_dt DESC, id DESC LIMIT 10 OFFSET ?', [
        offset,
      ]);
      const listed = (JSON.parse(a) as { list_data: { task_id: string }[] }).list_data.map((task) => task.task_id);
      out.push({ offset, identical: a === b, bytes: a.length, plainOffsetPage: JSON.stringify(listed) === JSON.stringify(plain.map((r): unknown => r.id)) });
      if (a !== b) {
        writeFileSync(join(tmpdir(), `bench-ours-${offset}.json`), a);
        writeFileSync(join(tmpdir(), `bench-baseline-${offset}.json`), b);
        log(`offset ${offset}: ours and baseline differ (bodies in ${tmpdir()}/bench-*-${offset}.json)`);
      }
    }
  } finally {
    await conn.end();
  }
  return out;
}

/**
 * The statements each server sends for one list request at each offset, from MariaDB's general
 * log: the baseline must send the same ones (order aside: some run in parallel). The statements
 * shown are those at the first offset.
 */
export async function compareSql(targets: Target[], offsets: number[]): Promise<{ identical: boolean; offsets: number[]; statements: string[] }> {
  let identical = true;
  let shown: string[] = [];
  for (const offset of offsets) {
    const captured = [];
    for (const t of targets)
      captured.push(
        (await captureStatements(() => fetch(listUrl(t.port, offset), { headers: auth }).then((r) => r.text()))).map((q) => q.replace(/\s+/g, ' ').trim()),
      );
    const [ours, baseline] = captured.map((list) => [...list].sort());
    if (JSON.stringify(ours) !== JSON.stringify(baseline)) {
      identical = false;
      log(`list SQL at offset ${offset} differs:\nours:\n${ours.join('\n')}\nbaseline:\n${baseline.join('\n')}`);
    }
    if (offset === offsets[0]) shown = captured[0];
  }
  return { identical, offsets, statements: shown };
}

// ------------------------------------------------------------------ POST /tasks

const xml = (root: string, bytes: number, seed: number) => {
  let body = '';
  for (let i = 0; body.length < bytes; i++) body += `<point x="${(seed * 31 + i * 17) % 1920}" y="${(seed * 7 + i * 13) % 1080}"/>`;
  return `<${root}>${body}</${root}>`;
};

/** A video task with `channels` channels and `mtasks` mtasks, each with one scene per channel (0.5–2 KB XML each). */
export function taskBody(channels: number, mtasks: number, name = 'Bench create'): Record<string, unknown> {
  const vchans = Array.from({ length: channels }, (_, i) => ({ vchan_refid: `cam-${i + 1}`, name: `Camera ${i + 1}` }));
  const perMtask = Math.ceil(channels / Math.ceil(channels / 256));
  const groups = mtasks > 0 ? mtasks : Math.ceil(channels / perMtask);
  return {
    task_name: name,
    algo_type: '1',
    run_dt: '2020-01-01 00:00:00.000',
    play_url: 'rtsp://10.0.0.5:8554/live',
    store_conf_unid: 'store-1',
    vchans,
    mtasks: Array.from({ length: groups }, (_, m) => ({
      name: `mtask ${m}`,
      type: 0,
      time_interval: 5,
      scenes: (mtasks > 0 ? vchans : vchans.slice(m * perMtask, (m + 1) * perMtask)).map((v, i) => {
        const size = channels > 100 ? 100 : 500 + ((i * 97 + m * 31) % 1500);
        return {
          name: `scene ${m}-${i}`,
          algo_type: 1,
          vchan_refid: v.vchan_refid,
          rois: [{ roi: xml('roi', size * 0.3, i) }, { roi: xml('roi', size * 0.2, i + 1) }],
          callibration: { calibration: xml('calibration', size * 0.3, i + 2) },
          config: { xml: xml('config', size * 0.2, i + 3) },
        };
      }),
    })),
  };
}

export interface CreateResult {
  summary: Summary;
  statements: string[];
  channels: number;
  scenes: number;
}

export async function createCase(cfg: BenchConfig, target: Target): Promise<CreateResult> {
  const body = JSON.stringify(taskBody(16, 2));
  const post = () =>
    fetch(`http://127.0.0.1:${target.port}/tasks`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body }).then(async (r) => {
      const text = await r.text();
      if (!r.ok) throw new Error(`create answered ${r.status}: ${text}`);
    });
  await post(); // first create warms the code path
  const statements = await captureStatements(post);
  log(`one create = ${statements.length} SQL statements`);
  const spec: HttpSpec = {
    kind: 'http',
    url: `http://127.0.0.1:${target.port}/tasks`,
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body,
    connections: cfg.createConnections,
    seconds: cfg.warmupSeconds,
  };
  await runLoad(cfg.loadCore, target.pid, spec);
  const runs: Measured[] = [];
  for (let r = 0; r < cfg.runs; r++) {
    const m = await runLoad(cfg.loadCore, target.pid, { ...spec, seconds: cfg.runSeconds });
    log(`create run ${r + 1}/${cfg.runs}: ${m.rps.toFixed(0)} tasks/s p50 ${m.p50} ms p99 ${m.p99} ms non2xx ${m.non2xx}`);
    runs.push(m);
  }
  return { summary: summarize(runs), statements, channels: 16, scenes: 32 };
}

// ------------------------------------------------------------------ POST /internal/subtask-reports

export interface ReportsResult {
  summary: Summary;
  reportsPerSecond: number;
  reportsMin: number;
  reportsMax: number;
  applied: number;
  ignored: number;
  non2xx: number;
  deadlocks: number;
  bodiesWith5xx: string[];
}

/** Subtask ids of the seeded running subtasks, one list per channel: sender k reports channel k of every task. */
async function writeReportIds(cfg: BenchConfig): Promise<string> {
  const conn = await connect(cfg.database);
  try {
    const [rows] = await conn.query<RowDataPacket[]>(
      'SELECT id, vchan_refid FROM tb_subtask WHERE generation = 1 AND desired_state = ? ORDER BY task_id, position',
      ['run'],
    );
    const lists = CHANNELS.map((c) => rows.filter((r) => r.vchan_refid === c).map((r) => String(r.id)));
    const file = join(tmpdir(), 'bench-report-ids.json');
    writeFileSync(file, JSON.stringify(lists));
    log(`reports: ${lists.map((l) => l.length).join(' + ')} subtasks`);
    return file;
  } finally {
    await conn.end();
  }
}

async function innodbDeadlocks(): Promise<number> {
  const conn = await connect();
  try {
    const [rows] = await conn.query<RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Innodb_deadlocks'");
    return Number(rows[0]?.Value ?? 0);
  } finally {
    await conn.end();
  }
}

export async function reportsCase(cfg: BenchConfig, target: Target, runsWanted = cfg.runs): Promise<ReportsResult> {
  const idsFile = await writeReportIds(cfg);
  const spec = {
    kind: 'reports' as const,
    url: `http://127.0.0.1:${target.port}/internal/subtask-reports`,
    token: INTERNAL_TOKEN,
    senders: cfg.reportSenders,
    batch: cfg.reportBatch,
    idsFile,
    flipEvery: 50,
    seconds: cfg.warmupSeconds,
  };
  const deadlocksBefore = await innodbDeadlocks();
  await runLoad(cfg.loadCore, target.pid, spec);
  const runs: Measured[] = [];
  for (let r = 0; r < runsWanted; r++) {
    const m = await runLoad(cfg.loadCore, target.pid, { ...spec, seconds: cfg.runSeconds });
    log(
      `reports run ${r + 1}/${runsWanted}: ${((m.applied ?? 0) / m.seconds).toFixed(0)} reports/s applied, ${m.rps.toFixed(1)} batches/s, p50 ${m.p50.toFixed(1)} ms p99 ${m.p99.toFixed(1)} ms, statuses ${JSON.stringify(m.statuses)}`,
    );
    runs.push(m);
  }
  const perSecond = runs.map((m) => (m.applied ?? 0) / m.seconds);
  const sorted = [...perSecond].sort((a, b) => a - b);
  return {
    summary: summarize(runs),
    reportsPerSecond: sorted.length % 2 ? sorted[(sorted.length - 1) / 2] : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2,
    reportsMin: sorted[0],
    reportsMax: sorted[sorted.length - 1],
    applied: runs.reduce((a, m) => a + (m.applied ?? 0), 0),
    ignored: runs.reduce((a, m) => a + (m.ignored ?? 0), 0),
    non2xx: runs.reduce((a, m) => a + m.non2xx + m.errors, 0),
    deadlocks: (await innodbDeadlocks()) - deadlocksBefore,
    bodiesWith5xx: runs.flatMap((m) => m.bodiesWith5xx ?? []).slice(0, 5),
  };
}

// ------------------------------------------------------------------ start of a big task

export interface StartResult {
  subtasks: number;
  createMs: number;
  configCompleteMs: number;
  startAnswerMs: number;
  allRunningMs: number | null;
  dispatchesPerSecond: number | null;
  running: number;
  states: Record<string, number>;
  serverRssMb: number;
}

export async function api(port: number, method: string, path: string, body?: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { ...auth, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json).slice(0, 500)}`);
  return json;
}

/**
 * POST /tasks with `n` channels, 配置完成 on every subtask through the API (8 in flight), then
 * POST /tasks/{id}/start; the harness then reads the subtask states from the database every
 * 50 ms (not through the API, so polling adds no load to the server) until all run.
 */
export async function startCase(cfg: BenchConfig, target: Target): Promise<StartResult> {
  const n = cfg.startSubtasks;
  let t = Date.now();
  const { task_id: taskId } = (await api(target.port, 'POST', '/tasks', taskBody(n, 0, 'Bench start'))) as { task_id: string };
  const createMs = Date.now() - t;
  const { list_data: subtasks } = (await api(target.port, 'GET', `/tasks/${taskId}/subtasks`)) as { list_data: { subtask_id: string }[] };
  t = Date.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      while (next < subtasks.length) await api(target.port, 'POST', `/subtasks/${subtasks[next++].subtask_id}/config-complete`);
    }),
  );
  const configCompleteMs = Date.now() - t;
  log(`start case: created ${n} subtasks in ${createMs} ms, 配置完成 on all in ${configCompleteMs} ms`);

  const conn = await connect(cfg.database);
  try {
    const started = Date.now();
    await api(target.port, 'POST', `/tasks/${taskId}/start`);
    const startAnswerMs = Date.now() - started;
    let states: Record<string, number> = {};
    let allRunningMs: number | null = null;
    while (Date.now() - started < 120_000) {
      const [rows] = await conn.query<RowDataPacket[]>('SELECT state, COUNT(*) AS n FROM tb_subtask WHERE task_id = ? GROUP BY state', [taskId]);
      states = Object.fromEntries(rows.map((r) => [String(r.state), Number(r.n)]));
      if ((states.running ?? 0) === n) {
        allRunningMs = Date.now() - started;
        break;
      }
      await sleep(50);
    }
    log(`start case: ${allRunningMs === null ? 'NOT all running after 120 s' : `all ${n} running after ${allRunningMs} ms`} ${JSON.stringify(states)}`);
    return {
      subtasks: n,
      createMs,
      configCompleteMs,
      startAnswerMs,
      allRunningMs,
      dispatchesPerSecond: allRunningMs === null ? null : n / (allRunningMs / 1000),
      running: states.running ?? 0,
      states,
      serverRssMb: procUsage(target.pid).rssMb,
    };
  } finally {
    await conn.end();
  }
}
