import { exceedsJsonDepth } from './json-depth';

const nested = (levels: number, open = '[', close = ']'): unknown => JSON.parse(open.repeat(levels) + close.repeat(levels));

describe('exceedsJsonDepth', () => {
  it('counts objects and arrays, not scalars', () => {
    expect(exceedsJsonDepth(1, 1)).toBe(false);
    expect(exceedsJsonDepth('[[[[', 1)).toBe(false);
    expect(exceedsJsonDepth({}, 1)).toBe(false);
    expect(exceedsJsonDepth({ a: {} }, 1)).toBe(true);
    expect(exceedsJsonDepth({ a: [1, { b: null }] }, 3)).toBe(false);
    expect(exceedsJsonDepth({ a: [1, { b: [] }] }, 3)).toBe(true);
  });

  it('finds the deep branch among wide shallow ones', () => {
    const wide = { items: Array.from({ length: 1000 }, (_, i) => ({ id: i, tags: ['x'] })), deep: nested(40) };
    expect(exceedsJsonDepth(wide, 32)).toBe(true);
    expect(exceedsJsonDepth({ ...wide, deep: nested(29) }, 32)).toBe(false);
  });

  it('walks 100,000 levels without overflowing the stack', () => {
    expect(exceedsJsonDepth(nested(100_000), 32)).toBe(true);
    const objects: unknown = JSON.parse('{"a":'.repeat(100_000) + '1' + '}'.repeat(100_000));
    expect(exceedsJsonDepth(objects, 32)).toBe(true);
  });
});
