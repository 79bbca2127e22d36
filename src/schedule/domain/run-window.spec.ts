import type { Schedule } from './schedule';
import { localTime, runWindow } from './run-window';

const weekdays: Schedule = { timezone: 'Asia/Shanghai', windows: [{ days: [1, 2, 3, 4, 5], start: '07:00', end: '19:00' }] };
// 2026-12-01 is a Tuesday; Shanghai is UTC+8.
const at = (iso: string) => new Date(iso);

describe('runWindow', () => {
  it.each<[string, Schedule | null, string, { at: string; closeAt: string | null; inside: boolean }]>([
    ['no schedule runs at once, always', null, '2026-12-01T03:00:00Z', { at: '2026-12-01T03:00:00.000Z', closeAt: null, inside: true }],
    [
      'inside a window runs now, until its close',
      weekdays,
      '2026-12-01T03:00:00Z',
      { at: '2026-12-01T03:00:00.000Z', closeAt: '2026-12-01T11:00:00.000Z', inside: true },
    ],
    [
      'exactly at the opening is inside',
      weekdays,
      '2026-11-30T23:00:00Z',
      { at: '2026-11-30T23:00:00.000Z', closeAt: '2026-12-01T11:00:00.000Z', inside: true },
    ],
    [
      'exactly at the close waits for the next opening',
      weekdays,
      '2026-12-01T11:00:00Z',
      { at: '2026-12-01T23:00:00.000Z', closeAt: '2026-12-02T11:00:00.000Z', inside: false },
    ],
    [
      'Friday evening waits for Monday',
      weekdays,
      '2026-12-04T12:00:00Z',
      { at: '2026-12-06T23:00:00.000Z', closeAt: '2026-12-07T11:00:00.000Z', inside: false },
    ],
  ])('%s', (_name, schedule, notBefore, expected) => {
    const result = runWindow(schedule, at(notBefore));
    expect({ at: result.at.toISOString(), closeAt: result.closeAt?.toISOString() ?? null, inside: result.inside }).toEqual(expected);
  });

  it('never runs a window that is already over, however short', () => {
    const minute: Schedule = { timezone: 'UTC', windows: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '10:00', end: '10:01' }] };
    expect(runWindow(minute, at('2026-12-01T10:00:30Z'))).toEqual({ at: at('2026-12-01T10:00:30Z'), closeAt: at('2026-12-01T10:01:00Z'), inside: true });
    expect(runWindow(minute, at('2026-12-01T10:01:00Z'))).toEqual({ at: at('2026-12-02T10:00:00Z'), closeAt: at('2026-12-02T10:01:00Z'), inside: false });
  });
});

describe('localTime', () => {
  it('writes the instant in the schedule zone with its offset', () => {
    expect(localTime(weekdays, at('2026-12-01T23:00:00Z'))).toBe('2026-12-02T07:00:00+08:00');
    expect(localTime({ timezone: 'America/New_York', windows: [] }, at('2026-07-01T12:00:00Z'))).toBe('2026-07-01T08:00:00-04:00');
  });
});
