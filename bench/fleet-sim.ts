import { createServer } from 'node:http';
import { OpsSimulator } from '../tools/ops-sim/ops-simulator';

/**
 * The ops simulator of the fleet window case, with its counters readable from another process:
 *   node -r ts-node/register/transpile-only bench/fleet-sim.ts '{"port":…,"statsPort":…,"reportIntervalMs":…,"reportToken":…}'
 * The simulator (tools/ops-sim, no added latency) answers on `port`; `statsPort` answers
 *   GET /summary  records by state, and how many start POSTs / stops reached it per key or id (histograms)
 *   GET /keys     every `subtask_id:generation` with its start POSTs and 201 starts, every id with its stops
 * Both on 127.0.0.1.
 */

interface FleetSimSpec {
  port: number;
  statsPort: number;
  reportIntervalMs: number;
  reportToken: string;
}

const histogram = (counts: Iterable<number>): Record<string, number> => {
  const out: Record<string, number> = {};
  for (const n of counts) out[n] = (out[n] ?? 0) + 1;
  return out;
};

async function main(): Promise<void> {
  const spec = JSON.parse(process.argv[2] ?? '{}') as FleetSimSpec;
  const sim = await OpsSimulator.start({
    port: spec.port,
    latencyMs: 0,
    reportIntervalMs: spec.reportIntervalMs,
    reportToken: spec.reportToken,
    log: () => undefined,
  });
  const stats = createServer((req, res) => {
    const s = sim.stats();
    let body: unknown;
    if (req.url === '/summary') {
      const states: Record<string, number> = {};
      for (const r of sim.records()) states[r.state] = (states[r.state] ?? 0) + 1;
      body = {
        states,
        startPostsPerKey: histogram(s.startPostsByKey.values()),
        startsPerKey: histogram(s.startsByKey.values()),
        stopsPerId: histogram(s.stopsById.values()),
        reportsSent: s.reportsSent,
        reportPostsFailed: s.reportPostsFailed,
        requests: s.requests,
      };
    } else if (req.url === '/keys') {
      body = { startPosts: Object.fromEntries(s.startPostsByKey), starts: Object.fromEntries(s.startsByKey), stops: Object.fromEntries(s.stopsById) };
    } else {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  });
  await new Promise<void>((resolve) => stats.listen(spec.statsPort, '127.0.0.1', resolve));
  const shutdown = () => {
    stats.close();
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
