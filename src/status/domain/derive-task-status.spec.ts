import {
  DESIRED_STATES,
  DesiredState,
  SUBTASK_STATES,
  SubtaskState,
  SubtaskStatusInput,
  TASK_STATUSES,
  countStates,
  deriveTaskStatus,
} from './derive-task-status';

const st = (state: SubtaskState, desired_state: DesiredState = 'run'): SubtaskStatusInput => ({ state, desired_state });
const many = (count: number, state: SubtaskState, desired: DesiredState = 'run') => Array.from({ length: count }, () => st(state, desired));

describe('deriveTaskStatus', () => {
  it("answers the original's question: 3 running and 1 stopped is degraded", () => {
    expect(deriveTaskStatus([...many(3, 'running'), st('stopped')])).toBe('degraded');
    expect(deriveTaskStatus([...many(3, 'running'), st('stopped', 'stop')])).toBe('degraded');
  });

  it.each<[string, SubtaskStatusInput[], string]>([
    ['no subtasks', [], 'unconfigured'],
    ['a fresh task', many(4, 'unconfigured', 'idle'), 'unconfigured'],
    ['one subtask still unconfigured', [...many(3, 'configured', 'idle'), st('unconfigured', 'idle')], 'unconfigured'],
    ['unconfigured wins over everything', [st('running'), st('unconfigured')], 'unconfigured'],
    ['all configured, never started', many(2, 'configured', 'idle'), 'ready'],
    ['start requested, dispatch pending', many(2, 'configured'), 'starting'],
    ['scheduled before run_dt', many(2, 'scheduled'), 'starting'],
    ['half dispatched', [st('running'), st('dispatching')], 'starting'],
    ['starting with one stopped', [st('running'), st('dispatching'), st('stopped', 'stop')], 'starting'],
    ['all running', many(4, 'running'), 'running'],
    ['running with finished picture work', [st('running'), st('completed')], 'running'],
    ['one failed among running', [st('running'), st('failed')], 'degraded'],
    ['one lost among running', [st('running'), st('lost')], 'degraded'],
    ['dispatching with a failure and one running', [st('running'), st('dispatching'), st('failed')], 'degraded'],
    ['none running, one failed', [st('failed'), st('stopped')], 'failed'],
    ['all lost', many(2, 'lost'), 'failed'],
    ['dispatching but one failed already, none running', [st('dispatching'), st('failed')], 'failed'],
    ['stop requested, still running', [st('running', 'stop'), st('stopped', 'stop')], 'stopping'],
    ['stop requested, stopping', many(2, 'stopping', 'stop'), 'stopping'],
    ['all stopped', many(3, 'stopped', 'stop'), 'stopped'],
    ['stopped before it ever ran', many(2, 'configured', 'stop'), 'stopped'],
    ['stopped after failures', [st('failed', 'stop'), st('stopped', 'stop')], 'stopped'],
    ['all completed', many(3, 'completed'), 'completed'],
    ['all completed after a stop', many(2, 'completed', 'stop'), 'completed'],
    ['want run but everything reported stopped and nothing pending', [st('stopping')], 'stopped'],
  ])('%s', (_name, subtasks, expected) => {
    expect(deriveTaskStatus(subtasks)).toBe(expected);
  });

  /** Every combination of up to three subtasks in every (state, desired) pair. */
  const pairs = SUBTASK_STATES.flatMap((s) => DESIRED_STATES.map((d) => st(s, d)));
  const combos: SubtaskStatusInput[][] = [];
  for (let a = 0; a < pairs.length; a++) {
    combos.push([pairs[a]]);
    for (let b = a; b < pairs.length; b++) {
      combos.push([pairs[a], pairs[b]]);
      for (let c = b; c < pairs.length; c++) combos.push([pairs[a], pairs[b], pairs[c]]);
    }
  }

  it(`is total and order-independent over all ${combos.length} combinations of up to 3 subtasks`, () => {
    for (const combo of combos) {
      const status = deriveTaskStatus(combo);
      expect(TASK_STATUSES).toContain(status);
      expect(deriveTaskStatus([...combo].reverse())).toBe(status);
    }
  });

  it('holds the invariants of the rule table over every combination', () => {
    for (const combo of combos) {
      const status = deriveTaskStatus(combo);
      const counts = countStates(combo);
      const wantRun = combo.some((s) => s.desired_state === 'run');
      if (counts.unconfigured > 0) expect(status).toBe('unconfigured');
      if (status === 'ready') expect(combo.every((s) => s.desired_state === 'idle')).toBe(true);
      if (status === 'running') expect(counts.running + counts.completed).toBe(combo.length);
      if (status === 'degraded') expect(counts.running).toBeGreaterThan(0);
      if (status === 'failed') expect(counts.running === 0 && counts.failed + counts.lost > 0).toBe(true);
      if (status === 'starting') expect(counts.failed + counts.lost).toBe(0);
      if (['starting', 'running', 'degraded', 'failed'].includes(status)) expect(wantRun).toBe(true);
      if (status === 'stopping') expect(wantRun).toBe(false);
      if (status === 'completed') expect(counts.completed).toBe(combo.length);
    }
  });
});
