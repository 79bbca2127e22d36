import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { OpsSimulator } from '../tools/ops-sim/ops-simulator';
import { INTERNAL_TOKEN, TestApp } from './support/app';
import { createTestDatabase, DATABASE_KINDS } from './support/databases';
import { ReconcilerService } from '../src/dispatch/reconciler.service';
import { all, createConfiguredTask, FAST_DISPATCH_ENV, postsPerKey, subtasksOf, waitForStates } from './support/dispatch';
import { eventually } from './support/eventually';

/** The service as its own process (main.ts through ts-node), so it can be killed outright. */
function spawnService(env: Record<string, string>): ChildProcess {
  return spawn(process.execPath, ['-r', 'ts-node/register/transpile-only', join(__dirname, '..', 'src', 'main.ts')], {
    cwd: join(__dirname, '..'),
    env: {
      ...process.env,
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      HOST: '127.0.0.1',
      PORT: '0',
      AUTH_TOKENS: 'resilience-viewer-token:viewer',
      INTERNAL_TOKEN,
      ...env,
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

describe.each(DATABASE_KINDS)('dispatch resilience on %s', (kind) => {
  it('converges after the service is killed in the middle of dispatching 50 subtasks, dispatching none twice per generation', async () => {
    const db = await createTestDatabase(kind);
    // Slow answers, so the kill lands while many dispatches are in flight.
    const sim = await OpsSimulator.start({ latencyMs: 150, reportIntervalMs: 200, reportToken: INTERNAL_TOKEN });
    const admin = await TestApp.start(kind, { RECONCILER_ENABLED: 'false' }, db);
    let child: ChildProcess | undefined;
    let survivor: TestApp | undefined;
    try {
      const { taskId, subtaskIds } = await createConfiguredTask(admin, 50);
      expect((await admin.request('POST', `/tasks/${taskId}/start`)).body.changed).toBe(50);

      child = spawnService({ ...db.env, ...FAST_DISPATCH_ENV, DISPATCH_CONCURRENCY: '4', OPS_TIMEOUT_MS: '1000', LEASE_MS: '2500', OPS_BASE_URL: sim.url });
      await eventually(() => expect(sim.stats().startsByKey.size).toBeGreaterThanOrEqual(8), 60_000);
      child.kill('SIGKILL');
      await new Promise((resolve) => child!.once('exit', resolve));
      const startedBeforeKill = sim.stats().startsByKey.size;
      expect(startedBeforeKill).toBeLessThan(50);
      // Some subtasks were claimed by the dead process: they wait for its lease to run out.
      expect((await subtasksOf(admin, taskId)).filter((s) => s.state !== 'running').length).toBeGreaterThan(0);

      survivor = await TestApp.start(kind, { ...FAST_DISPATCH_ENV, LEASE_MS: '2500', OPS_BASE_URL: sim.url }, db);
      const url = await survivor.listen();
      sim.setOptions({ reportUrl: `${url}/internal/subtask-reports` });
      const list = await waitForStates(survivor, taskId, all('running'), 60_000);

      expect(list.map((s) => s.generation)).toEqual(Array(50).fill(1));
      // Every subtask started exactly once at the ops service, under the one generation.
      for (const id of subtaskIds) expect(sim.stats().startsByKey.get(`${id}:1`)).toBe(1);
      expect(sim.stats().startsByKey.size).toBe(50);
      // A second POST of the same key (an idempotent replay) only for what the dead process held
      // in flight, at most its window of DISPATCH_CONCURRENCY × 2; everything else exactly once.
      const posts = postsPerKey(
        sim,
        subtaskIds.map((id) => `${id}:1`),
      );
      expect(Math.max(...posts)).toBeLessThanOrEqual(2);
      expect(posts.filter((n) => n === 2).length).toBeLessThanOrEqual(8);
    } finally {
      child?.kill('SIGKILL');
      await survivor?.close({ keepDatabase: true });
      await admin.close();
      await sim.close();
    }
  });

  it('lets two service instances reconcile the same database at once without dispatching anything twice', async () => {
    const db = await createTestDatabase(kind);
    const sim = await OpsSimulator.start({ latencyMs: 50, reportIntervalMs: 200, reportToken: INTERNAL_TOKEN });
    // A timeout would be retried under the same key (a replay the ops service absorbs); with a
    // generous one, a second POST could only mean that two instances held the same claim.
    const env = { ...FAST_DISPATCH_ENV, OPS_BASE_URL: sim.url, DISPATCH_BATCH_SIZE: '10', OPS_TIMEOUT_MS: '3000', LEASE_MS: '8000' };
    const one = await TestApp.start(kind, env, db);
    const two = await TestApp.start(kind, env, db);
    try {
      sim.setOptions({ reportUrl: `${await one.listen()}/internal/subtask-reports` });
      const { taskId, subtaskIds } = await createConfiguredTask(one, 60);
      // Both instances are told at once and look for the same work at the same moment.
      await Promise.all([one.request('POST', `/tasks/${taskId}/start`), two.request('POST', `/tasks/${taskId}/start`)]);
      await Promise.all([one.app.get(ReconcilerService).tick(), two.app.get(ReconcilerService).tick()]);
      const list = await waitForStates(two, taskId, all('running'), 60_000);
      expect(list.map((s) => s.generation)).toEqual(Array(60).fill(1));
      expect(list.map((s) => s.last_error)).toEqual(Array(60).fill(null));
      // Not even an idempotent replay: each subtask was POSTed exactly once, by one instance.
      expect(
        postsPerKey(
          sim,
          subtaskIds.map((id) => `${id}:1`),
        ),
      ).toEqual(Array(60).fill(1));
      expect(sim.stats().startPostsByKey.size).toBe(60);
      // And the work was really shared: each instance dispatched some of it.
      const dispatchedBy = async (app: TestApp) =>
        Number(/dispatch_attempts_total\{operation="start",outcome="ok"\} (\d+)/.exec((await app.request('GET', '/metrics')).text)?.[1] ?? 0);
      const [byOne, byTwo] = [await dispatchedBy(one), await dispatchedBy(two)];
      expect(byOne).toBeGreaterThan(0);
      expect(byTwo).toBeGreaterThan(0);
      expect(byOne + byTwo).toBe(60);
    } finally {
      await two.close({ keepDatabase: true });
      await one.close();
      await sim.close();
    }
  });
});
