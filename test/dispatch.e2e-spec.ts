import { OpsSimulator } from '../tools/ops-sim/ops-simulator';
import { INTERNAL_TOKEN, TestApp } from './support/app';
import { DATABASE_KINDS } from './support/databases';
import { all, createConfiguredTask, DispatchRig, postsPerKey, startAndWait, startRig, stopAndWait, subtasksOf, waitForStates } from './support/dispatch';
import { eventually } from './support/eventually';
import { videoTask } from './support/fixtures';

/** The parts of a start request, as the ops service received it, that are read one by one below. */
interface ReceivedStart {
  source: unknown;
  report_url: string;
  mtasks: { scenes: { vchan_refid: string }[] }[];
}

describe.each(DATABASE_KINDS)('dispatch on %s', (kind) => {
  let rig: DispatchRig;
  let t: TestApp;
  let sim: OpsSimulator;

  beforeAll(async () => {
    rig = await startRig(kind);
    ({ t, sim } = rig);
  });
  afterAll(async () => {
    await rig?.close();
  });
  afterEach(() => {
    sim.hang(0);
    sim.setOptions({ errorRate: 0, latencyMs: 0 });
  });

  it('walks through create → configure → start → running → one stream dies → degraded → stop', async () => {
    const { taskId, subtaskIds } = await createConfiguredTask(t, 4);
    expect((await t.request('GET', `/tasks/${taskId}`)).body.status).toBe('ready');

    const start = await t.request('POST', `/tasks/${taskId}/start`);
    expect(start.status).toBe(200);
    expect(start.body).toMatchObject({ ecode: 200, task_id: taskId, changed: 4 });
    expect(['starting', 'running']).toContain(start.body.status);

    await waitForStates(t, taskId, all('running'));
    await eventually(async () => expect((await t.request('GET', `/tasks/${taskId}`)).body.status).toBe('running'));
    // Each subtask reached the ops service exactly once for its generation: no replay, no second start.
    expect(
      postsPerKey(
        sim,
        subtaskIds.map((id) => `${id}:1`),
      ),
    ).toEqual([1, 1, 1, 1]);

    // What the ops service received: this subtask's channel and only its scenes.
    const body = sim.stats().startBodies.get(subtaskIds[1]) as ReceivedStart;
    expect(body).toMatchObject({
      subtask_id: subtaskIds[1],
      task_id: taskId,
      generation: 1,
      algo_type: '1',
      source_type: 'pull_video_stream',
      store_conf_unid: 'store-1',
    });
    expect(body.source).toMatchObject({ vchan_refid: 'ch-2', node_index: null });
    expect(body.report_url).toMatch(/\/internal\/subtask-reports$/);
    expect(body.mtasks).toHaveLength(1);
    expect(body.mtasks[0].scenes.map((s: { vchan_refid: string }) => s.vchan_refid)).toEqual(['ch-2']);

    // Reports arrive (heartbeats) and are shown.
    await eventually(async () => {
      const list = await subtasksOf(t, taskId);
      expect(list.every((s: { reported_at?: string | null } & object) => (s as { reported_at: string | null }).reported_at !== null)).toBe(true);
    });

    // One stream dies: the ops service reports it failed; the task is degraded, "3 running, 1 failed".
    sim.crash(subtaskIds[2], 'camera stream closed by peer');
    const detail = await eventually(async () => {
      const res = await t.request('GET', `/tasks/${taskId}`);
      expect(res.body.status).toBe('degraded');
      return res.body;
    });
    expect(detail.status_counts).toMatchObject({ running: 3, failed: 1 });
    const dead = detail.subtasks.find((s: { subtask_id: string }) => s.subtask_id === subtaskIds[2]);
    expect(dead).toMatchObject({ state: 'failed', status_reason: 'camera stream closed by peer' });
    const scenes = detail.mtasks[0].scenes;
    expect(scenes.map((s: { is_running: number }) => s.is_running)).toEqual([1, 1, 0, 1]);
    expect(scenes[2].status_reason).toBe('camera stream closed by peer');
    // The list filters on the stored status, which follows the rows within the status refresh.
    await eventually(async () => {
      const listed = await t.request('GET', `/tasks?keyword=${encodeURIComponent('North gate')}&status=degraded`);
      expect(listed.body.list_data.map((x: { task_id: string }) => x.task_id)).toContain(taskId);
    }, 5_000);

    // Stop: every subtask stops at the ops service; repeating it changes nothing.
    const stop = await t.request('POST', `/tasks/${taskId}/stop`);
    expect(stop.status).toBe(200);
    // The failed one stays failed (nothing runs); the three running ones stop at the ops service.
    await waitForStates(t, taskId, (states) => states.filter((s) => s === 'stopped').length === 3 && states[2] === 'failed');
    await eventually(async () => expect((await t.request('GET', `/tasks/${taskId}`)).body.status).toBe('stopped'));
    for (const id of [subtaskIds[0], subtaskIds[1], subtaskIds[3]]) expect(sim.get(id)?.state).toBe('stopped');
    const again = await t.request('POST', `/tasks/${taskId}/stop`);
    expect(again.body.changed).toBe(0);

    const metrics = await t.request('GET', '/metrics');
    expect(metrics.text).toMatch(/dispatch_attempts_total\{operation="start",outcome="ok"\} [1-9]/);
    expect(metrics.text).toMatch(/subtask_reports_total\{result="applied"\} [1-9]/);
  });

  it('refuses to start a task with unconfigured subtasks, listing them, and changes nothing', async () => {
    const created = await t.request('POST', '/tasks', { body: videoTask({}, 2) });
    const taskId = created.body.task_id;
    const res = await t.request('POST', `/tasks/${taskId}/start`, { lang: 'en' });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ ecode: 409, error: 'SUBTASKS_UNCONFIGURED', enote: '2 subtask(s) are not configured yet' });
    expect(res.body.unconfigured_subtasks).toHaveLength(2);
    expect((await subtasksOf(t, taskId)).map((s) => [s.state, s.desired_state, s.generation])).toEqual([
      ['unconfigured', 'idle', 0],
      ['unconfigured', 'idle', 0],
    ]);
  });

  it('dispatches once when the ops service answers 503 twice, then 200', async () => {
    const { taskId, subtaskIds } = await createConfiguredTask(t, 1);
    sim.failNext(2, 503, '/subtasks', 'POST');
    await t.request('POST', `/tasks/${taskId}/start`);
    await waitForStates(t, taskId, all('running'));
    expect(postsPerKey(sim, [`${subtaskIds[0]}:1`])).toEqual([1]);
    const [subtask] = await subtasksOf(t, taskId);
    expect(subtask).toMatchObject({ state: 'running', generation: 1, status_reason: null });
  });

  it('fails the subtask with the ops service reason on a 4xx, without retrying', async () => {
    const { taskId, subtaskIds } = await createConfiguredTask(t, 1);
    sim.failNext(1, 422, '/subtasks', 'POST');
    await t.request('POST', `/tasks/${taskId}/start`);
    const [subtask] = await waitForStates(t, taskId, all('failed'));
    expect(subtask.status_reason).toMatch(/refused the subtask \(HTTP 422: injected\)/);
    // Not retried: the refused start never reached the route a second time.
    expect(postsPerKey(sim, [`${subtaskIds[0]}:1`])).toEqual([0]);
    expect(sim.get(subtaskIds[0])).toBeUndefined();
    // The task's status follows its subtasks' within a short window.
    await eventually(async () => expect((await t.request('GET', `/tasks/${taskId}`)).body.status).toBe('failed'));
  });

  it('keeps retrying a subtask the ops service does not answer in time, naming the cause, and runs it once it answers', async () => {
    const { taskId, subtaskIds } = await createConfiguredTask(t, 1);
    sim.hang(2_000);
    await t.request('POST', `/tasks/${taskId}/start`);
    const retrying = await eventually(async () => {
      const detail = (await t.request('GET', `/subtasks/${subtaskIds[0]}`)).body;
      expect(detail.attempts).toBeGreaterThanOrEqual(2);
      return detail;
    });
    expect(retrying.state).toBe('dispatching');
    expect(retrying.status_reason).toMatch(/^dispatch: ops service unavailable: no answer within 300 ms; attempt \d+, next attempt at \d{4}-\d\d-\d\dT/);
    expect(retrying.last_error).toBe('ops service unavailable: no answer within 300 ms');
    expect(retrying.next_attempt_at).not.toBeNull();
    const task = (await t.request('GET', `/tasks/${taskId}`, { lang: 'en' })).body;
    expect(task.status).toBe('starting');
    expect((await t.request('GET', `/tasks/${taskId}`, { lang: 'zh-CN' })).body.status_reason).toMatch(
      /^1 个子任务中 1 个下发中: dispatch: ops service unavailable: no answer within 300 ms/,
    );
    expect(task.status_reason).toMatch(/^1 of 1 subtask dispatching: dispatch: ops service unavailable: no answer within 300 ms; attempt \d+/);
    sim.hang(0);
    await waitForStates(t, taskId, all('running'));
    expect(postsPerKey(sim, [`${subtaskIds[0]}:1`])[0]).toBeGreaterThanOrEqual(1);
    expect(postsPerKey(sim, [`${subtaskIds[0]}:2`])).toEqual([0]);
  });

  it('starts a subtask again under a new generation, and a repeated start changes nothing', async () => {
    const { taskId, subtaskIds } = await createConfiguredTask(t, 2);
    await t.request('POST', `/tasks/${taskId}/start`);
    await waitForStates(t, taskId, all('running'));
    const repeat = await t.request('POST', `/tasks/${taskId}/start`);
    expect(repeat.body.changed).toBe(0);
    await t.request('POST', `/subtasks/${subtaskIds[0]}/stop`);
    await eventually(() => expect(sim.get(subtaskIds[0])?.state).toBe('stopped'));
    const restart = await t.request('POST', `/subtasks/${subtaskIds[0]}/start`);
    expect(restart.body).toMatchObject({ subtask_id: subtaskIds[0], desired_state: 'run', generation: 2 });
    await waitForStates(t, taskId, all('running'));
    expect(postsPerKey(sim, [`${subtaskIds[0]}:1`, `${subtaskIds[0]}:2`, `${subtaskIds[1]}:1`, `${subtaskIds[1]}:2`])).toEqual([1, 1, 1, 0]);
  });

  it('leaves a start before run_dt scheduled, and dispatches when run_dt arrives', async () => {
    const runAt = new Date(Date.now() + 4_000);
    const { taskId } = await createConfiguredTask(t, 2, { run_dt: runAt.toISOString() });
    const start = await t.request('POST', `/tasks/${taskId}/start`);
    expect(start.body.status).toBe('waiting');
    expect((await subtasksOf(t, taskId)).map((s) => s.state)).toEqual(['scheduled', 'scheduled']);
    const waiting = (await t.request('GET', `/tasks/${taskId}`)).body;
    expect(waiting.status).toBe('waiting');
    expect(Date.parse(waiting.next_transition_at.replace(' ', 'T') + '+08:00')).toBe(runAt.getTime());
    await new Promise((resolve) => setTimeout(resolve, 800));
    expect((await subtasksOf(t, taskId)).map((s) => s.state)).toEqual(['scheduled', 'scheduled']);
    await waitForStates(t, taskId, all('running'));
    expect(Date.now()).toBeGreaterThanOrEqual(runAt.getTime());
  });

  it('bumps each generation once under two concurrent starts, and dispatches once', async () => {
    const { taskId, subtaskIds } = await createConfiguredTask(t, 5);
    const [a, b] = await Promise.all([t.request('POST', `/tasks/${taskId}/start`), t.request('POST', `/tasks/${taskId}/start`)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(a.body.changed + b.body.changed).toBe(5);
    await waitForStates(t, taskId, all('running'));
    expect((await subtasksOf(t, taskId)).map((s) => s.generation)).toEqual([1, 1, 1, 1, 1]);
    expect(
      postsPerKey(
        sim,
        subtaskIds.map((id) => `${id}:1`),
      ),
    ).toEqual([1, 1, 1, 1, 1]);
    expect(
      postsPerKey(
        sim,
        subtaskIds.map((id) => `${id}:2`),
      ),
    ).toEqual([0, 0, 0, 0, 0]);
  });

  it('marks a silent subtask lost, asks the ops service, and converges', async () => {
    const { taskId, subtaskIds } = await createConfiguredTask(t, 2);
    await t.request('POST', `/tasks/${taskId}/start`);
    await waitForStates(t, taskId, all('running'));

    // Still running at the ops service, only its reports are lost: back to running after a GET.
    sim.silence(subtaskIds[0]);
    const getsBefore = sim.stats().getsById.get(subtaskIds[0]) ?? 0;
    await eventually(() => expect(sim.stats().getsById.get(subtaskIds[0]) ?? 0).toBeGreaterThan(getsBefore));
    sim.silence(subtaskIds[0], false);
    await waitForStates(t, taskId, all('running'));
    expect(postsPerKey(sim, [`${subtaskIds[0]}:2`])).toEqual([0]);

    // The ops service forgot it entirely: dispatched again under a new generation.
    sim.silence(subtaskIds[1]);
    sim.forget(subtaskIds[1]);
    await eventually(() => expect(postsPerKey(sim, [`${subtaskIds[1]}:2`])).toEqual([1]));
    await waitForStates(t, taskId, all('running'));
    const list = await subtasksOf(t, taskId);
    expect(list.map((s) => s.generation)).toEqual([1, 2]);
  });

  it('answers every report, applies the newest, and ignores stale and duplicated ones', async () => {
    const { taskId, subtaskIds } = await createConfiguredTask(t, 1);
    const id = subtaskIds[0];
    // Run it, stop it and run it again: generation 2 is current, 1 is stale.
    await startAndWait(t, taskId);
    await stopAndWait(t, taskId);
    await startAndWait(t, taskId);
    sim.silence(id);
    const base = Date.now() + 60_000;
    const at = (s: number) => new Date(base + s * 1000).toISOString();
    const send = (reports: object[], token: string | null = INTERNAL_TOKEN) => t.request('POST', '/internal/subtask-reports', { token, body: { reports } });

    const res = await send([
      { subtask_id: id, generation: 2, state: 'failed', status_reason: 'decoder crashed', progress: 40, reported_at: at(3) },
      { subtask_id: id, generation: 2, state: 'running', progress: 10, reported_at: at(1) },
      { subtask_id: id, generation: 2, state: 'running', progress: 20, reported_at: at(2) },
      { subtask_id: id, generation: 2, state: 'running', progress: 20, reported_at: at(2) },
      { subtask_id: id, generation: 1, state: 'running', reported_at: at(9) },
      { subtask_id: id, generation: 7, state: 'running', reported_at: at(9) },
      { subtask_id: '00000000-0000-7000-8000-0000000000ff', generation: 1, state: 'running', reported_at: at(1) },
      { subtask_id: id, generation: 2, state: 'running', reported_at: new Date(Date.now() + 3_600_000).toISOString() },
    ]);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ecode: 200, applied: 3, ignored: 5 });
    expect(res.body.results).toEqual([
      { subtask_id: id, applied: true },
      { subtask_id: id, applied: true },
      { subtask_id: id, applied: true },
      { subtask_id: id, applied: false, reason: 'stale' },
      { subtask_id: id, applied: false, reason: 'stale_generation' },
      { subtask_id: id, applied: false, reason: 'unknown_generation' },
      { subtask_id: '00000000-0000-7000-8000-0000000000ff', applied: false, reason: 'unknown_subtask' },
      { subtask_id: id, applied: false, reason: 'clock_ahead' },
    ]);
    let [subtask] = await subtasksOf(t, taskId);
    expect(subtask).toMatchObject({ state: 'failed', status_reason: 'decoder crashed', progress: 40 });

    // Late and repeated deliveries of older reports change nothing.
    const late = await send([
      { subtask_id: id, generation: 2, state: 'running', progress: 30, reported_at: at(2.5) },
      { subtask_id: id, generation: 2, state: 'failed', status_reason: 'decoder crashed', progress: 40, reported_at: at(3) },
    ]);
    expect(late.body.results.map((r: { reason: string }) => r.reason)).toEqual(['stale', 'stale']);
    [subtask] = await subtasksOf(t, taskId);
    expect(subtask).toMatchObject({ state: 'failed', progress: 40 });
    expect((await t.request('GET', `/tasks/${taskId}`)).body.status).toBe('failed');

    // Wrong or user credentials: 401, nothing changed.
    for (const token of [null, 'wrong', 'operator', 'admin']) {
      const refused = await send([{ subtask_id: id, generation: 2, state: 'running', reported_at: at(10) }], token);
      expect(refused.status).toBe(401);
    }
    // A bad batch is refused whole.
    const bad = await send([{ subtask_id: id, generation: 2, state: 'exploded', reported_at: at(11) }]);
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('reports[0].state');
    for (const [field, report] of [
      ['reports[0].generation', { subtask_id: id, generation: 0, state: 'running', reported_at: at(11) }],
      ['reports[0].reported_at', { subtask_id: id, generation: 2, state: 'running', reported_at: '2026-02-30 10:00:00.000' }],
    ] as const) {
      const refused = await send([report]);
      expect(refused.status).toBe(400);
      expect(refused.body.errors[0].field).toBe(field);
    }
    expect((await send([])).status).toBe(400);
    const tooMany = await send(Array.from({ length: 1001 }, () => ({ subtask_id: id, generation: 2, state: 'running', reported_at: at(12) })));
    expect(tooMany.status).toBe(400);
    [subtask] = await subtasksOf(t, taskId);
    expect(subtask).toMatchObject({ state: 'failed', progress: 40 });
  });

  it('stops a subtask the ops service may already run while its dispatch is still unconfirmed', async () => {
    // The start times out here, but the ops service did start it: the stop must still reach it.
    const { taskId, subtaskIds } = await createConfiguredTask(t, 1);
    const id = subtaskIds[0];
    sim.silence(id);
    sim.hang(1_000);
    await t.request('POST', `/tasks/${taskId}/start`);
    await eventually(async () => expect((await t.request('GET', `/subtasks/${id}`)).body.attempts).toBeGreaterThanOrEqual(1));
    await eventually(() => expect(sim.get(id)?.state).toBe('running'));
    await t.request('POST', `/tasks/${taskId}/stop`);
    expect((await subtasksOf(t, taskId))[0]).toMatchObject({ state: 'stopping', desired_state: 'stop' });
    sim.hang(0);
    sim.silence(id, false);
    await eventually(() => expect(sim.get(id)?.state).toBe('stopped'));
    await waitForStates(t, taskId, all('stopped'));
  });

  it('ignores a late report for a subtask that was edited back to unconfigured', async () => {
    const { taskId, subtaskIds } = await createConfiguredTask(t, 1);
    const id = subtaskIds[0];
    await startAndWait(t, taskId);
    await stopAndWait(t, taskId);
    const config = (await t.request('GET', `/subtasks/${id}`)).body.mtasks;
    expect((await t.request('PUT', `/subtasks/${id}/config`, { body: { mtasks: config } })).status).toBe(200);
    expect((await subtasksOf(t, taskId))[0].state).toBe('unconfigured');
    const late = await t.request('POST', '/internal/subtask-reports', {
      token: INTERNAL_TOKEN,
      body: { reports: [{ subtask_id: id, generation: 1, state: 'stopped', reported_at: new Date().toISOString() }] },
    });
    expect(late.body.results).toEqual([{ subtask_id: id, applied: false, reason: 'not_dispatched' }]);
    expect((await subtasksOf(t, taskId))[0].state).toBe('unconfigured');
  });

  it('answers 404 for start and stop of unknown tasks and subtasks', async () => {
    for (const url of ['/tasks/nope/start', '/tasks/nope/stop', '/subtasks/nope/start', '/subtasks/nope/stop']) {
      const res = await t.request('POST', url);
      expect(res.status).toBe(404);
    }
    expect((await t.request('POST', '/tasks/nope/start', { token: 'viewer' })).status).toBe(403);
  });
});

describe.each(DATABASE_KINDS)('dispatch when the ops service is down, on %s', (kind) => {
  it('never fails a subtask for unavailability: it retries, says why, and runs once the ops service is back', async () => {
    const down = await OpsSimulator.start({});
    const deadUrl = down.url;
    const port = Number(new URL(deadUrl).port);
    await down.close();
    const rig = await startRig(kind, { OPS_BASE_URL: deadUrl });
    let back: OpsSimulator | undefined;
    try {
      const { taskId } = await createConfiguredTask(rig.t, 2);
      await rig.t.request('POST', `/tasks/${taskId}/start`);
      const list = await eventually(async () => {
        const rows = await subtasksOf(rig.t, taskId);
        for (const s of rows) expect(s.attempts).toBeGreaterThanOrEqual(3);
        return rows;
      });
      for (const s of list) {
        expect(s.state).toBe('dispatching');
        expect(s.status_reason).toMatch(
          /^dispatch: ops service unavailable: cannot reach http:\/\/127\.0\.0\.1:\d+: ECONNREFUSED; attempt \d+, next attempt at /,
        );
      }
      const task = (await rig.t.request('GET', `/tasks/${taskId}`, { lang: 'en' })).body;
      expect(task.status).toBe('starting');
      expect(task.status_reason).toMatch(/^2 of 2 subtasks dispatching: dispatch: ops service unavailable: cannot reach/);
      // Back on the same address: everything that should run runs, with no new start pressed.
      back = await OpsSimulator.start({ port, reportIntervalMs: 100, reportToken: INTERNAL_TOKEN });
      await waitForStates(rig.t, taskId, all('running'));
      await eventually(async () => expect((await rig.t.request('GET', `/tasks/${taskId}`)).body.status).toBe('running'));
    } finally {
      await back?.close();
      await rig.close();
    }
  });
});
