import { join } from 'node:path';
import type { HttpSpec, LoadResult, ReportsSpec } from './load-worker';
import { spawnNode, UsageWindow } from './procs';

export type { HttpSpec, LoadResult, ReportsSpec };

export interface Measured extends LoadResult {
  /** The server's CPU (% of one core) and peak RSS over the load window. */
  cpuPercent: number;
  rssMb: number;
}

const WORKER = join(__dirname, 'load-worker.ts');

/** Runs one load in a separate process on `core` while sampling the server process `serverPid`. */
export async function runLoad(core: string, serverPid: number, spec: HttpSpec | ReportsSpec): Promise<Measured> {
  const worker = spawnNode(core, ['-r', 'ts-node/register/transpile-only', WORKER, JSON.stringify(spec)], { ...process.env, TS_NODE_TRANSPILE_ONLY: 'true' }, 'load worker');
  const usage = new UsageWindow(serverPid);
  const code = await worker.exited;
  const window = usage.end();
  const line = worker.log.trim().split('\n').pop() ?? '';
  if (code !== 0) throw new Error(`load worker failed (${code}):\n${worker.log}`);
  const result = JSON.parse(line) as LoadResult;
  // The window also spans the worker's start-up, when the server idles: CPU% is over the load's own seconds.
  return { ...result, cpuPercent: (window.cpuSeconds / result.seconds) * 100, rssMb: window.rssMb };
}
