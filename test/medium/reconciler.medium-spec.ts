import { OpsCircuitOpenError, OpsUnavailableError } from '../../src/dispatch/ops-client';
import { JournalRepository } from '../../src/journal/journal.repository';
import type { SubtaskRow } from '../../src/subtask/subtask.mapper';
import { SubtaskRepository } from '../../src/subtask/subtask.repository';
import { DATABASE_KINDS } from '../support/databases';
import { MediumApp, T0 } from './medium-app';

/**
 * The reconciler's outcomes, one pass at a time: the real module on a real database, a ManualClock
 * and a scripted ops service. Each pass is ReconcilerService.tick() plus the work it claimed.
 */
describe.each(DATABASE_KINDS)('reconciler (%s)', (kind) => {
  let app: MediumApp;

  beforeAll(async () => {
    app = await MediumApp.start(kind);
  });
  afterAll(async () => {
    await app?.close();
  });
  afterEach(async () => {
    jest.restoreAllMocks();
    await app.reset();
  });

  /** A configured task with one subtask in the given state, and its scene. */
  async function oneSubtask(overrides: Partial<SubtaskRow>): Promise<SubtaskRow> {
    const { task, subtasks } = await app.factory.taskWithSubtasks(1, overrides);
    await app.factory.scenes(task.id);
    return subtasks[0];
  }

  it('dispatch accepted: running, lease released, one call keyed by generation, its event and mark', async () => {
    const s = await oneSubtask({ state: 'dispatching' });

    await app.pass();

    const row = await app.subtask(s.id);
    expect(row).toMatchObject({ state: 'running', attempts: 0, next_attempt_at: null, lease_owner: null, lease_until: null, status_reason: null });
    expect(app.ops.callsOf('start')).toHaveLength(1);
    expect(app.ops.calls[0]).toMatchObject({ method: 'POST', path: '/subtasks', headers: { 'Idempotency-Key': `${s.id}:1` } });
    expect(await app.events(s.id)).toEqual([
      { kind: 'subtask.state', from_value: 'dispatching', to_value: 'running', actor_type: 'system', reason: null, at: T0 },
    ]);
    expect(await app.marks()).toEqual([{ task_id: s.task_id, marked_at: T0 }]);

    // Running needs no work: another pass calls nothing.
    await app.pass();
    expect(app.ops.calls).toHaveLength(1);
  });

  it('a 4xx refusal: failed with the ops service reason, its event and mark', async () => {
    const s = await oneSubtask({ state: 'dispatching' });
    app.ops.once('start', { status: 422, body: { reason: 'stream unreachable' } });

    await app.pass();

    const row = await app.subtask(s.id);
    expect(row.state).toBe('failed');
    expect(row.status_reason).toContain('stream unreachable');
    expect(row.next_attempt_at).toBeNull();
    expect(await app.events(s.id)).toEqual([expect.objectContaining({ from_value: 'dispatching', to_value: 'failed', reason: row.status_reason })]);
    expect(await app.marks()).toEqual([{ task_id: s.task_id, marked_at: T0 }]);
  });

  it('unavailable: still dispatching with attempts+1 and a backoff; not due before it, due after', async () => {
    const s = await oneSubtask({ state: 'dispatching' });
    app.ops.once('start', new OpsUnavailableError('HTTP 503 busy'));

    await app.pass();

    const row = await app.subtask(s.id);
    expect(row).toMatchObject({ state: 'dispatching', attempts: 1, lease_owner: null });
    expect(row.status_reason).toContain('ops service unavailable: HTTP 503 busy; attempt 1');
    // Attempt 1: a delay from the upper half of OPS_RETRY_BASE_MS (1,000 ms), jittered.
    expect(row.next_attempt_at).toBeGreaterThanOrEqual(T0 + 500);
    expect(row.next_attempt_at).toBeLessThanOrEqual(T0 + 1000);
    // No state change: no event, no mark.
    expect(await app.events(s.id)).toEqual([]);
    expect(await app.marks()).toEqual([]);

    // The clock has not moved: not due, no call.
    await app.pass();
    expect(app.ops.callsOf('start')).toHaveLength(1);

    app.clock.set(row.next_attempt_at!);
    await app.pass();
    expect(app.ops.callsOf('start')).toHaveLength(2);
    expect(await app.subtask(s.id)).toMatchObject({ state: 'running', attempts: 0 });
  });

  it('the breaker open: no attempt used, due again when the breaker lets a trial call through', async () => {
    const s = await oneSubtask({ state: 'dispatching', attempts: 3 });
    app.ops.once('start', new OpsCircuitOpenError('HTTP 503 busy', new Date(T0 + 5000)));

    await app.pass();

    const row = await app.subtask(s.id);
    expect(row).toMatchObject({ state: 'dispatching', attempts: 3, next_attempt_at: T0 + 5000, lease_owner: null });
    expect(row.status_reason).toContain('waiting for the ops service to recover');
    await app.pass();
    expect(app.ops.calls).toHaveLength(1);
  });

  it('lost after the heartbeat timeout, probed, and converged on what the ops service says', async () => {
    const s = await oneSubtask({ state: 'running', heartbeat_at: new Date(T0) });
    app.ops.always('get', { status: 200, body: { generation: 1, state: 'running', progress: 40 } });

    // Silent for exactly the timeout: not lost yet.
    app.clock.set(T0 + 60_000);
    await app.pass();
    expect((await app.subtask(s.id)).state).toBe('running');
    expect(app.ops.calls).toEqual([]);

    app.clock.set(T0 + 60_001);
    await app.pass();

    expect(app.ops.callsOf('get')).toEqual([expect.objectContaining({ method: 'GET', path: `/subtasks/${s.id}` })]);
    const row = await app.subtask(s.id);
    expect(row).toMatchObject({ state: 'running', progress: 40, lease_owner: null });
    expect(await app.events(s.id)).toEqual([
      expect.objectContaining({ from_value: 'running', to_value: 'lost', reason: 'no report for more than 60 s', at: T0 + 60_001 }),
      expect.objectContaining({ from_value: 'lost', to_value: 'running', at: T0 + 60_001 }),
    ]);
    expect(await app.marks()).toEqual([{ task_id: s.task_id, marked_at: T0 + 60_001 }]);
  });

  it('a lost subtask the ops service forgot is dispatched again under a new generation', async () => {
    const s = await oneSubtask({ state: 'lost' });

    await app.pass();
    expect(await app.subtask(s.id)).toMatchObject({ state: 'dispatching', generation: 2, attempts: 0 });

    await app.pass();
    expect(await app.subtask(s.id)).toMatchObject({ state: 'running', generation: 2 });
    expect(app.ops.callsOf('start')[0].headers).toEqual({ 'Idempotency-Key': `${s.id}:2` });
  });

  it('a stop is confirmed: stopped, its event and mark', async () => {
    const s = await oneSubtask({ state: 'stopping', desired_state: 'stop' });

    await app.pass();

    expect(app.ops.calls).toEqual([expect.objectContaining({ operation: 'stop', path: `/subtasks/${s.id}/stop`, body: { generation: 1 } })]);
    expect(await app.subtask(s.id)).toMatchObject({ state: 'stopped', next_attempt_at: null, lease_owner: null });
    expect(await app.events(s.id)).toEqual([expect.objectContaining({ from_value: 'stopping', to_value: 'stopped' })]);
    expect(await app.marks()).toEqual([{ task_id: s.task_id, marked_at: T0 }]);
  });

  it("another owner's live lease is left alone; once it lapses the work is taken over", async () => {
    const s = await oneSubtask({ state: 'dispatching', lease_owner: 'other-replica:1#7', lease_until: new Date(T0 + 10_000) });

    await app.pass();
    expect(app.ops.calls).toEqual([]);
    expect(await app.subtask(s.id)).toMatchObject({ state: 'dispatching', lease_owner: 'other-replica:1#7' });

    expect(await app.events(s.id)).toEqual([]);

    app.clock.set(T0 + 10_001);
    await app.pass();
    expect(app.ops.callsOf('start')).toHaveLength(1);
    expect(await app.subtask(s.id)).toMatchObject({ state: 'running', lease_owner: null });
    // The takeover is on the record, naming whose claim lapsed and when, before the outcome it led to.
    const [taken, outcome, ...rest] = await app.events(s.id);
    expect(taken).toMatchObject({ kind: 'subtask.takeover', from_value: 'dispatching', to_value: 'dispatching', actor_type: 'system', at: T0 + 10_001 });
    expect(taken.reason).toMatch(/^claim of other-replica:1#7 lapsed at 2026-03-02T08:00:10\.000Z; continued by .+:\d+:/);
    expect(outcome).toMatchObject({ kind: 'subtask.state', from_value: 'dispatching', to_value: 'running' });
    expect(rest).toEqual([]);
  });

  it('a claim handed back (no lease left) is not a takeover', async () => {
    const s = await oneSubtask({ state: 'dispatching', lease_owner: null, lease_until: null });
    await app.pass();
    expect((await app.events(s.id)).map((e) => e.kind)).toEqual(['subtask.state']);
  });

  it('the next pass comes when the earliest work falls due, among states and wishes that call for work', async () => {
    const at = (ms: number) => new Date(T0 + ms);
    const repository = app.get(SubtaskRepository);
    expect(await repository.nextDueAfter(new Date(T0))).toBeNull();
    // Not work, however early: configured, stopped, failed, and a stop already stopped.
    await oneSubtask({ state: 'configured', next_attempt_at: at(1_000) });
    await oneSubtask({ state: 'failed', desired_state: 'run', next_attempt_at: at(1_000) });
    await oneSubtask({ state: 'stopped', desired_state: 'stop', next_attempt_at: at(1_000) });
    // Work, in order of time: a window's close (running), a retry (dispatching), a probe (lost, either wish).
    await oneSubtask({ state: 'running', desired_state: 'run', next_attempt_at: at(9_000) });
    await oneSubtask({ state: 'dispatching', desired_state: 'run', next_attempt_at: at(7_000) });
    await oneSubtask({ state: 'lost', desired_state: 'stop', next_attempt_at: at(5_000) });
    // Due already (not after now): for this pass, not the next.
    await oneSubtask({ state: 'scheduled', desired_state: 'run', next_attempt_at: at(0) });

    expect((await repository.nextDueAfter(new Date(T0)))?.getTime()).toBe(T0 + 5_000);
    expect((await repository.nextDueAfter(at(5_000)))?.getTime()).toBe(T0 + 7_000);
    expect((await repository.nextDueAfter(at(7_000)))?.getTime()).toBe(T0 + 9_000);
    expect(await repository.nextDueAfter(at(9_000))).toBeNull();
  });

  it('the outcome, its event and its mark commit together: a failed journal write leaves none of them', async () => {
    const s = await oneSubtask({ state: 'dispatching' });
    const journal = app.get(JournalRepository);
    const append = journal.append.bind(journal);
    // Fails the first append with an event in it (the lost-subtask check appends none).
    let failed = false;
    jest.spyOn(journal, 'append').mockImplementation((em, events, at) => {
      if (failed || !events.some(Boolean)) return append(em, events, at);
      failed = true;
      return Promise.reject(new Error('journal write failed'));
    });

    await app.pass();

    const row = await app.subtask(s.id);
    expect(row).toMatchObject({ state: 'dispatching', lease_owner: null });
    expect(await app.events(s.id)).toEqual([]);
    expect(await app.marks()).toEqual([]);
    // The claim was handed back with a short retry (OPS_RETRY_BASE_MS), then the outcome is written.
    expect(row.next_attempt_at).toBe(T0 + 1000);
    app.clock.set(T0 + 1000);
    await app.pass();
    expect((await app.subtask(s.id)).state).toBe('running');
    expect(await app.events(s.id)).toHaveLength(1);
  });
});
