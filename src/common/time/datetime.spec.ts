import dayjs from 'dayjs';
import { formatWireDateTime, isWireDateTime, parseWireDateTime, WIRE_FORMAT } from './datetime';
import { seededRandom } from '../testing/seeded-random';

/** Zones with whole-hour, half-hour and 30-minute-DST offsets, with and without DST. */
const ZONES = ['Asia/Shanghai', 'UTC', 'America/New_York', 'Europe/Berlin', 'Australia/Lord_Howe', 'America/St_Johns', 'Asia/Kolkata'];
const MINUTE = 60_000;

describe('wire date-times', () => {
  it('reads instants before 1970 to the millisecond', () => {
    expect(parseWireDateTime('1961-02-22 16:51:58.787', 'UTC')?.toISOString()).toBe('1961-02-22T16:51:58.787Z');
    expect(parseWireDateTime('1961-02-22 16:51:58.787', 'America/New_York')?.toISOString()).toBe('1961-02-22T21:51:58.787Z');
  });

  it('reads the original format in the configured zone', () => {
    expect(parseWireDateTime('2018-12-03 10:27:30.999', 'Asia/Shanghai')?.toISOString()).toBe('2018-12-03T02:27:30.999Z');
    expect(parseWireDateTime('2018-12-03 10:27:30', 'UTC')?.toISOString()).toBe('2018-12-03T10:27:30.000Z');
  });

  it('accepts ISO-8601 with an offset', () => {
    expect(parseWireDateTime('2018-12-03T10:27:30.5+08:00', 'UTC')?.toISOString()).toBe('2018-12-03T02:27:30.500Z');
    expect(parseWireDateTime('2018-12-03T10:27:30Z', 'Asia/Shanghai')?.toISOString()).toBe('2018-12-03T10:27:30.000Z');
  });

  it.each(['2018-02-30 10:00:00', '2018-12-03', '10:27:30', '2018-12-03T10:27:30', 'yesterday', '2018-12-03 25:00:00'])('refuses %p', (value) => {
    expect(parseWireDateTime(value, 'Asia/Shanghai')).toBeNull();
  });

  it('writes the original format, round-tripping the instant', () => {
    const date = new Date('2018-12-03T02:27:30.999Z');
    expect(formatWireDateTime(date, 'Asia/Shanghai')).toBe('2018-12-03 10:27:30.999');
    expect(parseWireDateTime(formatWireDateTime(date, 'Europe/Berlin')!, 'Europe/Berlin')?.getTime()).toBe(date.getTime());
    expect(formatWireDateTime(null, 'UTC')).toBeNull();
  });

  it('recognises the accepted shapes', () => {
    expect(isWireDateTime('2018-12-03 10:27:30.999')).toBe(true);
    expect(isWireDateTime('2018-12-03T10:27:30+0800')).toBe(true);
    expect(isWireDateTime(20181203)).toBe(false);
  });

  describe('formatting: the per-hour offset matches dayjs', () => {
    const viaDayjs = (date: Date, zone: string) => dayjs(date).tz(zone).format(WIRE_FORMAT);

    it('on random instants of years 1000–9999 in zones with and without DST', () => {
      const random = seededRandom(20261126);
      const from = Date.UTC(1000, 0, 3);
      const to = Date.UTC(9999, 11, 29);
      const differences: string[] = [];
      for (let i = 0; i < 20_000; i++) {
        // Half the draws in 1970–2100, where the zones' rules change most.
        const ms = i % 2 ? from + Math.floor(random() * (to - from)) : Date.UTC(1970, 0, 1) + Math.floor(random() * 130 * 365.25 * 86_400_000);
        const date = new Date(ms);
        const zone = ZONES[i % ZONES.length];
        if (formatWireDateTime(date, zone) !== viaDayjs(date, zone)) differences.push(`${date.toISOString()} ${zone}`);
      }
      expect(differences).toEqual([]);
    });

    it('on every minute of the days around the DST changes, and outside years 1000–9999', () => {
      const days = [
        ['America/New_York', '2024-03-10'],
        ['America/New_York', '2024-11-03'],
        ['Europe/Berlin', '2024-03-31'],
        ['Europe/Berlin', '2024-10-27'],
        ['Australia/Lord_Howe', '2024-04-07'],
        ['Australia/Lord_Howe', '2024-10-06'],
      ] as const;
      const differences: string[] = [];
      for (const [zone, day] of days) {
        const start = Date.parse(`${day}T00:00:00Z`) - 86_400_000;
        for (let ms = start; ms < start + 3 * 86_400_000; ms += MINUTE) {
          const date = new Date(ms + 999);
          if (formatWireDateTime(date, zone) !== viaDayjs(date, zone)) differences.push(`${date.toISOString()} ${zone}`);
        }
      }
      for (const iso of ['0999-12-31T23:00:00.000Z', '9999-12-31T12:00:00.000Z']) {
        const date = new Date(iso);
        if (formatWireDateTime(date, 'America/New_York') !== viaDayjs(date, 'America/New_York')) differences.push(iso);
      }
      expect(differences).toEqual([]);
    });
  });

  it('refuses exactly the fields the calendar and the clock do not have, on random strings', () => {
    const random = seededRandom(7);
    const pick = (max: number) => Math.floor(random() * (max + 1));
    const p = (n: number, width: number) => String(n).padStart(width, '0');
    for (let i = 0; i < 5_000; i++) {
      const [year, month, day, hour, minute, second] = [1000 + pick(9000), pick(13), pick(32), pick(25), pick(61), pick(61)];
      const value = `${p(year, 4)}-${p(month, 2)}-${p(day, 2)} ${p(hour, 2)}:${p(minute, 2)}:${p(second, 2)}.${p(pick(999), 3)}`;
      const daysInMonth = month >= 1 && month <= 12 ? new Date(Date.UTC(year, month, 0)).getUTCDate() : 0;
      const real = day >= 1 && day <= daysInMonth && hour <= 23 && minute <= 59 && second <= 59;
      const parsed = parseWireDateTime(value, 'UTC');
      expect([value, parsed === null ? null : parsed.toISOString()]).toEqual([value, real ? `${value.replace(' ', 'T')}Z` : null]);
    }
  });

  it('reads local wall times in every zone as dayjs.tz does, on random times and on every 7 minutes around the changes', () => {
    const viaDayjs = (value: string, zone: string) => dayjs.tz(value.slice(0, 19), 'YYYY-MM-DD HH:mm:ss', zone).valueOf() + Number(value.slice(20));
    const random = seededRandom(7);
    const values: string[] = [];
    for (let i = 0; i < 3_000; i++) {
      const ms = random() < 0.5 ? Date.UTC(1970, 0, 1) + random() * 130 * 365 * 86_400_000 : Date.UTC(1000, 0, 3) + random() * 8_990 * 365 * 86_400_000;
      values.push(new Date(ms).toISOString().replace('T', ' ').slice(0, 23));
    }
    for (const day of ['2024-03-10', '2024-03-31', '2024-10-27', '2024-11-03', '2024-04-07', '2024-10-06']) {
      for (let ms = Date.parse(`${day}T00:00:00Z`) - 86_400_000; ms < Date.parse(`${day}T00:00:00Z`) + 2 * 86_400_000; ms += 7 * MINUTE + 13) {
        values.push(new Date(ms).toISOString().replace('T', ' ').slice(0, 23));
      }
    }
    const differences: string[] = [];
    for (const zone of ZONES) {
      for (const value of values) if (parseWireDateTime(value, zone)?.getTime() !== viaDayjs(value, zone)) differences.push(`${value} ${zone}`);
    }
    expect(differences).toEqual([]);
  });

  describe('daylight saving time in America/New_York', () => {
    const zone = 'America/New_York';
    const parse = (value: string) => parseWireDateTime(value, zone)?.toISOString();

    it('reads a wall-clock time in the spring gap as the same time after it (02:30 does not exist: 03:30 EDT)', () => {
      expect(parse('2024-03-10 01:59:59.999')).toBe('2024-03-10T06:59:59.999Z');
      expect(parse('2024-03-10 02:30:00.000')).toBe('2024-03-10T07:30:00.000Z');
      expect(parse('2024-03-10 03:00:00.000')).toBe('2024-03-10T07:00:00.000Z');
    });

    it('reads a wall-clock time in the autumn fold as its second occurrence (EST)', () => {
      expect(parse('2024-11-03 00:59:59.999')).toBe('2024-11-03T04:59:59.999Z');
      expect(parse('2024-11-03 01:30:00.000')).toBe('2024-11-03T06:30:00.000Z');
      expect(parse('2024-11-03 02:00:00.000')).toBe('2024-11-03T07:00:00.000Z');
    });

    it('writes the instants on both sides of each change with their own offset', () => {
      const format = (iso: string) => formatWireDateTime(new Date(iso), zone);
      expect(format('2024-03-10T06:59:59.999Z')).toBe('2024-03-10 01:59:59.999');
      expect(format('2024-03-10T07:00:00.000Z')).toBe('2024-03-10 03:00:00.000');
      // The fold: two instants an hour apart show the same wall-clock time.
      expect(format('2024-11-03T05:30:00.000Z')).toBe('2024-11-03 01:30:00.000');
      expect(format('2024-11-03T06:30:00.000Z')).toBe('2024-11-03 01:30:00.000');
      expect(format('2024-11-03T07:00:00.000Z')).toBe('2024-11-03 02:00:00.000');
    });

    it('round-trips every instant outside the fold, across both changes', () => {
      for (const day of ['2024-03-10', '2024-11-03']) {
        const start = Date.parse(`${day}T00:00:00Z`);
        for (let ms = start; ms < start + 86_400_000; ms += 7 * MINUTE) {
          const text = formatWireDateTime(new Date(ms), zone)!;
          const inFold = text.startsWith('2024-11-03 01:');
          if (!inFold) expect([text, parseWireDateTime(text, zone)?.getTime()]).toEqual([text, ms]);
        }
      }
    });
  });
});
