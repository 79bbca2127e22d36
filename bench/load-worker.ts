import autocannon from 'autocannon';
import { Agent, request } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';

/**
 * The load generator, run by the harness as its own process pinned to the other core:
 *   node -r ts-node/register/transpile-only bench/load-worker.ts '<json spec>'
 * It prints one JSON line with the result. `http` drives autocannon (closed loop with N
 * connections), or, with a rate, evenly paced requests (open loop); `reports` is a set of concurrent senders posting
 * report batches, like ops-service instances do.
 */

export interface HttpSpec {
  kind: 'http';
  url: string;
  method?: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
  connections: number;
  seconds: number;
  /** Requests per second over all connections; absent = as fast as the server answers. */
  rate?: number;
}

export interface ReportsSpec {
  kind: 'reports';
  url: string;
  token: string;
  seconds: number;
  senders: number;
  batch: number;
  /** File with a JSON array of subtask-id arrays, one per sender (its own channel of every task). */
  idsFile: string;
  /** One report in `flipEvery` changes state (running ↔ failed), the rest are heartbeats. */
  flipEvery: number;
  /**
   * With `statesFile` (a JSON array of state arrays, parallel to `idsFile`: each subtask's current
   * state), `flipEvery` is ignored: `flip` sends every subtask the other of running/failed (every
   * report changes state), `hold` sends its current state (a heartbeat). The file is written back
   * at the end, so the next run continues from the states this one left.
   */
  statesFile?: string;
  mode?: 'flip' | 'hold';
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  /** wrk paced mode: sends that could not start on schedule (every connection busy), and the worst delay. */
  lateSends?: number;
  worstLateMs?: number;
  /** reports mode */
  applied?: number;
  ignored?: number;
  statuses?: Record<string, number>;
  bodiesWith5xx?: string[];
}

/**
 * Open loop at a fixed rate: request i is sent at start + i / rate, whatever the answers do, and
 * its latency counts from that scheduled moment (so a stall is not hidden by sending less).
 * autocannon's own rate option is a per-second quota per connection: it sends back to back until
 * the quota is spent, then idles to the next second, so "50% of peak" would really be bursts at
 * full peak, and its latencies those of a saturated server.
 */
async function runPaced(spec: HttpSpec & { rate: number }): Promise<LoadResult> {
  const url = new URL(spec.url);
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const interval = 1000 / spec.rate;
  const total = Math.max(1, Math.round(spec.rate * spec.seconds));
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  const started = performance.now();
  const inFlight: Promise<void>[] = [];
  const send = (scheduled: number): Promise<void> =>
    new Promise<void>((resolve) => {
      const req = request(
        { host: url.hostname, port: url.port, path: url.pathname + url.search, method: spec.method ?? 'GET', headers: spec.headers, agent },
        (res) => {
          res.resume();
          res.on('end', () => {
            latencies.push(performance.now() - scheduled);
            if (!res.statusCode || res.statusCode < 200 || res.statusCode >= 300) non2xx++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        errors++;
        resolve();
      });
      if (spec.body) req.write(spec.body);
      req.end();
    });
  for (let i = 0; i < total; i++) {
    const scheduled = started + i * interval;
    const wait = scheduled - performance.now();
    if (wait > 1) await new Promise((resolve) => setTimeout(resolve, wait));
    inFlight.push(send(scheduled));
  }
  await Promise.all(inFlight);
  agent.destroy();
  return summarize(latencies, (performance.now() - started) / 1000, non2xx, errors);
}

async function runHttp(spec: HttpSpec): Promise<LoadResult> {
  if (spec.rate) return runPaced({ ...spec, rate: spec.rate });
  const result = await autocannon({
    url: spec.url,
    method: spec.method ?? 'GET',
    headers: spec.headers,
    body: spec.body,
    connections: spec.connections,
    duration: spec.seconds,
    pipelining: 1,
    timeout: 30,
  });
  const lat = result.latency;
  return {
    requests: result.requests.total,
    seconds: result.duration,
    rps: result.requests.total / result.duration,
    p50: lat.p50,
    p90: lat.p90,
    p99: lat.p99,
    max: lat.max,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] : 0);

/** Throughput and latency percentiles of one measured run (latencies in ms, any order). */
function summarize(latencies: number[], seconds: number, non2xx: number, errors: number): LoadResult {
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    seconds,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1] ?? 0,
    non2xx,
    errors,
  };
}

async function runReports(spec: ReportsSpec): Promise<LoadResult> {
  const partitions = JSON.parse(readFileSync(spec.idsFile, 'utf8')) as string[][];
  const states = spec.statesFile ? (JSON.parse(readFileSync(spec.statesFile, 'utf8')) as string[][]) : null;
  const url = new URL(spec.url);
  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  const bodiesWith5xx: string[] = [];
  let applied = 0;
  let ignored = 0;
  let errors = 0;
  const started = Date.now();
  const deadline = started + spec.seconds * 1000;

  const sender = async (ids: string[], n: number): Promise<void> => {
    // One keep-alive connection per sender, like one ops-service instance posting in order.
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    let last = 0;
    let cursor = 0;
    let flip = n;
    while (Date.now() < deadline) {
      // Strictly increasing per sender, and each sender owns its subtasks, so every report applies.
      last = Math.max(Date.now(), last + 1);
      const reportedAt = new Date(last).toISOString();
      const reports = [];
      for (let k = 0; k < spec.batch; k++) {
        const id = ids[cursor];
        let failing: boolean;
        if (states) {
          const now = states[n][cursor];
          failing = spec.mode === 'flip' ? now !== 'failed' : now === 'failed';
          states[n][cursor] = failing ? 'failed' : 'running';
          flip++;
        } else {
          failing = ++flip % spec.flipEvery === 0;
        }
        cursor = (cursor + 1) % ids.length;
        reports.push({
          subtask_id: id,
          generation: 1,
          state: failing ? 'failed' : 'running',
          status_reason: failing ? 'stream lost' : null,
          progress: flip % 100,
          reported_at: reportedAt,
        });
      }
      const body = JSON.stringify({ reports });
      const t0 = process.hrtime.bigint();
      try {
        const { status, text } = await post(url, agent, spec.token, body);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        statuses[status] = (statuses[status] ?? 0) + 1;
        if (status >= 200 && status < 300) {
          const answer = JSON.parse(text) as { applied: number; ignored: number };
          applied += answer.applied;
          ignored += answer.ignored;
        } else if (status >= 500 && bodiesWith5xx.length < 5) {
          bodiesWith5xx.push(text.slice(0, 500));
        }
      } catch (error) {
        errors++;
        if (bodiesWith5xx.length < 5) bodiesWith5xx.push(String(error));
      }
    }
    agent.destroy();
  };
  await Promise.all(partitions.slice(0, spec.senders).map((ids, n) => sender(ids, n)));
  if (states && spec.statesFile) writeFileSync(spec.statesFile, JSON.stringify(states));
  const non2xx = Object.entries(statuses)
    .filter(([s]) => !s.startsWith('2'))
    .reduce((a, [, c]) => a + c, 0);
  return {
    ...summarize(latencies, (Date.now() - started) / 1000, non2xx, errors),
    applied,
    ignored,
    statuses,
    bodiesWith5xx,
  };
}

function post(url: URL, agent: Agent, token: string, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: 'POST',
        agent,
        headers: { authorization: token, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      },
    );
    req.setTimeout(30_000, () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]) as HttpSpec | ReportsSpec;
  const result = spec.kind === 'http' ? await runHttp(spec) : await runReports(spec);
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
