import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { INTERNAL_TOKEN } from './app';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A loopback port nothing listens on right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface ServiceProcess {
  child: ChildProcess;
  url: string;
}

/**
 * The service as a process of its own (the sources compiled by SWC on load, see service-child.js),
 * so it can be killed outright; answers once `/health` does. `env` adds to and overrides the test
 * defaults (loopback, a free port, silent logs unless `logs`).
 */
export async function spawnService(env: Record<string, string>, options: { logs?: string } = {}): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(__dirname, 'service-child.js')], {
    cwd: join(__dirname, '..', '..'),
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: options.logs ?? 'silent', HOST: '127.0.0.1', PORT: String(port), INTERNAL_TOKEN, ...env },
    stdio: ['ignore', options.logs ? 'inherit' : 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    const up = await fetch(`${url}/health`).then(
      (res) => res.ok,
      () => false,
    );
    if (up) return { child, url };
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error('service did not answer within 30 s');
    }
    await sleep(50);
  }
}

/** Sends `signal` and waits for the process to end (at once if it already has). */
export async function killed(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}
