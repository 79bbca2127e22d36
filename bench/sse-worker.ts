import { Agent, get, request, type IncomingMessage } from 'node:http';
import { readFileSync, writeFileSync } from 'node:fs';

/**
 * Event-stream subscribers and a state-flipping report sender in one process (pinned to the load
 * core), so the report's answer and each delivery are timed on one clock:
 *   node -r ts-node/register/transpile-only bench/sse-worker.ts '<json spec>'
 * Opens `subscribers` streams on GET /events/stream (http.get, one socket each), then posts
 * `batchesPerSecond` evenly paced batches of `batch` reports, each flipping one subtask between
 * running and failed; every `subtask.state` event is matched to its report by subtask_id and
 * state, and its latency is from the report's HTTP answer to the frame's arrival at the client.
 * Prints one JSON line.
 */

export interface SseSpec {
  streamUrl: string;
  reportsUrl: string;
  metricsUrl: string;
  token: string;
  internalToken: string;
  subscribers: number;
  /** One sender's subtask ids and their current states (written back at the end). */
  idsFile: string;
  statesFile: string;
  batch: number;
  batchesPerSecond: number;
  seconds: number;
  /** The service's pid, for its RSS while every subscriber is connected. */
  serverPid: number;
}

export interface SseResult {
  subscribers: number;
  connected: number;
  connectMs: number;
  events: number;
  deliveries: number;
  expected: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  /** Deliveries that reached a client before the report's answer reached the sender. */
  beforeAnswer: number;
  reportP50: number;
  reportP99: number;
  nonOk: number;
  journalQueriesPerSecond: number;
  journalQueries: Record<string, number>;
  serverRssMb: number;
  seconds: number;
}

const percentile = (sorted: number[], p: number) => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))] : 0);

async function journalQueries(spec: SseSpec): Promise<Record<string, number>> {
  const res = await fetch(spec.metricsUrl, { headers: { authorization: spec.token } });
  const text = await res.text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^journal_queries_total\{query="([^"]+)"\} ([0-9.eE+-]+)$/gm)) out[m[1]] = Number(m[2]);
  return out;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2]) as SseSpec;
  const ids = JSON.parse(readFileSync(spec.idsFile, 'utf8')) as string[];
  const states = JSON.parse(readFileSync(spec.statesFile, 'utf8')) as string[];
  /** `subtask_id:state` → when the report's answer arrived (ms, performance.now()). */
  const answered = new Map<string, number>();
  /** `subtask_id:state` → arrival times at the clients. */
  const arrivals = new Map<string, number[]>();
  const sent = new Set<string>();
  let deliveries = 0;
  const responses: IncomingMessage[] = [];

  // --- subscribers ---
  const t0 = performance.now();
  let connected = 0;
  const open = () =>
    new Promise<void>((resolve, reject) => {
      const req = get(spec.streamUrl, { agent: false, headers: { accept: 'text/event-stream' } }, (res) => {
        if (res.statusCode !== 200) {
          reject(new Error(`stream answered ${res.statusCode}`));
          res.resume();
          return;
        }
        responses.push(res);
        res.setEncoding('utf8');
        let buffer = '';
        let ready = false;
        res.on('data', (chunk: string) => {
          const at = performance.now();
          buffer += chunk;
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            if (!ready && frame.includes(': connected')) {
              ready = true;
              connected++;
              resolve();
              continue;
            }
            if (!frame.includes('event: subtask.state')) continue;
            const line = frame.split('\n').find((l) => l.startsWith('data: '));
            if (!line) continue;
            const event = JSON.parse(line.slice(6)) as { subtask_id: string; to: string };
            const key = `${event.subtask_id}:${event.to}`;
            if (!sent.has(key)) continue;
            deliveries++;
            const list = arrivals.get(key);
            if (list) list.push(at);
            else arrivals.set(key, [at]);
          }
        });
        res.on('error', () => undefined);
      });
      req.on('error', reject);
    });
  // 50 at a time: a burst of 1,000 connects would only measure the accept queue.
  for (let i = 0; i < spec.subscribers; i += 50) await Promise.all(Array.from({ length: Math.min(50, spec.subscribers - i) }, open));
  const connectMs = performance.now() - t0;

  // --- report sender ---
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const url = new URL(spec.reportsUrl);
  const reportLatencies: number[] = [];
  let nonOk = 0;
  let cursor = 0;
  let last = 0;
  const queriesBefore = await journalQueries(spec);
  const started = performance.now();
  const total = Math.max(1, Math.round(spec.batchesPerSecond * spec.seconds));
  let serverRssMb = 0;
  for (let i = 0; i < total; i++) {
    const wait = started + (i * 1000) / spec.batchesPerSecond - performance.now();
    if (wait > 1) await new Promise((r) => setTimeout(r, wait));
    last = Math.max(Date.now(), last + 1);
    const reports = [];
    const keys: string[] = [];
    for (let k = 0; k < spec.batch; k++) {
      const next = states[cursor] === 'failed' ? 'running' : 'failed';
      states[cursor] = next;
      keys.push(`${ids[cursor]}:${next}`);
      reports.push({
        subtask_id: ids[cursor],
        generation: 1,
        state: next,
        status_reason: next === 'failed' ? 'stream lost' : null,
        progress: i % 100,
        reported_at: new Date(last).toISOString(),
      });
      cursor = (cursor + 1) % ids.length;
    }
    for (const key of keys) sent.add(key);
    const body = JSON.stringify({ reports });
    const sentAt = performance.now();
    const status = await new Promise<number>((resolve) => {
      const req = request(
        {
          host: url.hostname,
          port: url.port,
          path: url.pathname,
          method: 'POST',
          agent,
          headers: { authorization: spec.internalToken, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', () => resolve(0));
      req.end(body);
    });
    const at = performance.now();
    reportLatencies.push(at - sentAt);
    if (status < 200 || status >= 300) nonOk++;
    for (const key of keys) answered.set(key, at);
    if (i === Math.floor(total / 2)) serverRssMb = rssMb(spec.serverPid);
  }
  const seconds = (performance.now() - started) / 1000;
  // The last events reach the stream within a tick or two: give them a moment to arrive.
  await new Promise((r) => setTimeout(r, 1500));
  const queriesAfter = await journalQueries(spec);
  const windowSeconds = (performance.now() - started) / 1000;
  agent.destroy();
  for (const res of responses) res.destroy();

  const latencies: number[] = [];
  let beforeAnswer = 0;
  for (const [key, times] of arrivals) {
    const answer = answered.get(key);
    if (answer === undefined) continue;
    for (const t of times) {
      if (t < answer) beforeAnswer++;
      latencies.push(Math.max(0, t - answer));
    }
  }
  latencies.sort((a, b) => a - b);
  reportLatencies.sort((a, b) => a - b);
  const journal: Record<string, number> = {};
  for (const [k, v] of Object.entries(queriesAfter)) journal[k] = v - (queriesBefore[k] ?? 0);
  const result: SseResult = {
    subscribers: spec.subscribers,
    connected,
    connectMs,
    events: sent.size,
    deliveries,
    expected: sent.size * spec.subscribers,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1] ?? 0,
    beforeAnswer,
    reportP50: percentile(reportLatencies, 50),
    reportP99: percentile(reportLatencies, 99),
    nonOk,
    journalQueriesPerSecond: Object.values(journal).reduce((a, b) => a + b, 0) / windowSeconds,
    journalQueries: journal,
    serverRssMb,
    seconds,
  };
  writeFileSync(spec.statesFile, JSON.stringify(states));
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
