import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';

/** Whether `taskset` exists: without it nothing is pinned, and the report says so. */
export const HAS_TASKSET = (() => {
  try {
    execFileSync('taskset', ['-c', '0', 'true'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

/**
 * What must be undone if the bench is interrupted (Ctrl-C, a kill, a closed terminal): on these
 * signals Node exits without running `finally` blocks or its 'exit' event, which would leave the
 * database pinned to one core and a server frozen by loadAlone holding its port.
 */
const cleanups = new Set<() => void>();
const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

function interrupted(signal: NodeJS.Signals): void {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // the rest must still run
    }
  }
  process.exit(128 + os.constants.signals[signal]);
}

/** Runs `cleanup` if the bench is interrupted before the returned function unregisters it. */
export function onInterrupt(cleanup: () => void): () => void {
  if (cleanups.size === 0) for (const signal of SIGNALS) process.on(signal, interrupted);
  cleanups.add(cleanup);
  return () => {
    cleanups.delete(cleanup);
    if (cleanups.size === 0) for (const signal of SIGNALS) process.removeListener(signal, interrupted);
  };
}

/** Spawns `command args…` pinned to `core` (when taskset exists); output is kept for error messages. */
export function spawnPinned(core: string, command: string, args: string[], env: NodeJS.ProcessEnv, label: string): ManagedProcess {
  const [cmd, argv] = HAS_TASKSET ? ['taskset', ['-c', core, command, ...args]] : [command, args];
  const child = spawn(cmd, argv, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  return new ManagedProcess(child, label);
}

/** Spawns `node args…` pinned to `core`. */
export function spawnNode(core: string, args: string[], env: NodeJS.ProcessEnv, label: string): ManagedProcess {
  return spawnPinned(core, process.execPath, args, env, label);
}

export class ManagedProcess {
  private output = '';
  readonly exited: Promise<number | null>;

  constructor(
    readonly child: ChildProcess,
    readonly label: string,
  ) {
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-8_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    // Continued first: a frozen process does not act on SIGTERM.
    const forget = onInterrupt(() => {
      child.kill('SIGCONT');
      child.kill('SIGTERM');
    });
    this.exited = new Promise((resolve) =>
      child.once('exit', (code) => {
        forget();
        resolve(code);
      }),
    );
  }

  /** With taskset, the child is taskset's exec'd node: same pid. */
  get pid(): number {
    return this.child.pid!;
  }

  get log(): string {
    return this.output;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    await this.exited;
    clearTimeout(timer);
  }
}

/** Polls `url` until it answers 2xx, or fails with the process's output. */
export async function waitReady(url: string, proc: ManagedProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.child.exitCode !== null) throw new Error(`${proc.label} exited (${proc.child.exitCode}):\n${proc.log}`);
    try {
      const res = await fetch(url);
      await res.arrayBuffer();
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`${proc.label} not ready at ${url} after ${timeoutMs} ms:\n${proc.log}`);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const CLOCK_TICKS = 100; // USER_HZ on Linux

/** Resident memory (MB) and CPU time (s) of a process, from /proc. */
export function procUsage(pid: number): { rssMb: number; cpuSeconds: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  // Fields after the command name (which may hold spaces) start at ") ": utime and stime are 14 and 15.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return { rssMb: rssKb / 1024, cpuSeconds: ticks / CLOCK_TICKS };
}

/** CPU time and peak RSS of a process over a window. */
export class UsageWindow {
  private readonly startCpu: number;
  private readonly startAt = process.hrtime.bigint();
  private peakRss = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pid: number) {
    this.startCpu = procUsage(pid).cpuSeconds;
    this.timer = setInterval(() => this.sample(), 250);
  }

  private sample(): void {
    try {
      this.peakRss = Math.max(this.peakRss, procUsage(this.pid).rssMb);
    } catch {
      // the process is gone
    }
  }

  /** CPU seconds used in the window, the window's length, and peak RSS. */
  end(): { cpuSeconds: number; seconds: number; rssMb: number } {
    clearInterval(this.timer);
    this.sample();
    const seconds = Number(process.hrtime.bigint() - this.startAt) / 1e9;
    return { cpuSeconds: procUsage(this.pid).cpuSeconds - this.startCpu, seconds, rssMb: this.peakRss };
  }
}

/**
 * Pins every thread of the local MariaDB/MySQL server to `core` (with the load generator), so the
 * server under test has its core to itself, as it would with the database on another host; returns
 * a function that restores the previous affinity, or the reason it could not: the database process
 * is not found here, or may not be pinned (not root, no taskset).
 */
export function pinDatabaseServer(core: string): { restore: () => void } | { reason: string } {
  if (!HAS_TASKSET) return { reason: 'taskset not found' };
  let pid: string;
  try {
    pid = execFileSync('pidof', ['-s', 'mariadbd', 'mysqld'], { encoding: 'utf8' }).trim();
  } catch {
    return { reason: 'no mariadbd or mysqld process on this machine' };
  }
  try {
    // "pid 123's current affinity list: 0,1"
    const before = execFileSync('taskset', ['-c', '-p', pid], { encoding: 'utf8' }).trim().split(': ').pop()!;
    execFileSync('taskset', ['-a', '-c', '-p', core, pid], { stdio: 'ignore' });
    return { restore: () => execFileSync('taskset', ['-a', '-c', '-p', before, pid], { stdio: 'ignore' }) };
  } catch (error) {
    return { reason: `taskset on the database process failed: ${(error as Error).message.split('\n')[0]}` };
  }
}
