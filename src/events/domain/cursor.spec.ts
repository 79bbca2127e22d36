import { afterIsExpired, beforeIsExpired, formatEventId, parseEventId } from './cursor';

describe('event cursors', () => {
  it('pads to 20 digits so that later events compare greater as strings', () => {
    expect(formatEventId(42)).toBe('00000000000000000042');
    const ids = [1, 9, 10, 99, 100, 123456789, Number.MAX_SAFE_INTEGER].map(formatEventId);
    expect([...ids].sort()).toEqual(ids);
    expect(ids.every((id) => id.length === 20)).toBe(true);
  });

  it('reads back what it writes, with or without the padding', () => {
    expect(parseEventId(formatEventId(42))).toBe(42);
    expect(parseEventId('42')).toBe(42);
    expect(parseEventId('0')).toBe(0);
    expect(parseEventId(formatEventId(Number.MAX_SAFE_INTEGER))).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('refuses anything but 1 to 20 digits, and numbers it could not represent exactly', () => {
    for (const bad of ['', ' 1', '1 ', '-1', '1.5', '1e3', 'abc', '0x10', '123456789012345678901', '99999999999999999999', undefined, null]) {
      expect(parseEventId(bad as string)).toBeNull();
    }
  });

  it('expires a resume cursor only when events after it were pruned', () => {
    // Nothing pruned: the oldest kept is 1 (or the next to give, 1, on an empty journal).
    expect(afterIsExpired(0, 1)).toBe(false);
    // 1..9 pruned, 10 is the oldest kept: after 9 misses nothing, after 8 misses 9.
    expect(afterIsExpired(9, 10)).toBe(false);
    expect(afterIsExpired(8, 10)).toBe(true);
    expect(afterIsExpired(0, 10)).toBe(true);
  });

  it('expires a history cursor when everything before it was pruned', () => {
    expect(beforeIsExpired(1, 1)).toBe(false);
    expect(beforeIsExpired(11, 10)).toBe(false);
    expect(beforeIsExpired(10, 10)).toBe(true);
    expect(beforeIsExpired(3, 10)).toBe(true);
  });
});
