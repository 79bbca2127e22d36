import en from '../../i18n/en/validation.json';
import zh from '../../i18n/zh-CN/validation.json';
import { MAX_SCHEDULE_WINDOWS } from './schedule';
import { validateSchedule } from './validate-schedule';

const DEFAULT_ZONE = 'Asia/Shanghai';
const ok = { days: [1, 2, 3, 4, 5], start: '07:00', end: '19:00' };
const withWindow = (window: unknown, extra: Record<string, unknown> = {}) => ({ timezone: 'Europe/Berlin', windows: [ok, window], ...extra });
const pairs = (input: unknown) => validateSchedule(input, DEFAULT_ZONE).errors.map((e) => `${e.field} ${e.rule}`);

describe('validateSchedule accepts', () => {
  it.each([undefined, null])('%p as no schedule (always)', (input) => {
    expect(validateSchedule(input, DEFAULT_ZONE)).toEqual({ schedule: null, errors: [] });
  });

  it('the example of the contract, as given', () => {
    const input = { timezone: 'Asia/Shanghai', windows: [ok, { days: [6, 7], start: '22:00', end: '06:00' }] };
    expect(validateSchedule(input, 'UTC')).toEqual({ schedule: input, errors: [] });
  });

  it.each([undefined, null])('timezone %p as the default zone', (timezone) => {
    expect(validateSchedule({ timezone, windows: [ok] }, 'America/New_York').schedule).toEqual({ timezone: 'America/New_York', windows: [ok] });
  });

  it.each(['UTC', 'Europe/Berlin', 'America/New_York', 'Etc/GMT-8', 'Pacific/Apia'])('zone %s', (timezone) => {
    expect(validateSchedule({ timezone, windows: [ok] }, DEFAULT_ZONE).errors).toEqual([]);
  });

  it.each([
    ['00:00', '23:59'],
    ['23:59', '00:00'],
    ['22:00', '06:00'],
    ['10:00', '10:00'],
  ])('start %s end %s', (start, end) => {
    expect(validateSchedule({ windows: [{ days: [7], start, end }] }, DEFAULT_ZONE).errors).toEqual([]);
  });

  it(`up to ${MAX_SCHEDULE_WINDOWS} windows, in a copy the input cannot change`, () => {
    const windows = Array.from({ length: MAX_SCHEDULE_WINDOWS }, () => ({ days: [1], start: '07:00', end: '08:00' }));
    const { schedule } = validateSchedule({ windows }, DEFAULT_ZONE);
    expect(schedule?.windows).toHaveLength(MAX_SCHEDULE_WINDOWS);
    windows[0].days.push(2);
    expect(schedule?.windows[0].days).toEqual([1]);
  });
});

describe('validateSchedule refuses, naming the field and the rule', () => {
  const tooMany = Array.from({ length: MAX_SCHEDULE_WINDOWS + 1 }, () => ok);
  it.each([
    ['not an object', 'daily', ['schedule nestedValidation']],
    ['an array', [ok], ['schedule nestedValidation']],
    ['no windows', {}, ['schedule.windows isDefined']],
    ['windows null', { windows: null }, ['schedule.windows isDefined']],
    ['windows not an array', { windows: ok }, ['schedule.windows isArray']],
    ['windows empty', { windows: [] }, ['schedule.windows arrayNotEmpty']],
    ['too many windows', { windows: tooMany }, ['schedule.windows arrayMaxSize']],
    ['unknown zone', { timezone: 'Mars/Olympus', windows: [ok] }, ['schedule.timezone isIanaZone']],
    ['zone as an offset', { timezone: '+08:00', windows: [ok] }, ['schedule.timezone isIanaZone']],
    ['zone empty', { timezone: '', windows: [ok] }, ['schedule.timezone isIanaZone']],
    ['zone a number', { timezone: 8, windows: [ok] }, ['schedule.timezone isIanaZone']],
    ['zone too long', { timezone: `Asia/${'x'.repeat(80)}`, windows: [ok] }, ['schedule.timezone isIanaZone']],
    ['unknown field of the schedule', { windows: [ok], zone: 'UTC' }, ['schedule.zone whitelistValidation']],
    ['a window not an object', withWindow('mon-fri'), ['schedule.windows[1] nestedValidation']],
    ['a window null', withWindow(null), ['schedule.windows[1] nestedValidation']],
    ['unknown field of a window', withWindow({ ...ok, note: 'x' }), ['schedule.windows[1].note whitelistValidation']],
    ['days missing', withWindow({ start: '07:00', end: '08:00' }), ['schedule.windows[1].days isDefined']],
    ['days not an array', withWindow({ ...ok, days: 1 }), ['schedule.windows[1].days isArray']],
    ['days empty', withWindow({ ...ok, days: [] }), ['schedule.windows[1].days arrayNotEmpty']],
    ['day 0', withWindow({ ...ok, days: [0, 1] }), ['schedule.windows[1].days isIsoWeekday']],
    ['day 8', withWindow({ ...ok, days: [8] }), ['schedule.windows[1].days isIsoWeekday']],
    ['day 1.5', withWindow({ ...ok, days: [1.5] }), ['schedule.windows[1].days isIsoWeekday']],
    ['day as a string', withWindow({ ...ok, days: ['1'] }), ['schedule.windows[1].days isIsoWeekday']],
    ['day null', withWindow({ ...ok, days: [null] }), ['schedule.windows[1].days isIsoWeekday']],
    ['a day twice', withWindow({ ...ok, days: [1, 2, 1] }), ['schedule.windows[1].days arrayUnique']],
    ['start missing', withWindow({ days: [1], end: '08:00' }), ['schedule.windows[1].start isDefined']],
    ['end null', withWindow({ days: [1], start: '07:00', end: null }), ['schedule.windows[1].end isDefined']],
    ['start without a leading zero', withWindow({ ...ok, start: '7:00' }), ['schedule.windows[1].start isHourMinute']],
    ['start 24:00', withWindow({ ...ok, start: '24:00' }), ['schedule.windows[1].start isHourMinute']],
    ['end 12:60', withWindow({ ...ok, end: '12:60' }), ['schedule.windows[1].end isHourMinute']],
    ['end with seconds', withWindow({ ...ok, end: '12:00:00' }), ['schedule.windows[1].end isHourMinute']],
    ['end a number', withWindow({ ...ok, end: 1900 }), ['schedule.windows[1].end isHourMinute']],
    ['end with a trailing newline', withWindow({ ...ok, end: '19:00\n' }), ['schedule.windows[1].end isHourMinute']],
    ['always open: every day 24 h', { windows: [{ days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '00:00' }] }, ['schedule.windows scheduleAlwaysOpen']],
    [
      'always open: two halves of every day',
      {
        windows: [
          { days: [1, 2, 3, 4, 5, 6, 7], start: '00:00', end: '12:00' },
          { days: [1, 2, 3, 4, 5, 6, 7], start: '12:00', end: '00:00' },
        ],
      },
      ['schedule.windows scheduleAlwaysOpen'],
    ],
    [
      'every fault at once, each under its own field',
      { timezone: 'Nowhere', windows: [{ days: [9], start: '7', end: '25:00' }, 3, { days: [1, 1], start: '07:00' }], x: 1 },
      [
        'schedule.x whitelistValidation',
        'schedule.timezone isIanaZone',
        'schedule.windows[0].days isIsoWeekday',
        'schedule.windows[0].start isHourMinute',
        'schedule.windows[0].end isHourMinute',
        'schedule.windows[1] nestedValidation',
        'schedule.windows[2].days arrayUnique',
        'schedule.windows[2].end isDefined',
      ],
    ],
  ])('%s', (_name, input, expected) => {
    const result = validateSchedule(input, DEFAULT_ZONE);
    expect(result.schedule).toBeNull();
    expect(pairs(input)).toEqual(expected);
  });

  it('gives the bound with arrayMaxSize', () => {
    const windows = Array.from({ length: MAX_SCHEDULE_WINDOWS + 1 }, () => ok);
    expect(validateSchedule({ windows }, DEFAULT_ZONE).errors).toEqual([
      { field: 'schedule.windows', rule: 'arrayMaxSize', args: { max: MAX_SCHEDULE_WINDOWS } },
    ]);
  });

  it('names fields under another parent when asked', () => {
    expect(validateSchedule({ windows: [{ ...ok, end: 'x' }] }, DEFAULT_ZONE, 'tasks[2].schedule').errors.map((e) => e.field)).toEqual([
      'tasks[2].schedule.windows[0].end',
    ]);
  });

  it('has a message in English and Chinese for every rule it reports, quoting the field', () => {
    const rules = [
      'nestedValidation',
      'isDefined',
      'isArray',
      'arrayNotEmpty',
      'arrayMaxSize',
      'arrayUnique',
      'isIanaZone',
      'isIsoWeekday',
      'isHourMinute',
      'whitelistValidation',
      'scheduleAlwaysOpen',
    ];
    for (const messages of [en, zh] as Record<string, string>[]) {
      for (const rule of rules) expect(messages[rule]).toContain('{field}');
    }
  });
});
