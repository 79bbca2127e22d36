import { formatWireDateTime, isWireDateTime, parseWireDateTime } from './datetime';

describe('wire date-times', () => {
  it('reads the original format in the configured zone', () => {
    expect(parseWireDateTime('2018-12-03 10:27:30.999', 'Asia/Shanghai')?.toISOString()).toBe('2018-12-03T02:27:30.999Z');
    expect(parseWireDateTime('2018-12-03 10:27:30', 'UTC')?.toISOString()).toBe('2018-12-03T10:27:30.000Z');
  });

  it('accepts ISO-8601 with an offset', () => {
    expect(parseWireDateTime('2018-12-03T10:27:30.5+08:00', 'UTC')?.toISOString()).toBe('2018-12-03T02:27:30.500Z');
    expect(parseWireDateTime('2018-12-03T10:27:30Z', 'Asia/Shanghai')?.toISOString()).toBe('2018-12-03T10:27:30.000Z');
  });

  it.each(['2018-02-30 10:00:00', '2018-12-03', '10:27:30', '2018-12-03T10:27:30', 'yesterday', '2018-12-03 25:00:00'])(
    'refuses %p',
    (value) => {
      expect(parseWireDateTime(value, 'Asia/Shanghai')).toBeNull();
    },
  );

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
});
