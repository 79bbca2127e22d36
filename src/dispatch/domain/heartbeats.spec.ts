import { DESIRED_STATES, SUBTASK_STATES } from '../../subtask/domain/states';
import { appliesAsHeartbeat, heartbeatWrite, mayWriteAsHeartbeats, ReportedStates } from './heartbeats';
import { BatchReport, judgeBatch } from './report-batch';
import { judgeReport, REPORT_CLOCK_TOLERANCE_MS, REPORTED_STATES } from './transitions';

const NOW = new Date('2026-12-01T08:00:00.000Z');
const at = (ms: number) => new Date(NOW.getTime() + ms);

describe('appliesAsHeartbeat', () => {
  // Every stored state and desire, generation older/same/newer, stored time none/older/same/newer, every reported state.
  const cases = SUBTASK_STATES.flatMap((state) =>
    DESIRED_STATES.flatMap((desired_state) =>
      [4, 5, 6].flatMap((reportGeneration) =>
        [null, at(-2000), at(-1000), at(0)].flatMap((reported_at) =>
          REPORTED_STATES.map((reported) => ({
            row: { state, desired_state, generation: 5, reported_at },
            report: { generation: reportGeneration, state: reported, reported_at: at(-1000) },
          })),
        ),
      ),
    ),
  );

  it(`is exactly judgeReport applying a report and keeping the state, over ${cases.length} cases`, () => {
    expect(cases.length).toBe(SUBTASK_STATES.length * DESIRED_STATES.length * 3 * 4 * REPORTED_STATES.length);
    const disagreements = cases.filter(({ row, report }) => {
      const verdict = judgeReport(row, report, NOW);
      const keepsState = verdict.applied && verdict.state === row.state && report.state === row.state;
      return appliesAsHeartbeat(row, report) !== keepsState;
    });
    expect(disagreements).toEqual([]);
    // Both answers occur, so the comparison is not vacuous.
    expect(cases.some(({ row, report }) => appliesAsHeartbeat(row, report))).toBe(true);
    expect(cases.some(({ row, report }) => !appliesAsHeartbeat(row, report))).toBe(true);
  });
});

describe('mayWriteAsHeartbeats', () => {
  const report = (subtask_id: string, state: BatchReport['state'] = 'running', ms = -1000, index = 0): BatchReport => ({
    index,
    subtask_id,
    generation: 1,
    state,
    at: at(ms),
  });
  const known = new Map<string, string>([
    ['a', 'running'],
    ['b', 'failed'],
  ]);
  const last = (id: string) => known.get(id) as ReturnType<ReportedStates['get']>;

  it.each([
    ['every report repeats the last state seen', [report('a'), report('b', 'failed')], true],
    ['a report changes the last state seen', [report('a'), report('b', 'running')], false],
    ['a subtask not seen yet', [report('a'), report('c')], false],
    ['two reports for one subtask', [report('a'), report('a', 'running', -500)], false],
    ['a report from a clock too far ahead', [report('a', 'running', REPORT_CLOCK_TOLERANCE_MS + 1)], false],
    ['a report just within the tolerance', [report('a', 'running', REPORT_CLOCK_TOLERANCE_MS)], true],
    ['an empty batch', [], false],
  ])('%s', (_name, reports, expected) => {
    expect(mayWriteAsHeartbeats(reports, NOW, last)).toBe(expected);
  });
});

describe('heartbeatWrite', () => {
  it.each(['running', 'failed', 'stopped', 'completed'] as const)('writes what judgeBatch writes for a %s heartbeat, but the state', (state) => {
    const row = { id: 's', task_id: 't', state, desired_state: 'run' as const, generation: 2, reported_at: at(-5000), next_attempt_at: null };
    for (const extra of [{ progress: 40, status_reason: 'why' }, {}]) {
      const report: BatchReport = { index: 0, subtask_id: 's', generation: 2, state, at: at(0), ...extra };
      const judged = judgeBatch([report], [row], NOW);
      expect(judged.stateChanges).toEqual([]);
      const { state: _state, next_attempt_at: _next, ...written } = judged.writes[0];
      const { generation: _generation, state: reported, ...heartbeat } = heartbeatWrite(report);
      expect(heartbeat).toEqual(written);
      expect(reported).toBe(state);
    }
  });
});

describe('ReportedStates', () => {
  it('remembers the last state per subtask and starts over past its bound', () => {
    const states = new ReportedStates(2);
    states.set('a', 'running');
    states.set('b', 'failed');
    states.set('a', 'stopped');
    expect([states.get('a'), states.get('b')]).toEqual(['stopped', 'failed']);
    states.set('c', 'running');
    expect([states.get('a'), states.get('b'), states.get('c')]).toEqual([undefined, undefined, 'running']);
  });
});
