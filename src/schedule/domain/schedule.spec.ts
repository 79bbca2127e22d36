import {
  MAX_PREVIEW_TRANSITIONS,
  Schedule,
  ScheduleWindowRule,
  coversWholeWeek,
  nextWindow,
  previewTransitions,
  scheduleState,
  windowAt,
  windowId,
} from './schedule';

// 2026-03-02 is a Monday. America/New_York springs forward on Sunday 2026-03-08 (02:00 → 03:00)
// and falls back on Sunday 2026-11-01 (02:00 → 01:00); Europe/Berlin on Sunday 2026-03-29
// (02:00 → 03:00) and Sunday 2026-10-25 (03:00 → 02:00).
const SH = 'Asia/Shanghai';
const NY = 'America/New_York';
const BER = 'Europe/Berlin';

const at = (iso: string) => new Date(iso);
const w = (days: number[], start: string, end: string): ScheduleWindowRule => ({ days, start, end });
const sched = (timezone: string, ...windows: ScheduleWindowRule[]): Schedule => ({ timezone, windows });
const iso = (win: { open: Date; close: Date } | null) => win && [win.open.toISOString(), win.close.toISOString()];
const utc = (s: string) => new Date(s).toISOString();
const hours = (win: { open: Date; close: Date } | null) => win && (win.close.getTime() - win.open.getTime()) / 3_600_000;

const WEEKDAYS = sched(SH, w([1, 2, 3, 4, 5], '07:00', '19:00'));
const SPEC_EXAMPLE = sched(SH, w([1, 2, 3, 4, 5], '07:00', '19:00'), w([6, 7], '22:00', '06:00'));

describe('windowAt', () => {
  type Row = [name: string, schedule: Schedule, instant: string, expected: [string, string] | null];
  const rows: Row[] = [
    // plain windows
    ['inside a weekday window', WEEKDAYS, '2026-03-02T12:00:00+08:00', ['2026-03-02T07:00:00+08:00', '2026-03-02T19:00:00+08:00']],
    ['exactly at open is inside', WEEKDAYS, '2026-03-02T07:00:00+08:00', ['2026-03-02T07:00:00+08:00', '2026-03-02T19:00:00+08:00']],
    ['a millisecond before open is outside', WEEKDAYS, '2026-03-02T06:59:59.999+08:00', null],
    ['a millisecond before close is inside', WEEKDAYS, '2026-03-02T18:59:59.999+08:00', ['2026-03-02T07:00:00+08:00', '2026-03-02T19:00:00+08:00']],
    ['exactly at close is outside', WEEKDAYS, '2026-03-02T19:00:00+08:00', null],
    ['Saturday has no weekday window', WEEKDAYS, '2026-03-07T12:00:00+08:00', null],
    ['Friday window in its own week', WEEKDAYS, '2026-03-06T08:00:00+08:00', ['2026-03-06T07:00:00+08:00', '2026-03-06T19:00:00+08:00']],
    // overnight
    ['overnight, before midnight', SPEC_EXAMPLE, '2026-03-07T23:00:00+08:00', ['2026-03-07T22:00:00+08:00', '2026-03-08T06:00:00+08:00']],
    [
      'overnight, after midnight (opened the day before)',
      SPEC_EXAMPLE,
      '2026-03-08T03:00:00+08:00',
      ['2026-03-07T22:00:00+08:00', '2026-03-08T06:00:00+08:00'],
    ],
    ['overnight, exactly at its close', SPEC_EXAMPLE, '2026-03-08T06:00:00+08:00', null],
    ['overnight opens only on its days (Friday night)', SPEC_EXAMPLE, '2026-03-06T23:00:00+08:00', null],
    ['week wrap: Sunday night runs into Monday', SPEC_EXAMPLE, '2026-03-09T05:59:00+08:00', ['2026-03-08T22:00:00+08:00', '2026-03-09T06:00:00+08:00']],
    ['week wrap: Monday 06:30 is between the Sunday night and Monday windows', SPEC_EXAMPLE, '2026-03-09T06:30:00+08:00', null],
    [
      'end 00:00 is midnight of the next day',
      sched(SH, w([3], '20:00', '00:00')),
      '2026-03-04T23:59:00+08:00',
      ['2026-03-04T20:00:00+08:00', '2026-03-05T00:00:00+08:00'],
    ],
    // merged windows
    [
      'overlapping and touching windows on one day merge',
      sched(SH, w([1], '08:00', '12:00'), w([1], '11:00', '14:00'), w([1], '14:00', '15:00'), w([1], '09:00', '10:00')),
      '2026-03-02T08:30:00+08:00',
      ['2026-03-02T08:00:00+08:00', '2026-03-02T15:00:00+08:00'],
    ],
    [
      'windows in any order merge the same way',
      sched(SH, w([1], '14:00', '15:00'), w([1], '11:00', '14:00'), w([1], '08:00', '12:00')),
      '2026-03-02T14:59:00+08:00',
      ['2026-03-02T08:00:00+08:00', '2026-03-02T15:00:00+08:00'],
    ],
    [
      'a window ending at midnight merges with the next day opening at midnight',
      sched(SH, w([1], '20:00', '00:00'), w([2], '00:00', '03:00')),
      '2026-03-03T01:00:00+08:00',
      ['2026-03-02T20:00:00+08:00', '2026-03-03T03:00:00+08:00'],
    ],
    [
      'overnight window overlapping the next morning merges',
      sched(SH, w([1, 2, 3, 4, 5], '22:00', '06:00'), w([1, 2, 3, 4, 5], '05:00', '09:00')),
      '2026-03-03T08:00:00+08:00',
      ['2026-03-02T22:00:00+08:00', '2026-03-03T09:00:00+08:00'],
    ],
    [
      'merging chains back over the previous nights',
      sched(SH, w([1, 2, 3], '12:00', '12:00')),
      '2026-03-05T11:00:00+08:00',
      ['2026-03-02T12:00:00+08:00', '2026-03-05T12:00:00+08:00'],
    ],
    [
      'week wrap merge: Sunday night and Monday morning',
      sched(SH, w([7], '22:00', '02:00'), w([1], '01:00', '05:00')),
      '2026-03-09T04:00:00+08:00',
      ['2026-03-08T22:00:00+08:00', '2026-03-09T05:00:00+08:00'],
    ],
    [
      'a chain of 24 h windows from Sunday over the week wrap',
      sched(SH, w([7, 1, 2], '00:00', '00:00')),
      '2026-03-09T12:00:00+08:00',
      ['2026-03-08T00:00:00+08:00', '2026-03-11T00:00:00+08:00'],
    ],
    [
      'a window inside another adds nothing',
      sched(SH, w([2], '06:00', '20:00'), w([2], '10:00', '11:00')),
      '2026-03-03T19:00:00+08:00',
      ['2026-03-03T06:00:00+08:00', '2026-03-03T20:00:00+08:00'],
    ],
    [
      'a one-minute gap does not merge',
      sched(SH, w([1, 2], '00:00', '23:59')),
      '2026-03-03T00:00:00+08:00',
      ['2026-03-03T00:00:00+08:00', '2026-03-03T23:59:00+08:00'],
    ],
    ['in the one-minute gap', sched(SH, w([1, 2], '00:00', '23:59')), '2026-03-02T23:59:30+08:00', null],
    // 24 h windows
    [
      '24 h window (end == start)',
      sched(SH, w([3], '10:00', '10:00')),
      '2026-03-05T09:00:00+08:00',
      ['2026-03-04T10:00:00+08:00', '2026-03-05T10:00:00+08:00'],
    ],
    ['24 h window, at its close', sched(SH, w([3], '10:00', '10:00')), '2026-03-05T10:00:00+08:00', null],
    // one minute, shorter than any reconcile interval
    ['one-minute window', sched(SH, w([2], '12:00', '12:01')), '2026-03-03T12:00:30+08:00', ['2026-03-03T12:00:00+08:00', '2026-03-03T12:01:00+08:00']],
    ['one-minute window, at its close', sched(SH, w([2], '12:00', '12:01')), '2026-03-03T12:01:00+08:00', null],
    // another zone: the instant is judged in the schedule's zone, not the process's
    ['UTC schedule', sched('UTC', w([1], '00:00', '01:00')), '2026-03-02T00:30:00Z', ['2026-03-02T00:00:00Z', '2026-03-02T01:00:00Z']],
    ['same instant, zone where it is still Sunday', sched('America/Los_Angeles', w([1], '00:00', '01:00')), '2026-03-02T00:30:00Z', null],
  ];
  it.each(rows)('%s', (_name, schedule, instant, expected) => {
    expect(iso(windowAt(schedule, at(instant)))).toEqual(expected && expected.map(utc));
  });
});

describe('nextWindow: the first opening strictly after the instant', () => {
  type Row = [name: string, schedule: Schedule, after: string, expected: [string, string]];
  const rows: Row[] = [
    ['outside, over the weekend to Monday', WEEKDAYS, '2026-03-07T12:00:00+08:00', ['2026-03-09T07:00:00+08:00', '2026-03-09T19:00:00+08:00']],
    ['before the day opens', WEEKDAYS, '2026-03-03T06:59:59.999+08:00', ['2026-03-03T07:00:00+08:00', '2026-03-03T19:00:00+08:00']],
    ['inside: the one after the current window', WEEKDAYS, '2026-03-03T12:00:00+08:00', ['2026-03-04T07:00:00+08:00', '2026-03-04T19:00:00+08:00']],
    [
      'exactly at open: the window opening then is current, not next',
      WEEKDAYS,
      '2026-03-03T07:00:00+08:00',
      ['2026-03-04T07:00:00+08:00', '2026-03-04T19:00:00+08:00'],
    ],
    ['exactly at close', WEEKDAYS, '2026-03-03T19:00:00+08:00', ['2026-03-04T07:00:00+08:00', '2026-03-04T19:00:00+08:00']],
    [
      'Friday evening wraps to the spec example Saturday night',
      SPEC_EXAMPLE,
      '2026-03-06T20:00:00+08:00',
      ['2026-03-07T22:00:00+08:00', '2026-03-08T06:00:00+08:00'],
    ],
    ['Sunday night into Monday, then Monday 07:00', SPEC_EXAMPLE, '2026-03-09T01:00:00+08:00', ['2026-03-09T07:00:00+08:00', '2026-03-09T19:00:00+08:00']],
    [
      'one window a week, from inside it: a week later',
      sched(SH, w([3], '09:00', '10:00')),
      '2026-03-04T09:30:00+08:00',
      ['2026-03-11T09:00:00+08:00', '2026-03-11T10:00:00+08:00'],
    ],
    [
      'one window a week, a minute after it opened',
      sched(SH, w([7], '23:59', '00:00')),
      '2026-03-09T00:00:00+08:00',
      ['2026-03-15T23:59:00+08:00', '2026-03-16T00:00:00+08:00'],
    ],
    [
      'inside a merged chain: the opening after the whole chain',
      sched(SH, w([1, 2, 3], '12:00', '12:00'), w([5], '08:00', '09:00')),
      '2026-03-03T00:00:00+08:00',
      ['2026-03-06T08:00:00+08:00', '2026-03-06T09:00:00+08:00'],
    ],
  ];
  it.each(rows)('%s', (_name, schedule, after, expected) => {
    expect(iso(nextWindow(schedule, at(after)))).toEqual(expected.map(utc));
  });
});

describe('scheduleState', () => {
  it.each([
    ['inside: run until the close', '2026-03-02T12:00:00+08:00', true, '2026-03-02T19:00:00+08:00'],
    ['at open: inside', '2026-03-02T07:00:00+08:00', true, '2026-03-02T19:00:00+08:00'],
    ['at close: outside until the next open', '2026-03-02T19:00:00+08:00', false, '2026-03-03T07:00:00+08:00'],
    ['weekend: outside until Monday', '2026-03-08T10:00:00+08:00', false, '2026-03-09T07:00:00+08:00'],
  ] as const)('%s', (_name, now, inside, next) => {
    const state = scheduleState(WEEKDAYS, at(now));
    expect(state.inside).toBe(inside);
    expect(state.nextTransitionAt.toISOString()).toBe(utc(next));
    expect(iso(state.window)).toEqual(iso(windowAt(WEEKDAYS, at(now))));
    expect(state.nextTransitionAt.getTime()).toBeGreaterThan(at(now).getTime());
  });

  it('a reconciler requeued at nextTransitionAt sees every window once, even one minute long', () => {
    const schedule = sched(SH, w([2], '12:00', '12:01'), w([2], '12:10', '12:15'), w([4], '23:00', '01:00'));
    let now = at('2026-03-03T00:00:00+08:00');
    const seen: string[] = [];
    let inside = false;
    for (let tick = 0; tick < 12; tick++) {
      const state = scheduleState(schedule, now);
      if (state.inside) {
        expect(inside).toBe(false); // a new window after being outside
        seen.push(windowId(state.window!.open));
      }
      inside = state.inside;
      now = state.nextTransitionAt;
    }
    expect(seen).toEqual(
      [
        '2026-03-03T12:00:00+08:00',
        '2026-03-03T12:10:00+08:00',
        '2026-03-05T23:00:00+08:00',
        '2026-03-10T12:00:00+08:00',
        '2026-03-10T12:10:00+08:00',
        '2026-03-12T23:00:00+08:00',
      ].map(utc),
    );
  });

  it('a one-minute window between two polls 5 minutes apart is missed by polling but not by its own transition', () => {
    const schedule = sched(SH, w([2], '12:00', '12:01'));
    expect(scheduleState(schedule, at('2026-03-03T11:58:00+08:00'))).toMatchObject({ inside: false, nextTransitionAt: at('2026-03-03T12:00:00+08:00') });
    expect(scheduleState(schedule, at('2026-03-03T12:03:00+08:00'))).toMatchObject({ inside: false, nextTransitionAt: at('2026-03-10T12:00:00+08:00') });
    expect(scheduleState(schedule, at('2026-03-03T12:00:00+08:00'))).toMatchObject({ inside: true, nextTransitionAt: at('2026-03-03T12:01:00+08:00') });
  });
});

describe('windowId', () => {
  const schedule = sched(SH, w([1, 2, 3, 4, 5], '22:00', '06:00'), w([1, 2, 3, 4, 5], '05:00', '09:00'));
  it('is the same at every instant of one (merged) window', () => {
    const ids = ['2026-03-02T22:00:00+08:00', '2026-03-03T05:30:00+08:00', '2026-03-03T08:59:59.999+08:00'].map((t) =>
      windowId(windowAt(schedule, at(t))!.open),
    );
    expect(new Set(ids)).toEqual(new Set(['2026-03-02T14:00:00.000Z']));
  });
  it('differs for the next window and the same window a week later', () => {
    const first = windowAt(schedule, at('2026-03-03T01:00:00+08:00'))!;
    const next = nextWindow(schedule, first.open);
    const weekLater = windowAt(schedule, at('2026-03-10T01:00:00+08:00'))!;
    expect(new Set([windowId(first.open), windowId(next.open), windowId(weekLater.open)]).size).toBe(3);
    expect(windowId(next.open)).toBe(utc('2026-03-03T22:00:00+08:00'));
  });
});

describe('daylight saving', () => {
  type Row = [name: string, schedule: Schedule, instant: string, expected: [string, string] | null, realHours?: number];
  const rows: Row[] = [
    // America/New_York, spring forward 2026-03-08: 02:00 EST → 03:00 EDT
    [
      'NY: 02:30 does not exist, the window opens when the gap ends (03:00 EDT)',
      sched(NY, w([7], '02:30', '04:00')),
      '2026-03-08T07:30:00Z',
      ['2026-03-08T07:00:00Z', '2026-03-08T08:00:00Z'],
      1,
    ],
    [
      'NY: at the transition instant it is open',
      sched(NY, w([7], '02:30', '04:00')),
      '2026-03-08T07:00:00Z',
      ['2026-03-08T07:00:00Z', '2026-03-08T08:00:00Z'],
      1,
    ],
    ['NY: just before the gap it is closed', sched(NY, w([7], '02:30', '04:00')), '2026-03-08T06:59:59.999Z', null],
    [
      'NY: the same window a week earlier opens at 02:30 EST',
      sched(NY, w([7], '02:30', '04:00')),
      '2026-03-01T08:00:00Z',
      ['2026-03-01T07:30:00Z', '2026-03-01T09:00:00Z'],
      1.5,
    ],
    [
      'NY: a close inside the gap closes when the gap ends',
      sched(NY, w([7], '01:00', '02:30')),
      '2026-03-08T06:30:00Z',
      ['2026-03-08T06:00:00Z', '2026-03-08T07:00:00Z'],
      1,
    ],
    ['NY: a window wholly inside the gap does not happen that day', sched(NY, w([7], '02:10', '02:40')), '2026-03-08T07:00:00Z', null],
    [
      'NY: overnight over spring forward lasts 7 real hours',
      sched(NY, w([6], '22:00', '06:00')),
      '2026-03-08T09:00:00Z',
      ['2026-03-08T03:00:00Z', '2026-03-08T10:00:00Z'],
      7,
    ],
    [
      'NY: 24 h window over spring forward lasts 23 hours',
      sched(NY, w([6], '12:00', '12:00')),
      '2026-03-08T12:00:00Z',
      ['2026-03-07T17:00:00Z', '2026-03-08T16:00:00Z'],
      23,
    ],
    [
      'NY: daily 24 h windows from 02:30 still touch across the gap',
      sched(NY, w([5, 6, 7], '02:30', '02:30')),
      '2026-03-08T07:00:00Z',
      ['2026-03-06T07:30:00Z', '2026-03-09T06:30:00Z'],
      71,
    ],
    [
      'NY: a daily closed half hour inside the gap vanishes that night, so two windows merge',
      sched(NY, w([1, 2, 3, 4, 5, 6, 7], '02:40', '02:10')),
      '2026-03-08T07:00:00Z',
      ['2026-03-07T07:40:00Z', '2026-03-09T06:10:00Z'],
      46.5,
    ],
    [
      'NY: a weekly closed half hour inside the gap makes one two-week window',
      sched(NY, w([1, 2, 3, 4, 5, 6], '00:00', '00:00'), w([7], '00:00', '02:10'), w([7], '02:40', '00:00')),
      '2026-03-08T12:00:00Z',
      ['2026-03-01T07:40:00Z', '2026-03-15T06:10:00Z'],
      14 * 24 - 1.5,
    ],
    // America/New_York, fall back 2026-11-01: 02:00 EDT → 01:00 EST, 01:00–01:59 twice
    [
      'NY: 01:30 happens twice, the window opens at the first (EDT)',
      sched(NY, w([7], '01:30', '03:00')),
      '2026-11-01T05:30:00Z',
      ['2026-11-01T05:30:00Z', '2026-11-01T08:00:00Z'],
      2.5,
    ],
    [
      'NY: in the repeated hour (01:45 EST) it is still the same window',
      sched(NY, w([7], '01:30', '03:00')),
      '2026-11-01T06:45:00Z',
      ['2026-11-01T05:30:00Z', '2026-11-01T08:00:00Z'],
      2.5,
    ],
    [
      'NY: a close in the repeated hour is its first occurrence',
      sched(NY, w([7], '00:00', '01:30')),
      '2026-11-01T05:00:00Z',
      ['2026-11-01T04:00:00Z', '2026-11-01T05:30:00Z'],
      1.5,
    ],
    ['NY: a window in the repeated hour happens once, not again at 01:15 EST', sched(NY, w([7], '01:00', '01:45')), '2026-11-01T06:15:00Z', null],
    [
      'NY: overnight over fall back lasts 9 real hours',
      sched(NY, w([6], '22:00', '06:00')),
      '2026-11-01T10:30:00Z',
      ['2026-11-01T02:00:00Z', '2026-11-01T11:00:00Z'],
      9,
    ],
    [
      'NY: 24 h window over fall back lasts 25 hours',
      sched(NY, w([6], '12:00', '12:00')),
      '2026-11-01T16:30:00Z',
      ['2026-10-31T16:00:00Z', '2026-11-01T17:00:00Z'],
      25,
    ],
    // Europe/Berlin, spring forward 2026-03-29: 02:00 CET → 03:00 CEST
    [
      'Berlin: 02:30 does not exist, the window opens at 03:00 CEST',
      sched(BER, w([7], '02:30', '04:00')),
      '2026-03-29T01:30:00Z',
      ['2026-03-29T01:00:00Z', '2026-03-29T02:00:00Z'],
      1,
    ],
    [
      'Berlin: overnight 23:00–03:00 over spring forward lasts 3 hours',
      sched(BER, w([6], '23:00', '03:00')),
      '2026-03-28T23:00:00Z',
      ['2026-03-28T22:00:00Z', '2026-03-29T01:00:00Z'],
      3,
    ],
    // Europe/Berlin, fall back 2026-10-25: 03:00 CEST → 02:00 CET, 02:00–02:59 twice
    [
      'Berlin: 02:30 happens twice, the window opens at the first (CEST)',
      sched(BER, w([7], '02:30', '04:00')),
      '2026-10-25T00:30:00Z',
      ['2026-10-25T00:30:00Z', '2026-10-25T03:00:00Z'],
      2.5,
    ],
    [
      'Berlin: at 02:45 CET (second pass) it is the same window',
      sched(BER, w([7], '02:30', '04:00')),
      '2026-10-25T01:45:00Z',
      ['2026-10-25T00:30:00Z', '2026-10-25T03:00:00Z'],
      2.5,
    ],
    ['Berlin: before the first 02:30 it is closed', sched(BER, w([7], '02:30', '04:00')), '2026-10-25T00:29:00Z', null],
    [
      'Berlin: overnight over fall back lasts 9 real hours',
      sched(BER, w([6], '22:00', '06:00')),
      '2026-10-25T04:00:00Z',
      ['2026-10-24T20:00:00Z', '2026-10-25T05:00:00Z'],
      9,
    ],
  ];
  // A rest parameter, so that Jest does not take rows without the last column for callback tests.
  it.each(rows)('%s', (...[, schedule, instant, expected, realHours]: Row) => {
    const window = windowAt(schedule, at(instant));
    expect(iso(window)).toEqual(expected && expected.map(utc));
    if (realHours !== undefined) expect(hours(window)).toBe(realHours);
  });

  it.each([
    ['NY: the gap-opening window is next from the evening before', sched(NY, w([7], '02:30', '04:00')), '2026-03-07T23:00:00Z', '2026-03-08T07:00:00Z'],
    ['NY: a window wholly in the gap is skipped to the next week', sched(NY, w([7], '02:10', '02:40')), '2026-03-08T05:00:00Z', '2026-03-15T06:10:00Z'],
    ['NY: after the fold window, the next is a week later in EST', sched(NY, w([7], '01:00', '01:45')), '2026-11-01T05:45:00Z', '2026-11-08T06:00:00Z'],
    ['Berlin: the fold window opens at the first 02:30', sched(BER, w([7], '02:30', '04:00')), '2026-10-24T12:00:00Z', '2026-10-25T00:30:00Z'],
  ])('%s', (_name, schedule, after, open) => {
    expect(nextWindow(schedule, at(after)).open.toISOString()).toBe(utc(open));
  });
});

describe('previewTransitions', () => {
  it('lists openings and closings in order with local wall time and offset', () => {
    expect(previewTransitions(WEEKDAYS, at('2026-03-07T00:00:00+08:00'), 5).map((t) => [t.kind, t.at.toISOString(), t.local])).toEqual([
      ['open', utc('2026-03-09T07:00:00+08:00'), '2026-03-09T07:00:00+08:00'],
      ['close', utc('2026-03-09T19:00:00+08:00'), '2026-03-09T19:00:00+08:00'],
      ['open', utc('2026-03-10T07:00:00+08:00'), '2026-03-10T07:00:00+08:00'],
      ['close', utc('2026-03-10T19:00:00+08:00'), '2026-03-10T19:00:00+08:00'],
      ['open', utc('2026-03-11T07:00:00+08:00'), '2026-03-11T07:00:00+08:00'],
    ]);
  });

  it('from inside a window starts with its close', () => {
    const list = previewTransitions(SPEC_EXAMPLE, at('2026-03-08T03:00:00+08:00'), 3);
    expect(list.map((t) => [t.kind, t.local])).toEqual([
      ['close', '2026-03-08T06:00:00+08:00'],
      ['open', '2026-03-08T22:00:00+08:00'],
      ['close', '2026-03-09T06:00:00+08:00'],
    ]);
  });

  it('from exactly an opening includes that opening', () => {
    expect(previewTransitions(WEEKDAYS, at('2026-03-02T07:00:00+08:00'), 2).map((t) => t.kind)).toEqual(['open', 'close']);
  });

  it('merged windows give one open and one close', () => {
    const schedule = sched(SH, w([1, 2, 3, 4, 5], '22:00', '06:00'), w([1, 2, 3, 4, 5], '05:00', '09:00'));
    expect(previewTransitions(schedule, at('2026-03-02T00:00:00+08:00'), 4).map((t) => t.local)).toEqual([
      '2026-03-02T05:00:00+08:00',
      '2026-03-02T09:00:00+08:00',
      '2026-03-02T22:00:00+08:00',
      '2026-03-03T09:00:00+08:00',
    ]);
  });

  it('shows the offset change across daylight saving (the 02:30 Sunday window merges into the night)', () => {
    const list = previewTransitions(sched(NY, w([6], '22:00', '06:00'), w([7], '02:30', '04:00')), at('2026-03-07T12:00:00Z'), 4);
    expect(list.map((t) => [t.kind, t.at.toISOString(), t.local])).toEqual([
      ['open', '2026-03-08T03:00:00.000Z', '2026-03-07T22:00:00-05:00'],
      ['close', '2026-03-08T10:00:00.000Z', '2026-03-08T06:00:00-04:00'],
      ['open', '2026-03-15T02:00:00.000Z', '2026-03-14T22:00:00-04:00'],
      ['close', '2026-03-15T10:00:00.000Z', '2026-03-15T06:00:00-04:00'],
    ]);
  });

  it.each([0, 1, 2, 7, MAX_PREVIEW_TRANSITIONS])('returns exactly %i transitions, strictly increasing and alternating', (count) => {
    const list = previewTransitions(SPEC_EXAMPLE, at('2026-03-04T12:00:00+08:00'), count);
    expect(list).toHaveLength(count);
    list.forEach((t, i) => {
      if (i === 0) return;
      expect(t.at.getTime()).toBeGreaterThan(list[i - 1].at.getTime());
      expect(t.kind).not.toBe(list[i - 1].kind);
    });
    expect(list[0]?.kind ?? 'close').toBe('close'); // starts inside Wednesday's window
  });

  it.each([-1, 1.5, MAX_PREVIEW_TRANSITIONS + 1])('refuses count %p', (count) => {
    expect(() => previewTransitions(WEEKDAYS, at('2026-03-02T00:00:00Z'), count)).toThrow(RangeError);
  });

  it('agrees with windowAt and nextWindow over a year of New York windows', () => {
    const schedule = sched(NY, w([1, 3, 5], '01:30', '02:30'), w([6], '22:00', '06:00'), w([7], '05:00', '09:00'));
    const list = previewTransitions(schedule, at('2026-01-01T00:00:00Z'), MAX_PREVIEW_TRANSITIONS);
    for (let i = 0; i + 1 < list.length; i += 2) {
      const open = list[i];
      const close = list[i + 1];
      expect(iso(windowAt(schedule, open.at))).toEqual([open.at.toISOString(), close.at.toISOString()]);
      expect(windowAt(schedule, close.at)).toBeNull();
      if (i + 2 < list.length) expect(nextWindow(schedule, open.at).open).toEqual(list[i + 2].at);
    }
  });
});

describe('schedules validation refuses', () => {
  it('are refused by the window functions too', () => {
    const always = sched(SH, w([1, 2, 3, 4, 5, 6, 7], '00:00', '00:00'));
    expect(() => windowAt(always, at('2026-03-02T00:00:00Z'))).toThrow(RangeError);
    expect(() => nextWindow(sched(SH), at('2026-03-02T00:00:00Z'))).toThrow(RangeError);
    expect(() => scheduleState(sched('Mars/Olympus', w([1], '07:00', '08:00')), at('2026-03-02T00:00:00Z'))).toThrow(RangeError);
  });
});

describe('coversWholeWeek', () => {
  it.each([
    [true, [w([1, 2, 3, 4, 5, 6, 7], '00:00', '00:00')]],
    [true, [w([1, 2, 3, 4, 5, 6, 7], '09:30', '09:30')]],
    [true, [w([1, 2, 3, 4, 5, 6, 7], '00:00', '12:00'), w([1, 2, 3, 4, 5, 6, 7], '12:00', '00:00')]],
    [true, [w([1, 3, 5, 7], '00:00', '00:00'), w([2, 4, 6], '00:00', '00:00')]],
    [true, [w([7], '12:00', '12:00'), w([1, 2, 3, 4, 5, 6], '00:00', '00:00'), w([7], '00:00', '12:00')]],
    [false, [w([7], '12:00', '12:00'), w([1, 2, 3, 4, 5, 6], '00:00', '00:00')]],
    [false, [w([1, 2, 3, 4, 5, 6, 7], '00:00', '23:59')]],
    [false, [w([1, 2, 3, 4, 5, 6], '00:00', '00:00')]],
    [false, [w([7], '12:00', '11:59'), w([1, 2, 3, 4, 5, 6], '00:00', '00:00')]],
    [false, [w([1, 2, 3, 4, 5], '07:00', '19:00'), w([6, 7], '22:00', '06:00')]],
  ])('%p for %j', (expected, windows) => {
    expect(coversWholeWeek(windows)).toBe(expected);
  });
});
