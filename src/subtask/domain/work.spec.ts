import { DESIRED_STATES, DesiredState, SUBTASK_STATES, SubtaskState } from './states';
import { isDue, WORK_RULES, workFor, WorkKind } from './work';

describe('workFor', () => {
  const expected = (state: SubtaskState, desired: DesiredState): WorkKind | null => {
    if (state === 'lost') return 'probe';
    if (desired === 'run' && (state === 'scheduled' || state === 'dispatching')) return 'dispatch';
    if (desired === 'stop' && state === 'stopping') return 'stop';
    if (desired === 'run' && (state === 'running' || state === 'stopping')) return 'close';
    return null;
  };
  const every = SUBTASK_STATES.flatMap((state) => DESIRED_STATES.map((desired) => [state, desired] as const));

  it.each(every)('%s wanted %s', (state, desired) => {
    expect(workFor({ state, desired_state: desired })).toBe(expected(state, desired));
  });

  it('has one rule per kind of work, none overlapping', () => {
    for (const [state, desired] of every) {
      const matching = WORK_RULES.filter((r) => r.states.includes(state) && (r.desired === null || r.desired === desired));
      expect(matching.length).toBeLessThanOrEqual(1);
    }
  });
});

describe('isDue', () => {
  const now = new Date('2026-12-01T00:00:10Z');
  const base = {
    state: 'dispatching' as SubtaskState,
    desired_state: 'run' as DesiredState,
    next_attempt_at: new Date('2026-12-01T00:00:00Z') as Date | null,
    lease_until: null as Date | null,
  };

  it.each<[string, Partial<typeof base>, boolean]>([
    ['work whose time has come, unleased', {}, true],
    ['its attempt exactly now', { next_attempt_at: now }, true],
    ['its next attempt later (backoff)', { next_attempt_at: new Date('2026-12-01T00:00:11Z') }, false],
    ['no attempt time at all', { next_attempt_at: null }, false],
    ['held by a live lease', { lease_until: new Date('2026-12-01T00:00:20Z') }, false],
    ['a lease that ends exactly now still holds', { lease_until: now }, false],
    ['a lapsed lease (its owner died)', { lease_until: new Date('2026-12-01T00:00:09Z') }, true],
    ['nothing to do while running without a window to close', { state: 'running', next_attempt_at: null }, false],
    ['a schedule window to close', { state: 'running' }, true],
    ['a window that closes later', { state: 'running', next_attempt_at: new Date('2026-12-01T00:00:11Z') }, false],
    ['nothing to do when stopped', { state: 'stopped' }, false],
    ['a stop to confirm', { state: 'stopping', desired_state: 'stop' }, true],
    ['lost, whatever the wish', { state: 'lost', desired_state: 'stop' }, true],
  ])('%s', (_name, patch, due) => {
    expect(isDue({ ...base, ...patch }, now)).toBe(due);
  });
});
