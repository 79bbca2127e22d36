import { DESIRED_STATES, SUBTASK_STATES, SubtaskState } from '../../task/domain/task-status';
import { classifyOpsAnswer, judgeReport as judge, observedState, planStart, planStop, SubtaskControl } from './transitions';

const now = new Date('2026-11-26T08:00:00.000Z');
const past = new Date('2026-11-26T07:00:00.000Z');
const future = new Date('2026-11-26T09:00:00.000Z');
const sub = (state: SubtaskState, desired: SubtaskControl['desired_state'] = 'idle', extra: Partial<SubtaskControl> = {}): SubtaskControl => ({
  state,
  desired_state: desired,
  generation: 3,
  reported_at: null,
  ...extra,
});

describe('planStart', () => {
  it('dispatches a configured subtask now when run_dt has passed, under a new generation', () => {
    expect(planStart(sub('configured'), past, now)).toEqual({ desired_state: 'run', state: 'dispatching', bumpGeneration: true, next_attempt_at: now });
  });

  it('schedules it for run_dt when run_dt is ahead', () => {
    expect(planStart(sub('configured'), future, now)).toEqual({ desired_state: 'run', state: 'scheduled', bumpGeneration: true, next_attempt_at: future });
  });

  it('treats run_dt equal to now as due', () => {
    expect(planStart(sub('configured'), now, now)?.state).toBe('dispatching');
  });

  it.each(['scheduled', 'dispatching', 'running', 'lost'] as const)('changes nothing when already %s and wanted running', (state) => {
    expect(planStart(sub(state, 'run'), past, now)).toBeNull();
  });

  it('never starts an unconfigured subtask', () => {
    for (const desired of DESIRED_STATES) expect(planStart(sub('unconfigured', desired), past, now)).toBeNull();
  });

  it.each(['configured', 'stopped', 'failed', 'completed', 'stopping'] as const)('starts again from %s under a new generation', (state) => {
    expect(planStart(sub(state, 'stop'), past, now)).toMatchObject({ state: 'dispatching', bumpGeneration: true, desired_state: 'run' });
  });

  it('covers every state and desired state', () => {
    for (const state of SUBTASK_STATES) {
      for (const desired of DESIRED_STATES) {
        const plan = planStart(sub(state, desired), past, now);
        if (plan) expect(plan).toMatchObject({ desired_state: 'run', bumpGeneration: true });
        else expect(state === 'unconfigured' || (desired === 'run' && ['scheduled', 'dispatching', 'running', 'lost'].includes(state))).toBe(true);
      }
    }
  });
});

describe('planStop', () => {
  it.each(['scheduled', 'configured'] as const)('stops a %s subtask at once: it never reached the ops service', (state) => {
    expect(planStop(sub(state, 'run'), now)).toEqual({ desired_state: 'stop', state: 'stopped', bumpGeneration: false, next_attempt_at: null });
  });

  it.each(['dispatching', 'running', 'lost', 'stopping'] as const)('asks the ops service to stop a %s subtask', (state) => {
    expect(planStop(sub(state, 'run'), now)).toEqual({ desired_state: 'stop', state: 'stopping', bumpGeneration: false, next_attempt_at: now });
  });

  it.each(['stopped', 'failed', 'completed'] as const)('only records the wish for a %s subtask', (state) => {
    expect(planStop(sub(state, 'run'), now)).toEqual({ desired_state: 'stop', state, bumpGeneration: false, next_attempt_at: null });
  });

  it('changes nothing unless the subtask is wanted running', () => {
    for (const state of SUBTASK_STATES) {
      expect(planStop(sub(state, 'idle'), now)).toBeNull();
      expect(planStop(sub(state, 'stop'), now)).toBeNull();
    }
  });
});

describe('judgeReport', () => {
  const at = (s: string) => new Date(`2026-11-26T08:00:${s}.000Z`);
  const judgeReport = (subtask: SubtaskControl, report: Parameters<typeof judge>[1]) => judge(subtask, report, now);

  it.each(['unconfigured', 'configured'] as const)('ignores a report for a %s subtask: nothing of it was dispatched', (state) => {
    expect(judgeReport(sub(state, 'stop'), { generation: 3, state: 'stopped', reported_at: at('01') })).toEqual({ applied: false, reason: 'not_dispatched' });
  });

  it('refuses a report from a clock more than five minutes ahead, and accepts one just inside', () => {
    const ahead = (ms: number) => new Date(now.getTime() + ms);
    expect(judgeReport(sub('running', 'run'), { generation: 3, state: 'running', reported_at: ahead(5 * 60_000 + 1) })).toEqual({
      applied: false,
      reason: 'clock_ahead',
    });
    expect(judgeReport(sub('running', 'run'), { generation: 3, state: 'running', reported_at: ahead(5 * 60_000) })).toEqual({
      applied: true,
      state: 'running',
    });
  });

  it('applies the first report of the current generation', () => {
    expect(judgeReport(sub('dispatching', 'run'), { generation: 3, state: 'running', reported_at: at('01') })).toEqual({ applied: true, state: 'running' });
  });

  it('applies a newer report and ignores an older or equal one', () => {
    const current = sub('running', 'run', { reported_at: at('05') });
    expect(judgeReport(current, { generation: 3, state: 'failed', reported_at: at('06') })).toEqual({ applied: true, state: 'failed' });
    expect(judgeReport(current, { generation: 3, state: 'failed', reported_at: at('04') })).toEqual({ applied: false, reason: 'stale' });
    expect(judgeReport(current, { generation: 3, state: 'running', reported_at: at('05') })).toEqual({ applied: false, reason: 'stale' });
  });

  it('ignores reports of an older generation even when newer in time', () => {
    expect(judgeReport(sub('running', 'run', { reported_at: at('05') }), { generation: 2, state: 'failed', reported_at: at('59') })).toEqual({
      applied: false,
      reason: 'stale_generation',
    });
  });

  it('ignores reports of a generation never dispatched', () => {
    expect(judgeReport(sub('running', 'run'), { generation: 4, state: 'running', reported_at: at('01') })).toEqual({
      applied: false,
      reason: 'unknown_generation',
    });
  });

  it('keeps a pending stop when the ops service still says running, and accepts its stopped', () => {
    expect(judgeReport(sub('stopping', 'stop'), { generation: 3, state: 'running', reported_at: at('01') })).toEqual({ applied: true, state: 'stopping' });
    expect(judgeReport(sub('stopping', 'stop'), { generation: 3, state: 'stopped', reported_at: at('02') })).toEqual({ applied: true, state: 'stopped' });
  });

  it('brings a lost subtask back when it reports again', () => {
    expect(judgeReport(sub('lost', 'run', { reported_at: at('01') }), { generation: 3, state: 'running', reported_at: at('30') })).toEqual({
      applied: true,
      state: 'running',
    });
  });

  it('converges on the newest report whatever the delivery order', () => {
    const reports = [
      { generation: 3, state: 'running' as const, reported_at: at('01') },
      { generation: 3, state: 'running' as const, reported_at: at('02') },
      { generation: 3, state: 'failed' as const, reported_at: at('03') },
    ];
    const orders = [
      [0, 1, 2],
      [2, 1, 0],
      [1, 2, 0],
      [2, 0, 1],
      [0, 2, 1, 2, 0],
    ];
    for (const order of orders) {
      let current = sub('dispatching', 'run');
      for (const i of order) {
        const verdict = judgeReport(current, reports[i]);
        if (verdict.applied) current = { ...current, state: verdict.state, reported_at: reports[i].reported_at };
      }
      expect(current).toMatchObject({ state: 'failed', reported_at: at('03') });
    }
  });
});

describe('classifyOpsAnswer', () => {
  it.each([200, 201, 202, 204])('takes %i as success', (status) => {
    expect(classifyOpsAnswer(status, {}, 3)).toEqual({ kind: 'ok' });
  });

  it('takes 409 for the same generation as success, and for another as refusal', () => {
    expect(classifyOpsAnswer(409, { generation: 3 }, 3)).toEqual({ kind: 'ok' });
    expect(classifyOpsAnswer(409, { error: 'stale generation', generation: 5 }, 3)).toEqual({ kind: 'refused', reason: 'HTTP 409: stale generation' });
  });

  it.each([400, 401, 403, 404, 422])('refuses on %i with the ops service reason', (status) => {
    expect(classifyOpsAnswer(status, { reason: 'camera offline' }, 3)).toEqual({ kind: 'refused', reason: `HTTP ${status}: camera offline` });
  });

  it.each([429, 500, 502, 503, 504])('retries on %i', (status) => {
    expect(classifyOpsAnswer(status, 'gateway', 3)).toEqual({ kind: 'retry', reason: `HTTP ${status}: HTTP ${status}` });
  });

  it('reads the reason from error, message or enote and bounds its length', () => {
    expect(classifyOpsAnswer(400, { message: 'bad url' }, 1)).toEqual({ kind: 'refused', reason: 'HTTP 400: bad url' });
    expect(classifyOpsAnswer(400, { enote: 'x'.repeat(900) }, 1)).toMatchObject({ reason: `HTTP 400: ${'x'.repeat(500)}` });
  });
});

describe('observedState', () => {
  it('maps the states the ops service reports and nothing else', () => {
    expect(['running', 'stopped', 'failed', 'completed', 'queued', 7, null].map(observedState)).toEqual([
      'running',
      'stopped',
      'failed',
      'completed',
      null,
      null,
      null,
    ]);
  });
});
