import { dayOf, dayStart, locateOffset } from './day-counts';

describe('dayOf / dayStart', () => {
  it('numbers UTC days from the epoch', () => {
    expect(dayOf(new Date('1970-01-01T00:00:00.000Z'))).toBe(0);
    expect(dayOf(new Date('1970-01-01T23:59:59.999Z'))).toBe(0);
    expect(dayOf(new Date('1970-01-02T00:00:00.000Z'))).toBe(1);
    expect(dayOf(new Date('2026-11-26T12:00:00.000Z'))).toBe(20_783);
  });

  it('does not follow the local time zone', () => {
    // 08:00 in Shanghai on the 26th is still the 26th in UTC; 07:59 there is the 25th.
    expect(dayOf(new Date('2026-11-26T08:00:00+08:00'))).toBe(20_783);
    expect(dayOf(new Date('2026-11-26T07:59:59.999+08:00'))).toBe(20_782);
  });

  it('inverts: every instant of a day lies in [dayStart(day), dayStart(day + 1))', () => {
    for (const iso of ['2026-11-26T00:00:00.000Z', '2026-11-26T13:14:15.161Z', '2026-11-26T23:59:59.999Z']) {
      const date = new Date(iso);
      const day = dayOf(date);
      expect(dayStart(day).getTime()).toBeLessThanOrEqual(date.getTime());
      expect(dayStart(day + 1).getTime()).toBeGreaterThan(date.getTime());
    }
    expect(dayStart(20_783).toISOString()).toBe('2026-11-26T00:00:00.000Z');
  });
});

describe('locateOffset', () => {
  const days = [
    { day: 30, live: 3 },
    { day: 29, live: 0 },
    { day: 27, live: 2 },
    { day: 20, live: 5 },
  ];

  it('finds every row of the list, in order, on the right day', () => {
    const expected = [
      [30, 0],
      [30, 1],
      [30, 2],
      [27, 0],
      [27, 1],
      [20, 0],
      [20, 1],
      [20, 2],
      [20, 3],
      [20, 4],
    ];
    expected.forEach(([day, skip], offset) => expect(locateOffset(days, offset)).toEqual({ found: true, day, skip }));
  });

  it('says how many rows it passed when the offset lies beyond the given days', () => {
    expect(locateOffset(days, 10)).toEqual({ found: false, passed: 10 });
    expect(locateOffset(days, 1_000)).toEqual({ found: false, passed: 10 });
    expect(locateOffset([], 0)).toEqual({ found: false, passed: 0 });
  });

  it('never lands on a day without live tasks', () => {
    expect(
      locateOffset(
        [
          { day: 5, live: 0 },
          { day: 4, live: 1 },
        ],
        0,
      ),
    ).toEqual({ found: true, day: 4, skip: 0 });
  });

  it('counts a negative day as empty instead of shifting the page', () => {
    expect(
      locateOffset(
        [
          { day: 5, live: -2 },
          { day: 4, live: 2 },
        ],
        1,
      ),
    ).toEqual({ found: true, day: 4, skip: 1 });
  });
});
