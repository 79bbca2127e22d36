import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import type { HttpSpec, LoadResult, ReportsSpec } from './load-worker';
import { ManagedProcess, spawnNode, spawnPinned, UsageWindow } from './procs';

export type { HttpSpec, LoadResult, ReportsSpec };

export interface Measured extends LoadResult {
  /** The server's CPU (% of one core) and peak RSS over the load window. */
  cpuPercent: number;
  rssMb: number;
}

const WORKER = join(__dirname, 'load-worker.ts');
const WRK_SCRIPT = join(__dirname, 'wrk-paced.lua');

/**
 * wrk's version banner ("wrk debian/4.1.0-3+b2 [epoll] …", printed with exit code 1), or null
 * when wrk (Debian package `wrk`) is not installed: it paces fixed-rate loads when it is.
 */
export const WRK_VERSION = (() => {
  const run = spawnSync('wrk', ['--version'], { encoding: 'utf8' });
  return run.error ? null : run.stdout.split('\n')[0].split(' Copyright')[0].trim() || 'wrk';
})();
export const HAS_WRK = WRK_VERSION !== null;

/**
 * Connections for a paced load: enough that a free one is there for every slot even while the
 * server stalls for up to PACED_CONNECTIONS / rate seconds (late sends are counted beyond that).
 */
export const PACED_CONNECTIONS = 64;

/** A fixed-rate load with wrk and bench/wrk-paced.lua (one thread: its own C event loop). */
function wrkProcess(core: string, spec: HttpSpec & { rate: number }): ManagedProcess {
  const args = ['-t1', `-c${PACED_CONNECTIONS}`, `-d${Math.max(1, Math.round(spec.seconds))}s`, '--timeout', '30s', '-s', WRK_SCRIPT];
  for (const [name, value] of Object.entries(spec.headers ?? {})) args.push('-H', `${name}: ${value}`);
  args.push(spec.url);
  return spawnPinned(core, 'wrk', args, { ...process.env, RATE: String(spec.rate) }, 'wrk');
}

/** Runs one load in a separate process on `core` while sampling the server process `serverPid`. */
export async function runLoad(core: string, serverPid: number, spec: HttpSpec | ReportsSpec): Promise<Measured> {
  const paced = spec.kind === 'http' && spec.rate !== undefined && HAS_WRK;
  const worker = paced
    ? wrkProcess(core, spec as HttpSpec & { rate: number })
    : spawnNode(
        core,
        ['-r', 'ts-node/register/transpile-only', WORKER, JSON.stringify(spec)],
        { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' },
        'load worker',
      );
  const usage = new UsageWindow(serverPid);
  const code = await worker.exited;
  const window = usage.end();
  const line = worker.log.trim().split('\n').pop() ?? '';
  if (code !== 0) throw new Error(`load worker failed (${code}):\n${worker.log}`);
  const parsed = JSON.parse(line) as LoadResult;
  const result = paced ? { ...parsed, rps: parsed.requests / parsed.seconds } : parsed;
  // The window also spans the worker's start-up, when the server idles: CPU% is over the load's own seconds.
  return { ...result, cpuPercent: (window.cpuSeconds / result.seconds) * 100, rssMb: window.rssMb };
}
