import { join } from 'node:path';
import type { BenchConfig } from './config';
import { DB_HOST, DB_PASSWORD, DB_PORT, DB_USER } from './db';
import { ManagedProcess, spawnNode, waitReady } from './procs';

export const TOKEN = 'bench-admin-token-0001';
export const INTERNAL_TOKEN = 'bench-internal-token';

/** The environment the service runs with in every case: production, logging off, MariaDB. */
function serverEnv(cfg: BenchConfig, extra: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: String(cfg.serverPort),
    DB_TYPE: 'mariadb',
    DB_HOST,
    DB_PORT: String(DB_PORT),
    DB_USER,
    DB_PASSWORD,
    DB_NAME: cfg.database,
    DB_MIGRATIONS_RUN: 'false',
    LOG_LEVEL: 'silent',
    AUTH_TOKENS: `${TOKEN}:admin`,
    INTERNAL_TOKEN,
    // The seeded subtasks never hear from an ops service: they must not turn lost mid-run.
    HEARTBEAT_TIMEOUT_MS: '86400000',
    // The loads are far above the default limits (1,200 requests a minute per token): 0 = unlimited.
    // Only the edge case turns them on (edgeCase in new-cases.ts).
    RATE_LIMIT_PER_MINUTE: '0',
    RATE_LIMIT_REPORTS_PER_MINUTE: '0',
    CORS_ORIGINS: '',
    ...cfg.serverEnv,
    ...extra,
  };
}

/** `node dist/main.js` pinned to the server core; `extraNodeArgs` e.g. --cpu-prof. */
export async function startServer(
  cfg: BenchConfig,
  extra: Record<string, string> = {},
  extraNodeArgs: string[] = [],
  port = cfg.serverPort,
): Promise<ManagedProcess> {
  const proc = spawnNode(
    cfg.serverCore,
    [...cfg.serverNodeArgs, ...extraNodeArgs, join(cfg.distDir, 'main.js')],
    serverEnv(cfg, { ...extra, PORT: String(port) }),
    'server',
  );
  await waitReady(`http://127.0.0.1:${port}/health`, proc, 120_000);
  return proc;
}

/** The raw node:http + mysql2 baseline, pinned to the same core as the service. */
export async function startBaseline(cfg: BenchConfig): Promise<ManagedProcess> {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    NODE_ENV: 'production',
    PORT: String(cfg.baselinePort),
    DB_HOST,
    DB_PORT: String(DB_PORT),
    DB_USER,
    DB_PASSWORD,
    DB_NAME: cfg.database,
    DB_POOL_SIZE: '10',
    TOKEN,
    INTERNAL_TOKEN,
    TIME_ZONE: 'Asia/Shanghai',
    TS_NODE_TRANSPILE_ONLY: 'true',
  };
  const proc = spawnNode(cfg.serverCore, ['-r', 'ts-node/register/transpile-only', join(__dirname, 'baseline-server.ts')], env, 'baseline');
  await waitReady(`http://127.0.0.1:${cfg.baselinePort}/health`, proc);
  return proc;
}

/** The ops-service simulator (a development tool, not in the build), no added latency, pinned with the load generator. */
export async function startSimulator(cfg: BenchConfig): Promise<ManagedProcess> {
  const proc = spawnNode(
    cfg.loadCore,
    [
      '-r',
      'ts-node/register/transpile-only',
      join(__dirname, '..', 'tools', 'ops-sim', 'main.ts'),
      '--port',
      String(cfg.simPort),
      '--latency-ms',
      '0',
      '--report-interval-ms',
      String(cfg.simReportIntervalMs),
      '--report-token',
      INTERNAL_TOKEN,
    ],
    { PATH: process.env.PATH, NODE_ENV: 'production' },
    'ops simulator',
  );
  // The simulator has no health route: any answer (404) means it listens.
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await (await fetch(`http://127.0.0.1:${cfg.simPort}/`)).arrayBuffer();
      return proc;
    } catch {
      if (Date.now() > deadline) throw new Error(`ops simulator did not start:\n${proc.log}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}
