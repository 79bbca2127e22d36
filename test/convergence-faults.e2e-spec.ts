import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createConnection } from 'mysql2/promise';
import { OpsSimulator } from '../tools/ops-sim/ops-simulator';
import { TransactionRunner } from '../src/database/transaction.runner';
import { StatusSweeper } from '../src/status/status-sweeper.service';
import { TaskStatusService } from '../src/task/task-status.service';
import { countStates, deriveTaskStatus, type DesiredState, type SubtaskState } from '../src/task/domain/task-status';
import { INTERNAL_TOKEN, TestApp } from './support/app';
import { killed, sleep, spawnService as spawnServiceProcess } from './support/service-process';
import { createTestDatabase, DATABASE_KINDS, MYSQL, TestDatabase } from './support/databases';
import { all, createConfiguredTask, FAST_DISPATCH_ENV, startAndWait, startRig, waitForStates } from './support/dispatch';
import { eventually } from './support/eventually';

/** The service as its own process, with a viewer token for reads; CONVERGENCE_DEBUG shows its logs. */
const spawnService = (env: Record<string, string>) =>
  spawnServiceProcess({ AUTH_TOKENS: 'convergence-viewer-token:viewer', ...env }, { logs: process.env.CONVERGENCE_DEBUG });

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
  const rows: { state: SubtaskState; desired_state: DesiredState }[] = await t.dataSource.query(
    'SELECT state, desired_state FROM tb_subtask WHERE task_id = ?',
    [taskId],
  );
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
  await t.app.get(TransactionRunner).run((em) => t.app.get(TaskStatusService).refresh(em, [created.taskId]));
  expect((await storedTask(t, created.taskId)).status).toBe('running');
  return created;
}

const failedReports = (ids: readonly string[]) => ({
  reports: ids.map((subtask_id, i) => ({
    subtask_id,
    generation: 1,
    state: 'failed',
    status_reason: `decoder ${i} crashed`,
    progress: 0,
    reported_at: new Date(Date.now() - 1_000 + i).toISOString(),
  })),
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
      // The refresh the batch's nudge would start never runs: it is lost with the process that is about to go away.
      jest.spyOn(sweeper, 'nudge').mockImplementation(() => undefined);

      const res = await t.request('POST', '/internal/subtask-reports', { token: INTERNAL_TOKEN, body: failedReports(subtaskIds) });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ applied: 5, ignored: 0 });
      // Committed: every subtask failed and the task marked, while the stored status is stale.
      expect((await derivedFromRows(t, taskId)).status).toBe('failed');
      expect(await marks(t, taskId)).toBe(1);
      // The stored status follows the rows within a few seconds (the status sweep).
      await eventually(async () => expect((await storedTask(t, taskId)).status).toBe('running'), 5_000);

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
      // A shared lock on the task row: the report transaction (subtask rows, mark) commits and is
      // answered; the status refresh its nudge starts waits for the task row's write lock.
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
      await eventually(() => expect(answered).toBe(true), 10_000);
      await sleep(200);
      // The refresh is still held up: the stored status is stale, and only the mark says so.
      expect((await storedTask(admin, taskId)).status).toBe('running');
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

describe('convergence through an ops outage on mysql', () => {
  it('brings all 200 subtasks of a start to running after a 10 s ops outage mid-start, without a second start, a failure or a new generation', async () => {
    // Heartbeats are not what is under test: long enough that no subtask is judged lost during the outage.
    const rig = await startRig('mysql', { OPS_RETRY_MAX_MS: '1000', HEARTBEAT_TIMEOUT_MS: '120000' }, undefined, { latencyMs: 20 });
    const before = rig.sim;
    let after: OpsSimulator | undefined;
    let sampling = true;
    let failedSeen = 0;
    let failedStatusSeen = 0;
    try {
      const { t } = rig;
      const { taskId, subtaskIds } = await createConfiguredTask(t, 200);
      const sampler = (async () => {
        while (sampling) {
          const [row] = await t.dataSource.query("SELECT COUNT(*) AS n FROM tb_subtask WHERE task_id = ? AND state = 'failed'", [taskId]);
          failedSeen = Math.max(failedSeen, Number(row.n));
          if ((await storedTask(t, taskId)).status === 'failed') failedStatusSeen++;
          await sleep(100);
        }
      })();

      expect((await t.request('POST', `/tasks/${taskId}/start`)).body.changed).toBe(200);
      await eventually(() => expect(before.stats().startsByKey.size).toBeGreaterThanOrEqual(30), 20_000);
      const port = Number(new URL(before.url).port);
      await before.close();
      const startedBefore = before.stats().startsByKey.size;
      expect(startedBefore).toBeLessThan(200);

      await sleep(10_000);
      const during = await t.dataSource.query('SELECT state, COUNT(*) AS n FROM tb_subtask WHERE task_id = ? GROUP BY state', [taskId]);
      const byState = Object.fromEntries(during.map((r: { state: string; n: unknown }) => [r.state, Number(r.n)]));
      // Still on its way, not given up: what had not started is waiting to be dispatched again.
      expect(byState.failed ?? 0).toBe(0);
      expect(byState.running ?? 0).toBeLessThan(200);

      const restoredAt = Date.now();
      after = await OpsSimulator.start({
        port,
        latencyMs: 20,
        reportIntervalMs: 100,
        reportToken: INTERNAL_TOKEN,
        reportUrl: `${(await t.app.getUrl()).replace('[::1]', '127.0.0.1')}/internal/subtask-reports`,
      });
      const list = await waitForStates(t, taskId, all('running'), 30_000);
      console.log(`ops outage: ${startedBefore} of 200 started before it; all 200 running ${Date.now() - restoredAt} ms after the ops service came back`);
      sampling = false;
      await sampler;

      expect(failedSeen).toBe(0);
      expect(failedStatusSeen).toBe(0);
      expect(list.map((s) => s.generation)).toEqual(Array(200).fill(1));
      // The stored status follows the rows within a few seconds (the status sweep).
      await eventually(async () => expect((await storedTask(t, taskId)).status).toBe('running'), 5_000);
      // Only ever the one key per subtask, `id:1`, at either incarnation of the ops service.
      const keys = new Set(subtaskIds.map((id) => `${id}:1`));
      for (const sim of [before, after]) for (const key of sim.stats().startPostsByKey.keys()) expect(keys.has(key)).toBe(true);
      const starts = (key: string) => (before.stats().startsByKey.get(key) ?? 0) + (after!.stats().startsByKey.get(key) ?? 0);
      for (const key of keys) expect(starts(key)).toBeGreaterThanOrEqual(1);
      // Started twice only if the call was cut off by the outage after the ops service acted on it,
      // at most the window in flight (DISPATCH_CONCURRENCY × 2); the restored service starts each once.
      expect(Math.max(...[...keys].map(starts))).toBeLessThanOrEqual(2);
      expect([...keys].filter((key) => starts(key) === 2).length).toBeLessThanOrEqual(Number(FAST_DISPATCH_ENV.DISPATCH_CONCURRENCY) * 2);
      expect(Math.max(...after.stats().startsByKey.values())).toBe(1);
    } finally {
      sampling = false;
      await after?.close();
      await rig.close();
    }
  });
});

/** Two replicas as real processes on one database, the ops service slow enough that claims are held a while. */
async function twoReplicas(): Promise<{
  admin: TestApp;
  sim: OpsSimulator;
  replicas: ChildProcess[];
  taskId: string;
  subtaskIds: string[];
  close(): Promise<void>;
}> {
  const db = await createTestDatabase('mysql');
  const sim = await OpsSimulator.start({ latencyMs: 400, reportIntervalMs: 200, reportToken: INTERNAL_TOKEN });
  // Creates the task, presses start and receives the reports; it dispatches nothing itself.
  const admin = await TestApp.start('mysql', { RECONCILER_ENABLED: 'false' }, db);
  const replicas: ChildProcess[] = [];
  const close = async () => {
    for (const child of replicas) await killed(child, 'SIGKILL');
    await admin.close();
    await sim.close();
  };
  try {
    sim.setOptions({ reportUrl: `${await admin.listen()}/internal/subtask-reports` });
    const { taskId, subtaskIds } = await createConfiguredTask(admin, 100);
    const env = {
      ...db.env,
      ...FAST_DISPATCH_ENV,
      LEASE_MS: '3000',
      OPS_TIMEOUT_MS: '1000',
      HEARTBEAT_TIMEOUT_MS: '10000',
      DISPATCH_CONCURRENCY: '32',
      OPS_BASE_URL: sim.url,
    };
    const started = await Promise.all([spawnService(env), spawnService(env)]);
    replicas.push(...started.map((s) => s.child));
    return { admin, sim, replicas, taskId, subtaskIds, close };
  } catch (error) {
    await close();
    throw error;
  }
}

const pidOf = (leaseOwner: string): number => Number(/:(\d+):[0-9a-f]{8}#/.exec(leaseOwner)?.[1]);

async function leases(admin: TestApp, taskId: string): Promise<{ id: string; state: string; pid: number | null }[]> {
  const rows: { id: string; state: string; lease_owner: string | null }[] = await admin.dataSource.query(
    'SELECT id, state, lease_owner FROM tb_subtask WHERE task_id = ?',
    [taskId],
  );
  return rows.map((r) => ({ id: r.id, state: r.state, pid: r.lease_owner ? pidOf(r.lease_owner) : null }));
}

/** Presses start and, as soon as claims appear, answers the replica holding the most of them and what it holds. */
async function startAndFindHolder(
  admin: TestApp,
  taskId: string,
  replicas: ChildProcess[],
): Promise<{ holder: ChildProcess; survivor: ChildProcess; held: string[] }> {
  expect((await admin.request('POST', `/tasks/${taskId}/start`)).body.changed).toBe(100);
  for (;;) {
    const rows = await leases(admin, taskId);
    const byPid = new Map<number, string[]>();
    for (const r of rows) if (r.pid !== null) byPid.set(r.pid, [...(byPid.get(r.pid) ?? []), r.id]);
    if (byPid.size > 0) {
      const [pid, held] = [...byPid].sort((a, b) => b[1].length - a[1].length)[0];
      const holder = replicas.find((c) => c.pid === pid);
      expect(holder).toBeDefined();
      return { holder: holder!, survivor: replicas.find((c) => c !== holder)!, held };
    }
    await sleep(10);
  }
}

function expectOneStartPerKey(sim: OpsSimulator, subtaskIds: readonly string[]): void {
  const { startsByKey, startPostsByKey } = sim.stats();
  // Exactly one real start per subtask and generation; a replay of a call the dead replica had in flight is answered idempotently.
  expect(subtaskIds.map((id) => startsByKey.get(`${id}:1`))).toEqual(Array(subtaskIds.length).fill(1));
  expect(startsByKey.size).toBe(subtaskIds.length);
  expect(Math.max(...subtaskIds.map((id) => startPostsByKey.get(`${id}:1`) ?? 0))).toBeLessThanOrEqual(2);
  expect(startPostsByKey.size).toBe(subtaskIds.length);
}

describe('two replicas on mysql, one of them going away mid-start', () => {
  it('SIGKILL: the survivor takes over the dead replica’s claims once their lease lapses', async () => {
    const rig = await twoReplicas();
    try {
      const { admin, sim, taskId, subtaskIds } = rig;
      const { holder, held } = await startAndFindHolder(admin, taskId, rig.replicas);
      const deadPid = holder.pid!;
      const killedAt = Date.now();
      await killed(holder, 'SIGKILL');
      expect(held.length).toBeGreaterThan(0);

      await eventually(async () => {
        const rows = await leases(admin, taskId);
        expect(rows.filter((r) => r.state !== 'running')).toEqual([]);
      }, 3_000 + 5_000);
      const tookMs = Date.now() - killedAt;
      console.log(`SIGKILL of the replica holding ${held.length} claims: all 100 running ${tookMs} ms later (LEASE_MS 3000)`);
      expect(tookMs).toBeLessThanOrEqual(3_000 + 5_000);

      const rows = await leases(admin, taskId);
      expect(rows.filter((r) => r.pid === deadPid)).toEqual([]);
      const generations: { generation: number }[] = await admin.dataSource.query('SELECT generation FROM tb_subtask WHERE task_id = ?', [taskId]);
      expect(generations.map((r) => Number(r.generation))).toEqual(Array(100).fill(1));
      expectOneStartPerKey(sim, subtaskIds);
    } finally {
      await rig.close();
    }
  });

  // Skipped: in some runs the stopping replica still names 64 claims 2 s after SIGTERM (claims taken by
  // a pass under way at shutdown are suspected); they then lapse after LEASE_MS like a SIGKILL's.
  it('SIGTERM: the stopping replica hands its claims back and the other continues at once', async () => {
    const rig = await twoReplicas();
    try {
      const { admin, sim, taskId, subtaskIds } = rig;
      const { holder, survivor, held } = await startAndFindHolder(admin, taskId, rig.replicas);
      const deadPid = holder.pid!;
      const survivorPid = survivor.pid!;
      const tokensAt = async () =>
        (
          await admin.dataSource.query(
            'SELECT lease_owner AS o, COUNT(*) AS n FROM tb_subtask WHERE task_id = ? AND lease_owner IS NOT NULL GROUP BY lease_owner',
            [taskId],
          )
        )
          .map((r: { o: string; n: unknown }) => `${r.o.split(':').slice(1).join(':')}=${Number(r.n)}`)
          .join(' ');
      if (process.env.CONVERGENCE_DEBUG) console.log(`claims at SIGTERM: ${await tokensAt()}`);
      const termAt = Date.now();
      const exited = once(holder, 'exit');
      holder.kill('SIGTERM');
      expect(held.length).toBeGreaterThan(0);

      if (process.env.CONVERGENCE_DEBUG) setTimeout(() => void tokensAt().then((x) => console.log(`claims 1.5 s after SIGTERM: ${x}`)), 1_500);
      // Handed back at once: nothing is leased by the stopping replica any more, well before its
      // leases (LEASE_MS 3000) could have lapsed.
      const heldSet = new Set(held);
      await eventually(async () => expect((await leases(admin, taskId)).filter((r) => r.pid === deadPid)).toEqual([]), 2_000);
      const handedBackMs = Date.now() - termAt;
      // And the other replica continues with them within 2 s: it has claimed or finished some.
      await eventually(
        async () => {
          const rows = await leases(admin, taskId);
          expect(rows.filter((r) => heldSet.has(r.id) && (r.state === 'running' || r.pid === survivorPid)).length).toBeGreaterThan(0);
        },
        Math.max(100, 2_000 - (Date.now() - termAt)),
      );
      const continuedMs = Date.now() - termAt;
      await exited;
      expect(holder.exitCode === 0 || holder.signalCode === 'SIGTERM').toBe(true);
      await eventually(async () => expect((await leases(admin, taskId)).filter((r) => r.state !== 'running')).toEqual([]), 10_000);
      const allRunningMs = Date.now() - termAt;
      console.log(
        `SIGTERM of the replica holding ${held.length} claims: handed back after ${handedBackMs} ms, continued by the other after ${continuedMs} ms; all 100 running after ${allRunningMs} ms`,
      );

      const generations: { generation: number }[] = await admin.dataSource.query('SELECT generation FROM tb_subtask WHERE task_id = ?', [taskId]);
      expect(generations.map((r) => Number(r.generation))).toEqual(Array(100).fill(1));
      expectOneStartPerKey(sim, subtaskIds);
    } finally {
      await rig.close();
    }
  });
});

describe.each(DATABASE_KINDS)('an intentional stop on %s', (kind) => {
  it('leaves the task running when one of its 3 subtasks is stopped on purpose', async () => {
    const rig = await startRig(kind);
    try {
      const { t } = rig;
      const { taskId, subtaskIds } = await createConfiguredTask(t, 3);
      await startAndWait(t, taskId);
      const stopped = await t.request('POST', `/subtasks/${subtaskIds[1]}/stop`);
      expect(stopped.status).toBe(200);
      await waitForStates(t, taskId, (states) => states.filter((s) => s === 'stopped').length === 1 && states.filter((s) => s === 'running').length === 2);
      const expected = { status: 'running', status_counts: expect.objectContaining({ running: 2, stopped: 1, failed: 0, lost: 0 }) };
      await eventually(async () => expect(await storedTask(t, taskId)).toEqual(expected), 5_000);
      expect(await storedTask(t, taskId)).toEqual(await derivedFromRows(t, taskId));
      const task = await t.request('GET', `/tasks/${taskId}`);
      expect(task.body).toMatchObject({ status: 'running', status_counts: { running: 2, stopped: 1 } });
      const listed = await t.request('GET', '/tasks?status=running');
      expect(listed.body.list_data.map((x: { task_id: string }) => x.task_id)).toContain(taskId);
    } finally {
      await rig.close();
    }
  });
});
