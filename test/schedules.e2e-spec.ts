import { ManualClock } from '../src/common/time/clock';
import { ReconcilerService } from '../src/dispatch/reconciler.service';
import { OpsSimulator } from '../tools/ops-sim/ops-simulator';
import { INTERNAL_TOKEN, TestApp } from './support/app';
import { createTestDatabase, DATABASE_KINDS, TestDatabase } from './support/databases';
import { createConfiguredTask, FAST_DISPATCH_ENV, postsPerKey, subtasksOf } from './support/dispatch';
import { eventually } from './support/eventually';

const MINUTE = 60_000;
const hhmm = (at: Date) => at.toISOString().slice(11, 16);

/** A daily window in UTC opening at the first whole minute at least two minutes after `now`, open for three minutes. */
function windowAfter(now: Date): { open: Date; close: Date; schedule: object } {
  const open = new Date(Math.ceil((now.getTime() + 2 * MINUTE) / MINUTE) * MINUTE);
  const close = new Date(open.getTime() + 3 * MINUTE);
  return { open, close, schedule: { timezone: 'UTC', windows: [{ days: [1, 2, 3, 4, 5, 6, 7], start: hhmm(open), end: hhmm(close) }] } };
}

describe.each(DATABASE_KINDS)('schedules on %s', (kind) => {
  let db: TestDatabase;
  let sim: OpsSimulator;
  const apps: TestApp[] = [];
  // The service's "now" stands still until the test moves it; real time only paces the HTTP traffic.
  const clock = new ManualClock(Date.now());
  const env = { ...FAST_DISPATCH_ENV, HEARTBEAT_TIMEOUT_MS: String(24 * 60 * MINUTE), RECONCILE_INTERVAL_MS: '100' };

  async function boot(): Promise<TestApp> {
    const t = await TestApp.start(kind, { ...env, OPS_BASE_URL: sim.url }, db, { clock });
    apps.push(t);
    sim.setOptions({ reportUrl: `${await t.listen()}/internal/subtask-reports` });
    return t;
  }

  const states = async (t: TestApp, taskId: string) => (await subtasksOf(t, taskId)).map((s) => s.state);
  const tickAll = () => Promise.all(apps.map((t) => t.app.get(ReconcilerService).tick()));

  beforeAll(async () => {
    db = await createTestDatabase(kind);
    sim = await OpsSimulator.start({ reportIntervalMs: 100, reportToken: INTERNAL_TOKEN });
  });

  afterEach(async () => {
    while (apps.length) await apps.pop()!.close({ keepDatabase: true });
  });

  afterAll(async () => {
    await sim.close();
    await db.drop();
  });

  it('waits outside the window, runs at its opening, stops at its close and waits for the next, once per window', async () => {
    const t = await boot();
    const { open, close, schedule } = windowAfter(clock.now());
    const { taskId, subtaskIds } = await createConfiguredTask(t, 2, { schedule });
    expect((await t.request('GET', `/tasks/${taskId}`)).body.schedule).toEqual(schedule);

    const start = await t.request('POST', `/tasks/${taskId}/start`);
    expect(start.body.status).toBe('waiting');
    const waiting = (await t.request('GET', `/tasks/${taskId}`, { lang: 'en' })).body;
    expect(waiting.status).toBe('waiting');
    expect(waiting.status_reason).toBe(
      '2 of 2 subtasks waiting for their time: outside the schedule; the next window opens at ' + open.toISOString().replace('.000Z', 'Z'),
    );
    const preview = (await t.request('GET', `/tasks/${taskId}/schedule/preview?count=3`)).body;
    expect(preview.transitions.map((x: { at_utc: string; kind: string }) => [x.kind, x.at_utc])).toEqual([
      ['open', open.toISOString()],
      ['close', close.toISOString()],
      ['open', new Date(open.getTime() + 24 * 60 * MINUTE).toISOString()],
    ]);
    await tickAll();
    expect(await states(t, taskId)).toEqual(['scheduled', 'scheduled']);
    expect(
      postsPerKey(
        sim,
        subtaskIds.map((id) => `${id}:1`),
      ),
    ).toEqual([0, 0]);

    // The opening: dispatched once, under the generation the start gave it.
    clock.set(open.getTime() + 1_000);
    await tickAll();
    await eventually(async () => expect(await states(t, taskId)).toEqual(['running', 'running']));
    expect((await t.request('GET', `/tasks/${taskId}`)).body.status).toBe('running');
    // Many passes inside the window dispatch nothing more.
    for (let i = 0; i < 5; i++) await tickAll();
    expect(
      postsPerKey(
        sim,
        subtaskIds.map((id) => `${id}:1`),
      ),
    ).toEqual([1, 1]);

    // The close: stopped at the ops service, then waiting for tomorrow's window under the next generation.
    clock.set(close.getTime() + 1_000);
    await tickAll();
    await eventually(async () => expect(await states(t, taskId)).toEqual(['scheduled', 'scheduled']));
    for (const id of subtaskIds) expect(sim.get(id)?.state).toBe('stopped');
    const after = await subtasksOf(t, taskId);
    expect(after.map((s) => [s.desired_state, s.generation])).toEqual([
      ['run', 2],
      ['run', 2],
    ]);
    expect((await t.request('GET', `/tasks/${taskId}`)).body.status).toBe('waiting');

    // The next day's opening starts generation 2, once.
    clock.set(open.getTime() + 24 * 60 * MINUTE + 1_000);
    await tickAll();
    await eventually(async () => expect(await states(t, taskId)).toEqual(['running', 'running']));
    expect(
      postsPerKey(
        sim,
        subtaskIds.map((id) => `${id}:2`),
      ),
    ).toEqual([1, 1]);
  });

  it('keeps running through a restart inside the window, and dispatches once when two replicas meet an opening', async () => {
    const first = await boot();
    const { open, schedule } = windowAfter(clock.now());
    const { taskId, subtaskIds } = await createConfiguredTask(first, 4, { schedule });
    await first.request('POST', `/tasks/${taskId}/start`);
    const second = await boot();
    clock.set(open.getTime() + 1_000);
    await tickAll();
    await eventually(async () => expect(await states(second, taskId)).toEqual(['running', 'running', 'running', 'running']));
    expect(
      postsPerKey(
        sim,
        subtaskIds.map((id) => `${id}:1`),
      ),
    ).toEqual([1, 1, 1, 1]);

    // A restart in the middle of the window changes nothing: no second dispatch.
    while (apps.length) await apps.pop()!.close({ keepDatabase: true });
    clock.advance(MINUTE);
    const restarted = await boot();
    for (let i = 0; i < 3; i++) await tickAll();
    expect(await states(restarted, taskId)).toEqual(['running', 'running', 'running', 'running']);
    expect(
      postsPerKey(
        sim,
        subtaskIds.map((id) => `${id}:1`),
      ),
    ).toEqual([1, 1, 1, 1]);
  });

  it('starts late when the service was down at the opening, skips a window already over, and a stop wins over the schedule', async () => {
    const t = await boot();
    const { open, close, schedule } = windowAfter(clock.now());
    const { taskId, subtaskIds } = await createConfiguredTask(t, 1, { schedule });
    await t.request('POST', `/tasks/${taskId}/start`);
    // Down through a whole window: it is not run late, it waits for the next one.
    clock.set(close.getTime() + MINUTE);
    await tickAll();
    await eventually(async () => expect((await subtasksOf(t, taskId))[0].next_attempt_at).not.toBeNull());
    expect(await states(t, taskId)).toEqual(['scheduled']);
    expect(postsPerKey(sim, [`${subtaskIds[0]}:1`])).toEqual([0]);
    // Back in the middle of the next window: it starts late.
    clock.set(open.getTime() + 24 * 60 * MINUTE + MINUTE);
    await tickAll();
    await eventually(async () => expect(await states(t, taskId)).toEqual(['running']));
    // A stop wins: stopped, and the next opening leaves it stopped.
    await t.request('POST', `/tasks/${taskId}/stop`);
    await eventually(async () => expect(await states(t, taskId)).toEqual(['stopped']));
    clock.set(open.getTime() + 48 * 60 * MINUTE + 1_000);
    for (let i = 0; i < 3; i++) await tickAll();
    expect((await subtasksOf(t, taskId))[0]).toMatchObject({ state: 'stopped', desired_state: 'stop' });
    expect((await t.request('GET', `/tasks/${taskId}`)).body.status).toBe('stopped');
  });

  it('refuses a bad schedule naming the field, and changes nothing', async () => {
    const t = await boot();
    const before = await t.count('tb_task');
    const res = await t.request('POST', '/tasks', {
      lang: 'en',
      body: {
        ...(await import('./support/fixtures')).videoTask({ schedule: { timezone: 'Mars/Olympus', windows: [{ days: [8], start: '25:00', end: '07:00' }] } }),
      },
    });
    expect(res.status).toBe(400);
    const fields = res.body.errors.map((e: { field: string }) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['schedule.timezone', 'schedule.windows[0].days', 'schedule.windows[0].start']));
    expect(await t.count('tb_task')).toBe(before);
  });
});
