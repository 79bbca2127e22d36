import {
  AVAILABILITY_DESIRED,
  AVAILABILITY_STATES,
  AvailabilityChange,
  AvailabilityDesired,
  AvailabilityEvent,
  AvailabilityFigures,
  AvailabilityInitial,
  AvailabilityState,
  availabilityInputFromJournal,
  subtaskAvailability,
  sumAvailability,
} from './availability';

const T0 = Date.UTC(2026, 10, 1, 8, 0, 0);
const MIN = 60_000;
/** Minute `n` after 08:00 UTC on 2026-11-01. */
const m = (n: number) => new Date(T0 + n * MIN);

/** A change at minute `at`: a state, a desired state, or both (desired first). */
type Step = [at: number, ...what: (AvailabilityState | AvailabilityDesired)[]];
const isDesired = (v: string): v is AvailabilityDesired => (AVAILABILITY_DESIRED as readonly string[]).includes(v);
const changes = (steps: Step[]): AvailabilityChange[] =>
  steps.map(([at, ...what]) => {
    const change: AvailabilityChange = { at: m(at) };
    for (const v of what) {
      if (isDesired(v)) change.desired = v;
      else change.state = v;
    }
    return change;
  });

const init = (state: AvailabilityState, desired: AvailabilityDesired = 'run', ran_since_start?: boolean): AvailabilityInitial =>
  ran_since_start === undefined ? { state, desired } : { state, desired, ran_since_start };

/** Expected figures in minutes: up, down, outages, longest, mttr (null: none), ratio (null: nothing should have run). */
type Want = [up: number, down: number, outages: number, longest: number, mttr: number | null, ratio: number | null];
const want = ([up, down, outages, longest, mttr, ratio]: Want): AvailabilityFigures => ({
  uptime_ratio: ratio,
  running_ms: up * MIN,
  down_ms: down * MIN,
  outages,
  longest_outage_ms: longest * MIN,
  mttr_ms: mttr === null ? null : mttr * MIN,
});

const run = (initial: AvailabilityInitial, steps: Step[], from = 0, to = 60) =>
  subtaskAvailability({ initial, changes: changes(steps), from: m(from), to: m(to) });
const figuresOf = ({ outage_list: _list, ...rest }: ReturnType<typeof run>) => rest;
/** Outage list as [start, end] minutes. */
const outagesOf = (result: ReturnType<typeof run>) => result.outage_list.map((o) => [(o.start.getTime() - T0) / MIN, (o.end.getTime() - T0) / MIN, o.ms / MIN]);

describe('subtaskAvailability', () => {
  type Case = [name: string, initial: AvailabilityInitial, steps: Step[], want: Want, outages: number[][], window?: [from: number, to: number]];
  // Window [0, 60) minutes unless a case says otherwise.
  const cases: Case[] = [
    ['always running', init('running'), [], [60, 0, 0, 0, null, 1], []],
    [
      'running → failed → running is one outage',
      init('running'),
      [
        [10, 'failed'],
        [25, 'running'],
      ],
      [45, 15, 1, 15, 15, 0.75],
      [[10, 25, 15]],
    ],
    [
      'consecutive down states merge: failed → dispatching → lost is one outage',
      init('running'),
      [
        [10, 'failed'],
        [15, 'dispatching'],
        [20, 'lost'],
        [30, 'running'],
      ],
      [40, 20, 1, 20, 20, 40 / 60],
      [[10, 30, 20]],
    ],
    ['an outage under way at `from` counts from `from`', init('failed'), [[15, 'running']], [45, 15, 1, 15, 15, 0.75], [[0, 15, 15]]],
    [
      'a recovery under way at `from` is down when it had run since the start',
      init('dispatching', 'run', true),
      [[15, 'running']],
      [45, 15, 1, 15, 15, 0.75],
      [[0, 15, 15]],
    ],
    [
      'a dispatch under way at `from` is start-up when it had not run since the start',
      init('dispatching', 'run', false),
      [[15, 'running']],
      [45, 0, 0, 0, null, 1],
      [],
    ],
    ['without ran_since_start, a dispatch at `from` is start-up', init('dispatching'), [[15, 'running']], [45, 0, 0, 0, null, 1], []],
    ['an outage still open at `to` counts until `to`, and in mttr', init('running'), [[50, 'failed']], [50, 10, 1, 10, 10, 50 / 60], [[50, 60, 10]]],
    ['an outage spanning the whole window', init('lost'), [], [0, 60, 1, 60, 60, 0], [[0, 60, 60]]],
    [
      'an outage spanning the whole window with a change of down state inside',
      init('failed'),
      [
        [20, 'dispatching'],
        [30, 'failed'],
      ],
      [0, 60, 1, 60, 60, 0],
      [[0, 60, 60]],
    ],
    [
      'stopped on purpose is not down',
      init('running'),
      [
        [20, 'stop', 'stopping'],
        [22, 'stopped'],
      ],
      [20, 0, 0, 0, null, 1],
      [],
    ],
    ['stopped on purpose for the whole window: nothing should have run', init('stopped', 'stop'), [], [0, 0, 0, 0, null, null], []],
    [
      'a stop during an outage ends the outage',
      init('running'),
      [
        [10, 'failed'],
        [20, 'stop'],
      ],
      [10, 10, 1, 10, 10, 0.5],
      [[10, 20, 10]],
    ],
    [
      'a stop during an outage ends it; the restart is a fresh start-up',
      init('running'),
      [
        [10, 'failed'],
        [20, 'stop'],
        [40, 'run', 'dispatching'],
        [45, 'running'],
      ],
      [25, 10, 1, 10, 10, 25 / 35],
      [[10, 20, 10]],
    ],
    [
      'lost counts as down',
      init('running'),
      [
        [30, 'lost'],
        [40, 'running'],
      ],
      [50, 10, 1, 10, 10, 50 / 60],
      [[30, 40, 10]],
    ],
    [
      'dispatching again after having run is down (a recovery under way)',
      init('running'),
      [
        [10, 'dispatching'],
        [20, 'running'],
      ],
      [50, 10, 1, 10, 10, 50 / 60],
      [[10, 20, 10]],
    ],
    [
      'stopped without being asked to, after having run, is down',
      init('running'),
      [
        [10, 'stopped'],
        [20, 'dispatching'],
        [30, 'running'],
      ],
      [40, 20, 1, 20, 20, 40 / 60],
      [[10, 30, 20]],
    ],
    [
      'dispatching before the first running is neither',
      init('configured', 'idle'),
      [
        [0, 'run', 'dispatching'],
        [10, 'running'],
      ],
      [50, 0, 0, 0, null, 1],
      [],
    ],
    [
      'configured and scheduled before the first running are neither',
      init('configured', 'idle'),
      [
        [5, 'run', 'scheduled'],
        [20, 'dispatching'],
        [25, 'running'],
      ],
      [35, 0, 0, 0, null, 1],
      [],
    ],
    [
      'a failure during start-up is down, and so is the re-dispatch after it',
      init('configured', 'idle'),
      [
        [0, 'run', 'dispatching'],
        [10, 'failed'],
        [20, 'dispatching'],
        [30, 'running'],
      ],
      [30, 20, 1, 20, 20, 0.6],
      [[10, 30, 20]],
    ],
    [
      'two starts in the window: the second start-up is neither',
      init('configured', 'idle'),
      [
        [0, 'run', 'dispatching'],
        [5, 'running'],
        [15, 'failed'],
        [20, 'stop', 'stopped'],
        [30, 'run', 'dispatching'],
        [35, 'running'],
        [50, 'failed'],
      ],
      [25, 15, 2, 10, 7.5, 25 / 40],
      [
        [15, 20, 5],
        [50, 60, 10],
      ],
    ],
    [
      'a repeated start while wanted running does not hide the outage under way',
      init('running'),
      [
        [10, 'failed'],
        [20, 'run', 'dispatching'],
        [30, 'running'],
      ],
      [40, 20, 1, 20, 20, 40 / 60],
      [[10, 30, 20]],
    ],
    ['a window before the first start', init('configured', 'idle'), [], [0, 0, 0, 0, null, null], []],
    ['a window before the subtask was even configured', init('unconfigured', 'idle'), [[30, 'configured']], [0, 0, 0, 0, null, null], []],
    ['a zero-length window', init('failed'), [], [0, 0, 0, 0, null, null], [], [30, 30]],
    [
      'multiple outages: mttr is their mean, longest the longest',
      init('running'),
      [
        [5, 'failed'],
        [8, 'running'],
        [20, 'lost'],
        [30, 'running'],
        [40, 'dispatching'],
        [42, 'running'],
      ],
      [45, 15, 3, 10, 5, 0.75],
      [
        [5, 8, 3],
        [20, 30, 10],
        [40, 42, 2],
      ],
    ],
    ['completed is neither up nor down, and the time after it is not counted', init('running'), [[30, 'completed']], [30, 0, 0, 0, null, 1], []],
    [
      'a completed job restarted is a fresh start-up',
      init('running'),
      [
        [30, 'completed'],
        [40, 'run', 'dispatching'],
        [45, 'running'],
      ],
      [45, 0, 0, 0, null, 1],
      [],
    ],
    [
      'a failure after a completed job was restarted counts',
      init('completed'),
      [
        [10, 'dispatching'],
        [15, 'running'],
        [40, 'failed'],
      ],
      [25, 20, 1, 20, 20, 25 / 45],
      [[40, 60, 20]],
    ],
    [
      'waiting for a schedule window is neither, and its open is a fresh start-up',
      init('running'),
      [
        [20, 'scheduled'],
        [40, 'dispatching'],
        [45, 'running'],
      ],
      [35, 0, 0, 0, null, 1],
      [],
    ],
    ['a window inside a long outage', init('lost', 'run'), [], [0, 30, 1, 30, 30, 0], [[100, 130, 30]], [100, 130]],
    [
      'changes with equal timestamps apply in order',
      init('running'),
      [
        [10, 'failed'],
        [10, 'running'],
        [20, 'lost'],
        [20, 'dispatching'],
        [30, 'running'],
      ],
      [50, 10, 1, 10, 10, 50 / 60],
      [[20, 30, 10]],
    ],
    [
      'a zero-length interruption does not break an outage',
      init('failed'),
      [
        [10, 'stop'],
        [10, 'run'],
        [10, 'failed'],
        [20, 'running'],
      ],
      [40, 20, 1, 20, 20, 40 / 60],
      [[0, 20, 20]],
    ],
    [
      'desired run with the state unchanged from stopped is start-up until it runs',
      init('stopped', 'stop'),
      [
        [10, 'run'],
        [15, 'dispatching'],
        [20, 'running'],
      ],
      [40, 0, 0, 0, null, 1],
      [],
    ],
  ];
  it.each(cases.map(([name, initial, steps, expected, list, window]) => [name, initial, steps, expected, list, window ?? [0, 60]] as const))(
    '%s',
    (_name, initial, steps, expected, list, [from, to]) => {
      const result = run(initial, steps, from, to);
      expect(figuresOf(result)).toEqual(want(expected));
      expect(outagesOf(result)).toEqual(list);
      // Downtime consists of the outages.
      expect(result.outage_list.reduce((s, o) => s + o.ms, 0)).toBe(result.down_ms);
    },
  );

  it('never answers NaN and stays within the window for every single state held through the window', () => {
    for (const state of AVAILABILITY_STATES) {
      for (const desired of AVAILABILITY_DESIRED) {
        for (const ran of [false, true]) {
          const r = run(init(state, desired, ran), []);
          expect(r.running_ms + r.down_ms).toBeLessThanOrEqual(60 * MIN);
          expect(Number.isNaN(r.uptime_ratio)).toBe(false);
          expect(Number.isNaN(r.mttr_ms)).toBe(false);
          const counted =
            desired === 'run' && state !== 'scheduled' && state !== 'completed' && (state === 'running' || state === 'failed' || state === 'lost' || ran);
          expect(r.running_ms + r.down_ms).toBe(counted ? 60 * MIN : 0);
          expect(r.uptime_ratio).toBe(counted ? (state === 'running' ? 1 : 0) : null);
        }
      }
    }
  });

  it('refuses a change outside [from, to) instead of clamping it', () => {
    const initial = init('running');
    expect(() => subtaskAvailability({ initial, changes: changes([[-1, 'failed']]), from: m(0), to: m(60) })).toThrow(RangeError);
    expect(() => subtaskAvailability({ initial, changes: changes([[60, 'failed']]), from: m(0), to: m(60) })).toThrow(/outside the window/);
    expect(() => subtaskAvailability({ initial, changes: changes([[30, 'failed']]), from: m(30), to: m(30) })).toThrow(/outside the window/);
    // The window's first instant is inside it.
    expect(subtaskAvailability({ initial, changes: changes([[0, 'failed']]), from: m(0), to: m(60) }).down_ms).toBe(60 * MIN);
  });

  it('refuses changes out of time order, an inverted window, invalid dates and unknown states', () => {
    const initial = init('running');
    expect(() =>
      subtaskAvailability({
        initial,
        changes: changes([
          [20, 'failed'],
          [10, 'running'],
        ]),
        from: m(0),
        to: m(60),
      }),
    ).toThrow(/before the change preceding it/);
    expect(() => subtaskAvailability({ initial, changes: [], from: m(60), to: m(0) })).toThrow(/before it starts/);
    expect(() => subtaskAvailability({ initial, changes: [], from: new Date('nope'), to: m(0) })).toThrow(/from: not a valid date/);
    expect(() => subtaskAvailability({ initial, changes: [{ at: m(5), state: 'exploded' as AvailabilityState }], from: m(0), to: m(60) })).toThrow(
      /unknown subtask state 'exploded'/,
    );
    expect(() => subtaskAvailability({ initial: { state: 'running', desired: 'go' as AvailabilityDesired }, changes: [], from: m(0), to: m(60) })).toThrow(
      /unknown desired state 'go'/,
    );
  });

  it('does not change its input', () => {
    const steps = changes([
      [10, 'failed'],
      [20, 'running'],
    ]);
    const copy = structuredClone(steps);
    subtaskAvailability({ initial: init('running'), changes: steps, from: m(0), to: m(60) });
    expect(steps).toEqual(copy);
  });
});

describe('sumAvailability', () => {
  const a = run(init('running'), [
    [10, 'failed'],
    [20, 'running'],
    [40, 'lost'],
    [45, 'running'],
  ]); // up 45, down 15, 2 outages (10, 5)
  const b = run(init('running'), [
    [0, 'failed'],
    [30, 'running'],
  ]); // up 30, down 30, 1 outage (30)
  const idle = run(init('configured', 'idle'), []); // nothing should have run

  it.each<[string, AvailabilityFigures[], Want]>([
    ['no subtasks', [], [0, 0, 0, 0, null, null]],
    ['one subtask is its own figures', [a], [45, 15, 2, 10, 7.5, 0.75]],
    ['two subtasks: times summed, outages counted per subtask, longest the max, mttr over all outages', [a, b], [75, 45, 3, 30, 15, 75 / 120]],
    ['a subtask that should not have run adds nothing', [a, b, idle], [75, 45, 3, 30, 15, 75 / 120]],
    ['only subtasks that should not have run', [idle, idle], [0, 0, 0, 0, null, null]],
  ])('%s', (_name, rows, expected) => {
    expect(sumAvailability(rows)).toEqual(want(expected));
  });

  it('takes the ratio from the summed times, not the mean of the ratios', () => {
    const short = run(init('running'), [], 0, 10); // 10 min, ratio 1
    const long = run(init('failed'), [[50, 'running']], 0, 100); // 50 down, 50 up, ratio 0.5
    expect(sumAvailability([short, long]).uptime_ratio).toBeCloseTo(60 / 110, 12);
  });

  it('accepts full subtask results, outage lists and all, and answers no list', () => {
    expect(sumAvailability([a])).not.toHaveProperty('outage_list');
  });
});

describe('availabilityInputFromJournal', () => {
  let seq = 0;
  const ev = (at: number, kind: string, from: string | null, to: string | null): AvailabilityEvent & { event_id: string } => ({
    event_id: String(++seq).padStart(8, '0'),
    at: m(at),
    kind,
    from,
    to,
  });
  const state = (at: number, from: AvailabilityState | null, to: AvailabilityState) => ev(at, 'subtask.state', from, to);
  const desired = (at: number, from: string | null, to: 'run' | 'stop', kind = 'task.desired') => ev(at, kind, from, to);

  /** A subtask started at -100, running at -95, failed at -20, re-dispatching at -10, running at 15, stopped at 50, desired again at 70. */
  const journal = [
    state(-200, 'unconfigured', 'configured'),
    desired(-100, 'idle', 'run'),
    state(-100, 'configured', 'dispatching'),
    state(-95, 'dispatching', 'running'),
    ev(-90, 'task.updated', null, null),
    state(-20, 'running', 'failed'),
    state(-10, 'failed', 'dispatching'),
    state(15, 'dispatching', 'running'),
    desired(50, 'run', 'stop', 'subtask.desired'),
    state(50, 'running', 'stopping'),
    state(51, 'stopping', 'stopped'),
    desired(70, 'stop', 'run'),
  ];

  it('folds events before `from` into the initial state, keeps those inside, drops later ones and other kinds', () => {
    const input = availabilityInputFromJournal(journal, m(0), m(60));
    expect(input.initial).toEqual({ state: 'dispatching', desired: 'run', ran_since_start: true });
    expect(input.changes).toEqual([
      { at: m(15), state: 'running' },
      { at: m(50), desired: 'stop' },
      { at: m(50), state: 'stopping' },
      { at: m(51), state: 'stopped' },
    ]);
    expect(input.from).toEqual(m(0));
    expect(input.to).toEqual(m(60));
  });

  it('feeds subtaskAvailability: the recovery under way at `from` is down', () => {
    const result = subtaskAvailability(availabilityInputFromJournal(journal, m(0), m(60)));
    expect(figuresOf(result)).toEqual(want([35, 15, 1, 15, 15, 35 / 50]));
    expect(outagesOf(result)).toEqual([[0, 15, 15]]);
  });

  it('a window ending before the start sees the subtask idle', () => {
    const input = availabilityInputFromJournal(journal, m(-150), m(-100));
    expect(input.initial).toEqual({ state: 'configured', desired: 'idle', ran_since_start: false });
    expect(input.changes).toEqual([]);
    expect(subtaskAvailability(input).uptime_ratio).toBeNull();
  });

  it('takes the state before the first event from that event', () => {
    const input = availabilityInputFromJournal([state(10, 'running', 'failed'), desired(30, 'run', 'stop')], m(0), m(60));
    expect(input.initial).toEqual({ state: 'running', desired: 'run', ran_since_start: true });
    expect(figuresOf(subtaskAvailability(input))).toEqual(want([10, 20, 1, 20, 20, 1 / 3]));
  });

  it('defaults to unconfigured and idle when the journal says nothing', () => {
    expect(availabilityInputFromJournal([], m(0), m(60)).initial).toEqual({ state: 'unconfigured', desired: 'idle', ran_since_start: false });
  });

  it.each([
    ['running all along', [], { state: 'running', desired: 'run' }, { running_ms: 60 * MIN, down_ms: 0, uptime_ratio: 1 }],
    ['failed all along', [], { state: 'failed', desired: 'run' }, { running_ms: 0, down_ms: 60 * MIN, uptime_ratio: 0 }],
    ['stopped on purpose all along', [], { state: 'stopped', desired: 'stop' }, { running_ms: 0, down_ms: 0, uptime_ratio: null }],
    // The first event, after the window, says what held before it; the row's state now does not.
    ['an event after the window', [state(90, 'running', 'failed')], { state: 'failed', desired: 'run' }, { running_ms: 60 * MIN, down_ms: 0, uptime_ratio: 1 }],
  ] as const)('with no event of a kind in the journal (pruned), takes the row as it is now as what held all along: %s', (_name, events, current, expected) => {
    const input = availabilityInputFromJournal([...events], m(0), m(60), current);
    expect(subtaskAvailability(input)).toMatchObject(expected);
  });

  it('orders by time, keeping the journal order for equal times', () => {
    const input = availabilityInputFromJournal(
      [state(20, 'failed', 'running'), state(10, 'running', 'failed'), state(10, 'failed', 'dispatching')],
      m(0),
      m(60),
    );
    expect(input.changes).toEqual([
      { at: m(10), state: 'failed' },
      { at: m(10), state: 'dispatching' },
      { at: m(20), state: 'running' },
    ]);
  });

  it('refuses an unknown state in the journal', () => {
    expect(() => availabilityInputFromJournal([ev(5, 'subtask.state', 'running', 'melted')], m(0), m(60))).toThrow(
      /events\[0\]: unknown subtask state 'melted'/,
    );
  });
});
