import { BatchReport, judgeBatch, ReportRow } from './report-batch';

const now = new Date('2026-12-01T00:10:00Z');
const t = (s: number) => new Date(Date.parse('2026-12-01T00:00:00Z') + s * 1000);
const row = (id: string, over: Partial<ReportRow> = {}): ReportRow => ({
  id,
  task_id: `task-of-${id}`,
  state: 'running',
  desired_state: 'run',
  generation: 1,
  reported_at: t(0),
  next_attempt_at: null,
  ...over,
});
let index = 0;
const report = (subtask_id: string, state: BatchReport['state'], at: number, over: Partial<BatchReport> = {}): BatchReport => ({
  index: index++,
  subtask_id,
  generation: 1,
  state,
  at: t(at),
  ...over,
});

beforeEach(() => {
  index = 0;
});

describe('judgeBatch', () => {
  it('answers every report in batch order, refusing unknown subtasks', () => {
    const judged = judgeBatch(
      [report('b', 'running', 5), report('zz', 'running', 5), report('a', 'failed', 6, { status_reason: 'decoder crashed' })],
      [row('a'), row('b')],
      now,
    );
    expect(judged.results).toEqual([
      { subtask_id: 'b', applied: true },
      { subtask_id: 'zz', applied: false, reason: 'unknown_subtask' },
      { subtask_id: 'a', applied: true },
    ]);
  });

  it('writes heartbeats without a state change, event or task to refresh', () => {
    const judged = judgeBatch([report('a', 'running', 5, { progress: 40 }), report('b', 'running', 5)], [row('a'), row('b')], now);
    expect(judged.writes.map((w) => [w.id, w.state, w.progress, w.reported_at])).toEqual([
      ['a', 'running', 40, t(5)],
      ['b', 'running', null, t(5)],
    ]);
    expect(judged.stateChanges).toEqual([]);
    expect(judged.tasks.size).toBe(0);
  });

  it('judges one subtask oldest first, whatever the order in the batch, and keeps the newest', () => {
    const judged = judgeBatch([report('a', 'failed', 9, { status_reason: 'later' }), report('a', 'running', 7)], [row('a')], now);
    expect(judged.results.map((r) => r.applied)).toEqual([true, true]);
    expect(judged.writes).toEqual([{ id: 'a', state: 'failed', status_reason: 'later', progress: null, reported_at: t(9), next_attempt_at: null }]);
    expect(judged.stateChanges.map((c) => [c.from, c.to, c.reason])).toEqual([['running', 'failed', 'later']]);
    expect([...judged.tasks]).toEqual(['task-of-a']);
  });

  it('journals the net change only: a flip and a flip back in one batch is no state change', () => {
    const judged = judgeBatch([report('a', 'failed', 5), report('a', 'running', 6)], [row('a')], now);
    expect(judged.writes[0].state).toBe('running');
    expect(judged.stateChanges).toEqual([]);
  });

  it.each<[string, Partial<ReportRow>, BatchReport['state'], Partial<BatchReport>, string | null]>([
    ['an older generation', { generation: 2 }, 'failed', { generation: 1 }, 'stale_generation'],
    ['a newer, unknown generation', {}, 'failed', { generation: 2 }, 'unknown_generation'],
    ['not newer than the last applied', { reported_at: t(5) }, 'failed', {}, 'stale'],
    ['a subtask never dispatched', { state: 'configured' }, 'running', {}, 'not_dispatched'],
  ])('refuses %s', (_name, over, state, reportOver, reason) => {
    const judged = judgeBatch([report('a', state, 5, reportOver)], [row('a', over)], now);
    expect(judged.results).toEqual([{ subtask_id: 'a', applied: false, reason }]);
    expect(judged.writes).toEqual([]);
  });

  it('keeps a pending stop: running while wanted stopped is stopping, due for another stop call now', () => {
    const judged = judgeBatch([report('a', 'running', 5)], [row('a', { desired_state: 'stop', state: 'running' })], now);
    expect(judged.writes[0]).toMatchObject({ state: 'stopping', next_attempt_at: now });
    expect(judged.stateChanges.map((c) => [c.from, c.to])).toEqual([['running', 'stopping']]);
  });

  it('lets a later report of the same batch build on an earlier one', () => {
    // The first makes it stopping (a stop is wanted); the second, stopped, then applies to that.
    const judged = judgeBatch([report('a', 'running', 5), report('a', 'stopped', 6)], [row('a', { desired_state: 'stop' })], now);
    expect(judged.writes[0].state).toBe('stopped');
    expect(judged.stateChanges.map((c) => [c.from, c.to])).toEqual([['running', 'stopped']]);
  });
});
