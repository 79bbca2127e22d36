import { spawn, spawnSync } from 'node:child_process';
import { freePort } from './support/service-process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tokenSubject } from '../src/common/auth/token-verifier';

/**
 * The README's walkthrough, run as a reader would run it: its script block, unchanged, in bash on
 * free ports and a fresh SQLite file, with the simulator and the service it starts itself. Only
 * SERVICE differs from the defaults: the sources compiled in memory (test/support/service-child.js)
 * instead of a build in dist/.
 */

const ROOT = join(__dirname, '..');
const HEADING = '## Walkthrough with the ops service simulator';
const SCRIPT_TIMEOUT_MS = 60_000;

/** The first ```sh block after the walkthrough's heading. */
function walkthroughScript(readme: string): string {
  const at = readme.indexOf(`\n${HEADING}\n`);
  if (at < 0) throw new Error(`README.md has no "${HEADING}" heading`);
  const block = /\n```sh\n([\s\S]*?)\n```\n/.exec(readme.slice(at));
  if (!block) throw new Error(`README.md has no \`\`\`sh block after "${HEADING}"`);
  return `${block[1]}\n`;
}

function requireTool(name: string): void {
  const probe = spawnSync(name, ['--version'], { stdio: 'ignore' });
  if (probe.error || probe.status !== 0) {
    throw new Error(`the README walkthrough needs \`${name}\`, which is not installed here: apt-get install -y ${name} (.ci/run installs it)`);
  }
}

const answers = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the script in a process group of its own, so a timeout can end it and whatever it started. */
async function runScript(file: string, env: NodeJS.ProcessEnv): Promise<Run> {
  const started = Date.now();
  const child = spawn('bash', [file], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    process.kill(-child.pid!, 'SIGKILL');
  }, SCRIPT_TIMEOUT_MS);
  const [code, signal] = (await once(child, 'close')) as [number | null, NodeJS.Signals | null];
  clearTimeout(timer);
  return { code, signal, timedOut, stdout, stderr, ms: Date.now() - started };
}

interface TimelineLine {
  kind: string;
  subtask: string;
  from: string;
  to: string;
  by: string;
}

/** `17:56:58.402 task.desired - - → run by user token:…` */
function timeline(stdout: string): TimelineLine[] {
  const lines: TimelineLine[] = [];
  for (const line of stdout.split('\n')) {
    const match = /^\d\d:\d\d:\d\d\.\d{3} (\S+) (\S+) (\S+) → (\S+) by (.+)$/.exec(line);
    if (match) lines.push({ kind: match[1], subtask: match[2], from: match[3], to: match[4], by: match[5] });
  }
  return lines;
}

/** `id: 00000000000000000007 event: subtask.state` */
function streamed(stdout: string): { id: string; kind: string }[] {
  return [...stdout.matchAll(/^id: (\S+) event: (\S+)$/gm)].map((match) => ({ id: match[1], kind: match[2] }));
}

/** The index in `lines` of each step, each found after the previous one; -1 from the first missing on. */
function inOrder(lines: TimelineLine[], steps: [string, (line: TimelineLine) => boolean][]): Record<string, number> {
  const found: Record<string, number> = {};
  let from = 0;
  for (const [name, matches] of steps) {
    const index = from < 0 ? -1 : lines.findIndex((line, i) => i >= from && matches(line));
    found[name] = index;
    from = index < 0 ? -1 : index + 1;
  }
  return found;
}

describe('README walkthrough with the ops service simulator', () => {
  let dir: string;

  beforeAll(() => {
    requireTool('jq');
    requireTool('curl');
    dir = mkdtempSync(join(tmpdir(), 'walkthrough-'));
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('runs as written and shows the task from creation to a crash and a stop, in its timeline and its stream', async () => {
    const script = join(dir, 'walkthrough.sh');
    writeFileSync(script, walkthroughScript(readFileSync(join(ROOT, 'README.md'), 'utf8')));
    const [port, simPort] = [await freePort(), await freePort()];
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), SIM_PORT: String(simPort), DB_PATH: join(dir, 'tasks.sqlite'), TMPDIR: dir };
    env.SERVICE = 'node test/support/service-child.js';
    // What the reader's defaults are: development tokens, the script's own INTERNAL_TOKEN, no other ops service.
    for (const name of ['NODE_ENV', 'AUTH_TOKENS', 'AUTH_JWT_SECRET', 'INTERNAL_TOKEN', 'HOST', 'PUBLIC_BASE_URL', 'OPS_BASE_URL', 'LOG_LEVEL'])
      delete env[name];
    for (const name of Object.keys(env)) if (name.startsWith('OPS_SIM_')) delete env[name];

    const run = await runScript(script, env);
    const logs = /logs in (\S+)/.exec(run.stdout)?.[1];
    const serviceLog =
      logs && existsSync(join(logs, 'service.log')) ? readFileSync(join(logs, 'service.log'), 'utf8').split('\n').slice(-30).join('\n') : '(none)';
    const report = `exit ${run.code ?? run.signal}${run.timedOut ? `, killed after ${SCRIPT_TIMEOUT_MS} ms` : ''} in ${run.ms} ms\n--- stdout\n${run.stdout}\n--- stderr\n${run.stderr}\n--- service log (end)\n${serviceLog}`;
    if (run.code !== 0) throw new Error(`the walkthrough failed: ${report}`);

    // It stopped what it started.
    expect({ service: await answers(port), simulator: await answers(simPort) }).toEqual({ service: false, simulator: false });

    // The derived status went running → degraded (after the crash) → stopped.
    const out = run.stdout;
    const marks = ['status: running', '"state":"failed"', 'status: degraded', '{"running":1,"failed":1}', 'status: stopped'].map(
      (mark) => [mark, out.indexOf(mark)] as const,
    );
    expect(marks.filter(([, at]) => at < 0).map(([mark]) => mark)).toEqual([]);
    expect(marks.map(([, at]) => at)).toEqual([...marks.map(([, at]) => at)].sort((a, b) => a - b));

    const lines = timeline(out);
    const operator = `user ${tokenSubject('dev-operator')}`;
    const steps = inOrder(lines, [
      ['task.created', (l) => l.kind === 'task.created' && l.by === operator],
      ['configured', (l) => l.kind === 'subtask.config' && l.to === 'configured' && l.by === operator],
      ['desired run', (l) => l.kind === 'task.desired' && l.to === 'run' && l.by === operator],
      ['dispatching', (l) => l.kind === 'subtask.state' && l.to === 'dispatching'],
      ['running', (l) => l.kind === 'subtask.state' && l.from === 'dispatching' && l.to === 'running'],
      ['failed', (l) => l.kind === 'subtask.state' && l.subtask === 'cam-2' && l.to === 'failed' && l.by === 'ops'],
      ['desired stop', (l) => l.kind === 'task.desired' && l.to === 'stop' && l.by === operator],
      ['stopped', (l) => l.kind === 'subtask.state' && l.subtask === 'cam-1' && l.to === 'stopped'],
    ]);
    if (Object.values(steps).some((index) => index < 0)) throw new Error(`timeline steps not found in order: ${JSON.stringify(steps)}\n${report}`);
    expect(lines.at(-1)).toMatchObject({ kind: 'task.status', to: 'stopped' });

    // The stream sent the same events, in increasing id order.
    const frames = streamed(out);
    const ids = frames.map((frame) => frame.id);
    expect(ids.every((id, i) => i === 0 || id > ids[i - 1])).toBe(true);
    expect(frames.slice(0, lines.length).map((frame) => frame.kind)).toEqual(lines.map((line) => line.kind));
  });
});
