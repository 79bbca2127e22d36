import { planPreview, SubtaskSnapshot } from './dry-run-preview';

const s = (id: string, state: SubtaskSnapshot['state'], desired: SubtaskSnapshot['desired_state'] = 'idle'): SubtaskSnapshot => ({
  id,
  vchan_refid: `ch-${id}`,
  node_index: null,
  state,
  desired_state: desired,
});

describe('planPreview', () => {
  it.each([
    [
      'a create lists every new subtask',
      [],
      [s('a', 'unconfigured'), s('b', 'unconfigured')],
      [
        ['a', null, 'unconfigured'],
        ['b', null, 'unconfigured'],
      ],
    ],
    [
      'a start lists the moved ones only',
      [s('a', 'configured'), s('b', 'running', 'run')],
      [s('a', 'dispatching', 'run'), s('b', 'running', 'run')],
      [['a', 'configured', 'dispatching']],
    ],
    ['a change of the desired state alone counts', [s('a', 'running', 'run')], [s('a', 'running', 'stop')], [['a', 'running', 'running']]],
    ['nothing changed lists nothing', [s('a', 'stopped', 'stop')], [s('a', 'stopped', 'stop')], []],
  ])('%s', (_name, before, after, expected) => {
    expect(planPreview(before, after).map((p) => [p.subtask_id, p.state_before, p.state])).toEqual(expected);
  });

  it('keeps the channel, node and both desired states', () => {
    expect(planPreview([s('a', 'configured')], [s('a', 'dispatching', 'run')])).toEqual([
      {
        subtask_id: 'a',
        vchan_refid: 'ch-a',
        node_index: null,
        state_before: 'configured',
        state: 'dispatching',
        desired_state_before: 'idle',
        desired_state: 'run',
      },
    ]);
  });
});
