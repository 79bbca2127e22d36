import {
  DESIRED_STATES,
  DesiredState,
  SUBTASK_STATES,
  SubtaskState,
  SubtaskStatusInput,
  TASK_STATUSES,
  countStates,
  deriveTaskStatus,
  formatStatusReason,
  SubtaskStatusDetail,
  summarizeTaskStatus,
} from './task-status';

const st = (state: SubtaskState, desired_state: DesiredState = 'run'): SubtaskStatusInput => ({ state, desired_state });
const many = (count: number, state: SubtaskState, desired: DesiredState = 'run') => Array.from({ length: count }, () => st(state, desired));

describe('deriveTaskStatus', () => {
  it("answers the original's question: 3 running and 1 stopped is degraded, unless it was stopped on purpose", () => {
    expect(deriveTaskStatus([...many(3, 'running'), st('stopped')])).toBe('degraded');
    expect(deriveTaskStatus([...many(3, 'running'), st('stopped', 'stop')])).toBe('running');
  });

  it.each<[string, SubtaskStatusInput[], string]>([
    ['no subtasks', [], 'unconfigured'],
    ['a fresh task', many(4, 'unconfigured', 'idle'), 'unconfigured'],
    ['one subtask still unconfigured', [...many(3, 'configured', 'idle'), st('unconfigured', 'idle')], 'unconfigured'],
    ['unconfigured wins over everything', [st('running'), st('unconfigured')], 'unconfigured'],
    ['all configured, never started', many(2, 'configured', 'idle'), 'ready'],
    ['start requested, dispatch pending', many(2, 'configured'), 'starting'],
    ['scheduled before run_dt', many(2, 'scheduled'), 'waiting'],
    ['waiting with one stopped on purpose', [st('scheduled'), st('stopped', 'stop')], 'waiting'],
    ['waiting with one finished', [st('scheduled'), st('completed')], 'waiting'],
    ['one scheduled, one dispatching', [st('scheduled'), st('dispatching')], 'starting'],
    ['one scheduled while another runs', [st('scheduled'), st('running')], 'starting'],
    ['a scheduled one and a failed one', [st('scheduled'), st('failed')], 'failed'],
    ['half dispatched', [st('running'), st('dispatching')], 'starting'],
    ['starting with one stopped on purpose', [st('running'), st('dispatching'), st('stopped', 'stop')], 'starting'],
    ['starting with one stopped unexpectedly and one running', [st('running'), st('dispatching'), st('stopped')], 'degraded'],
    ['running with one stopping on purpose', [st('running'), st('stopping', 'stop')], 'running'],
    ['running with one never started (idle)', [st('running'), st('configured', 'idle')], 'running'],
    ['running with one failed after it was stopped on purpose', [st('running'), st('failed', 'stop')], 'running'],
    ['a restart under way (stopping while wanted running)', [st('stopping')], 'starting'],
    ['all running', many(4, 'running'), 'running'],
    ['running with finished picture work', [st('running'), st('completed')], 'running'],
    ['one failed among running', [st('running'), st('failed')], 'degraded'],
    ['one lost among running', [st('running'), st('lost')], 'degraded'],
    ['dispatching with a failure and one running', [st('running'), st('dispatching'), st('failed')], 'degraded'],
    ['none running, one failed', [st('failed'), st('stopped')], 'failed'],
    ['none running, one failed, the other stopped on purpose', [st('failed'), st('stopped', 'stop')], 'failed'],
    ['wanted running, reported stopped by the ops service', [st('stopped')], 'failed'],
    ['all lost', many(2, 'lost'), 'failed'],
    ['dispatching but one failed already, none running', [st('dispatching'), st('failed')], 'failed'],
    ['stop requested, still running', [st('running', 'stop'), st('stopped', 'stop')], 'stopping'],
    ['stop requested, stopping', many(2, 'stopping', 'stop'), 'stopping'],
    ['all stopped', many(3, 'stopped', 'stop'), 'stopped'],
    ['stopped before it ever ran', many(2, 'configured', 'stop'), 'stopped'],
    ['stopped after failures', [st('failed', 'stop'), st('stopped', 'stop')], 'stopped'],
    ['all completed', many(3, 'completed'), 'completed'],
    ['all completed after a stop', many(2, 'completed', 'stop'), 'completed'],
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
      const shouldRun = combo.filter((s) => s.desired_state === 'run');
      const runCounts = countStates(shouldRun);
      const brokenOfShould = runCounts.failed + runCounts.lost + runCounts.stopped;
      if (status === 'running') expect(runCounts.running + runCounts.completed).toBe(shouldRun.length);
      if (status === 'degraded') expect(runCounts.running > 0 && brokenOfShould > 0).toBe(true);
      if (status === 'failed') expect(runCounts.running === 0 && brokenOfShould > 0).toBe(true);
      if (status === 'starting' || status === 'waiting') expect(brokenOfShould).toBe(0);
      if (status === 'waiting') expect(runCounts.scheduled).toBeGreaterThan(0);
      if (status === 'waiting') expect(runCounts.running + runCounts.dispatching).toBe(0);
      // A subtask stopped on purpose never turns a task degraded or failed.
      if (brokenOfShould === 0) expect(['degraded', 'failed']).not.toContain(status);
      if (['waiting', 'starting', 'running', 'degraded', 'failed'].includes(status)) expect(wantRun).toBe(true);
      if (status === 'stopping') expect(wantRun).toBe(false);
      if (status === 'completed') expect(counts.completed).toBe(combo.length);
    }
  });
});

const detail = (
  state: SubtaskState,
  desired_state: DesiredState = 'run',
  status_reason: string | null = null,
  next_attempt_at: Date | null = null,
): SubtaskStatusDetail => ({
  state,
  desired_state,
  status_reason,
  next_attempt_at,
});

describe('summarizeTaskStatus and formatStatusReason', () => {
  const at = (iso: string) => new Date(iso);

  it.each<[string, SubtaskStatusDetail[], string | null, string | null]>([
    ['nothing to explain when running', [detail('running'), detail('stopped', 'stop')], null, null],
    ['nothing to explain when ready', [detail('configured', 'idle')], null, null],
    [
      'faults first, with one reason each, counted against the subtasks that should run',
      [
        ...Array.from({ length: 13 }, () => detail('running')),
        detail('failed', 'run', 'HTTP 400 from the ops service: unsupported codec'),
        detail('failed', 'run', 'another reason'),
        detail('lost', 'run', 'no report for 62 s'),
        detail('stopped', 'stop'),
      ],
      '2 of 16 subtasks failed: HTTP 400 from the ops service: unsupported codec; 1 lost: no report for 62 s',
      '16 个子任务中 2 个失败: HTTP 400 from the ops service: unsupported codec; 1 个失联: no report for 62 s',
    ],
    [
      'retries under way are named',
      [detail('running'), detail('dispatching', 'run', 'dispatch: ops service unavailable: ECONNREFUSED; attempt 3, next attempt at 2026-12-01T00:00:30.000Z')],
      '1 of 2 subtasks dispatching: dispatch: ops service unavailable: ECONNREFUSED; attempt 3, next attempt at 2026-12-01T00:00:30.000Z',
      '2 个子任务中 1 个下发中: dispatch: ops service unavailable: ECONNREFUSED; attempt 3, next attempt at 2026-12-01T00:00:30.000Z',
    ],
    ['waiting names how many wait', [detail('scheduled'), detail('scheduled')], '2 of 2 subtasks waiting for their time', '2 个子任务中 2 个等待运行时间'],
    ['one subtask is singular', [detail('failed', 'run', 'boom')], '1 of 1 subtask failed: boom', '1 个子任务中 1 个失败: boom'],
  ])('%s', (_name, subtasks, en, zh) => {
    const summary = summarizeTaskStatus(subtasks);
    expect(formatStatusReason(summary, 'en')).toBe(en);
    expect(formatStatusReason(summary, 'zh-CN')).toBe(zh);
  });

  it('gives the earliest due time of the subtasks that wait as next_transition_at', () => {
    const summary = summarizeTaskStatus([
      detail('scheduled', 'run', null, at('2026-12-02T08:00:00Z')),
      detail('scheduled', 'run', null, at('2026-12-01T22:00:00Z')),
      detail('stopped', 'stop', null, at('2026-12-01T01:00:00Z')),
    ]);
    expect(summary.status).toBe('waiting');
    expect(summary.next_transition_at).toEqual(at('2026-12-01T22:00:00Z'));
  });

  it('has no next transition when nothing waits', () => {
    expect(summarizeTaskStatus([detail('running', 'run', null, at('2026-12-01T22:00:00Z'))]).next_transition_at).toBeNull();
    expect(summarizeTaskStatus([detail('failed', 'run', 'x', at('2026-12-01T22:00:00Z'))]).next_transition_at).toBeNull();
  });

  it('keeps a long reason within the column', () => {
    const text = formatStatusReason(summarizeTaskStatus([detail('failed', 'run', 'x'.repeat(2000))]), 'en')!;
    expect(text.length).toBe(1024);
    expect(text.endsWith('…')).toBe(true);
  });

  it('agrees with deriveTaskStatus and countStates', () => {
    const rows = [detail('running'), detail('failed', 'run', 'boom'), detail('stopped', 'stop')];
    const summary = summarizeTaskStatus(rows);
    expect(summary.status).toBe(deriveTaskStatus(rows));
    expect(summary.counts).toEqual(countStates(rows));
    expect(summary.of).toBe(2);
  });
});
