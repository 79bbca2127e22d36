import { ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { createConnection } from 'mysql2/promise';
import { OpsSimulator } from '../src/ops-sim/ops-simulator';
import { StatusSweeper } from '../src/status/status-sweeper.service';
import { countStates, deriveTaskStatus, type DesiredState, type SubtaskState } from '../src/task/domain/task-status';
import { INTERNAL_TOKEN, TestApp } from './support/app';
import { createTestDatabase, DATABASE_KINDS, MYSQL, TestDatabase } from './support/databases';
import { all, createConfiguredTask, FAST_DISPATCH_ENV, startAndWait, startRig, waitForStates } from './support/dispatch';
import { eventually } from './support/eventually';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The service as its own process (the sources compiled by SWC on load), so it can be killed outright. */
async function spawnService(env: Record<string, string>): Promise<{ child: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(__dirname, 'support', 'service-child.js')], {
    cwd: join(__dirname, '..'),
    env: { ...process.env, NODE_ENV: 'test', LOG_LEVEL: 'silent', HOST: '127.0.0.1', PORT: String(port), AUTH_TOKENS: 'convergence-viewer-token:viewer', INTERNAL_TOKEN, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`service exited with ${child.exitCode}`);
    const res = await fetch(`${url}/health`);
    if (!res.ok) throw new Error(`health ${res.status}`);
  }, 30_000);
  return { child, url };
}

async function killed(child: ChildProcess, signal: NodeJS.Signals): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill(signal);
  await exited;
}

interface StoredTask {
  status: string;
  status_counts: Record<string, number>;
}

async function storedTask(t: TestApp, taskId: string): Promise<StoredTask> {
  const [row] = await t.dataSource.query('SELECT status, status_counts FROM tb_task WHERE id = ?', [taskId]);
  return { status: row.status, status_counts: typeof row.status_counts === 'string' ? JSON.parse(row.status_counts) : row.status_counts };
}

/** What the task's status and counts must be, derived from its subtask rows as they are stored. */
async function derivedFromRows(t: TestApp, taskId: string): Promise<StoredTask> {
  const rows: { state: SubtaskState; desired_state: DesiredState }[] = await t.dataSource.query('SELECT state, desired_state FROM tb_subtask WHERE task_id = ?', [taskId]);
  return { status: deriveTaskStatus(rows), status_counts: countStates(rows) };
}

async function marks(t: TestApp, taskId: string): Promise<number> {
  const [row] = await t.dataSource.query('SELECT COUNT(*) AS n FROM tb_task_status_mark WHERE task_id = ?', [taskId]);
  return Number(row.n);
}

/** A task of `n` subtasks already running under generation 1, with its stored status refreshed to match. */
async function runningTask(t: TestApp, n: number): Promise<{ taskId: string; subtaskIds: string[] }> {
  const created = await createConfiguredTask(t, n);
  await t.dataSource.query("UPDATE tb_subtask SET state = 'running', desired_state = 'run', generation = 1 WHERE task_id = ?", [created.taskId]);
  await t.app.get(StatusSweeper).refreshNow([created.taskId]);
  expect((await storedTask(t, created.taskId)).status).toBe('running');
  return created;
}

const failedReports = (ids: readonly string[]) => ({
  reports: ids.map((subtask_id, i) => ({ subtask_id, generation: 1, state: 'failed', status_reason: `decoder ${i} crashed`, progress: 0, reported_at: new Date(Date.now() - 1_000 + i).toISOString() })),
});

/** After a restart on the same database: the stored status is what the rows say, the mark is gone, and the status filter finds the task. */
async function expectRepairedAfterRestart(db: TestDatabase, taskId: string): Promise<void> {
  const bootedAt = Date.now();
  const restarted = await TestApp.start('mysql', {}, db);
  try {
    await eventually(async () => {
      const stored = await storedTask(restarted, taskId);
      expect(stored).toEqual(await derivedFromRows(restarted, taskId));
      expect(stored.status).toBe('failed');
      expect(stored.status_counts).toMatchObject({ failed: 5, running: 0 });
      expect(await marks(restarted, taskId)).toBe(0);
    }, 5_000);
    console.log(`stored status repaired ${Date.now() - bootedAt} ms after the restart began (boot included)`);
    const listed = await restarted.request('GET', '/tasks?status=failed');
    expect(listed.status).toBe(200);
    expect(listed.body.list_data.map((task: { task_id: string }) => task.task_id)).toContain(taskId);
    const running = await restarted.request('GET', '/tasks?status=running');
    expect(running.body.list_data.map((task: { task_id: string }) => task.task_id)).not.toContain(taskId);
  } finally {
    await restarted.close();
  }
}

describe('convergence under faults on mysql', () => {
  it('repairs the stored status after a restart when the refresh after a committed report batch never ran', async () => {
    // No interval sweep: only the boot sweep of the next instance may repair the status.
    const t = await TestApp.start('mysql', { STATUS_SWEEP_INTERVAL_MS: '3600000' });
    let closed = false;
    try {
      const { taskId, subtaskIds } = await runningTask(t, 5);
      const sweeper = t.app.get(StatusSweeper);
      // The refresh fails, and the local nudge is lost with the process that is about to go away.
      jest.spyOn(sweeper, 'refreshNow').mockRejectedValueOnce(new Error('connection lost'));
      jest.spyOn(sweeper, 'nudge').mockImplementation(() => undefined);

      const res = await t.request('POST', '/internal/subtask-reports', { token: INTERNAL_TOKEN, body: failedReports(subtaskIds) });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ applied: 5, ignored: 0 });
      // Committed: every subtask failed and the task marked, while the stored status is stale.
      expect((await derivedFromRows(t, taskId)).status).toBe('failed');
      expect(await marks(t, taskId)).toBe(1);
      expect((await storedTask(t, taskId)).status).toBe('running');

      await t.close({ keepDatabase: true });
      closed = true;
      await expectRepairedAfterRestart(t.db, taskId);
    } finally {
      jest.restoreAllMocks();
      if (!closed) await t.close({ keepDatabase: true });
      else await t.db.drop().catch(() => undefined);
    }
  });

  it('repairs the stored status after the service is killed -9 between the report commit and the refresh', async () => {
    const admin = await TestApp.start('mysql', { STATUS_SWEEP_INTERVAL_MS: '3600000' });
    const db = admin.db;
    let child: ChildProcess | undefined;
    let adminOpen = true;
    const lock = await createConnection({ ...MYSQL, database: db.env.DB_NAME });
    try {
      const { taskId, subtaskIds } = await runningTask(admin, 5);
      const service = await spawnService({ ...db.env, STATUS_SWEEP_INTERVAL_MS: '3600000' });
      child = service.child;
      // A shared lock on the task row: the report transaction (subtask rows, mark) commits, the
      // refresh that follows waits for the task row's write lock.
      await lock.query('START TRANSACTION');
      await lock.query('SELECT id FROM tb_task WHERE id = ? LOCK IN SHARE MODE', [taskId]);
      let answered = false;
      const post = fetch(`${service.url}/internal/subtask-reports`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: INTERNAL_TOKEN },
        body: JSON.stringify(failedReports(subtaskIds)),
      })
        .then(() => (answered = true))
        .catch(() => undefined);
      await eventually(async () => {
        expect((await derivedFromRows(admin, taskId)).status).toBe('failed');
        expect(await marks(admin, taskId)).toBe(1);
      }, 10_000);
      await sleep(200);
      expect(answered).toBe(false);
      await killed(child, 'SIGKILL');
      await post;
      await lock.query('ROLLBACK');
      expect((await storedTask(admin, taskId)).status).toBe('running');
      expect(await marks(admin, taskId)).toBe(1);

      await admin.close({ keepDatabase: true });
      adminOpen = false;
      await expectRepairedAfterRestart(db, taskId);
    } finally {
      if (child) await killed(child, 'SIGKILL');
      await lock.end().catch(() => undefined);
      if (adminOpen) await admin.close({ keepDatabase: true });
      await db.drop().catch(() => undefined);
    }
  });
});
