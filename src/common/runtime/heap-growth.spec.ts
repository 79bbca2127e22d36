import { execFileSync } from 'node:child_process';
import { ConfigError, loadConfig } from '../../config/app-config';
import { tuneHeapGrowth } from './heap-growth';

describe('tuneHeapGrowth', () => {
  it('sets V8’s heap growing percent', () => {
    const set = jest.fn();
    tuneHeapGrowth(100, set);
    expect(set.mock.calls).toEqual([['--heap-growing-percent=100']]);
  });

  it('leaves V8’s own heuristic alone at 0', () => {
    const set = jest.fn();
    tuneHeapGrowth(0, set);
    expect(set).not.toHaveBeenCalled();
  });

  it('names a flag this Node’s V8 knows (unknown flags are ignored without a word)', () => {
    const options = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
    expect(options).toMatch(/^\s*--heap-growing-percent \(/m);
  });
});

describe('GC_HEAP_GROWING_PERCENT', () => {
  it('is 100 unless set, and 0 turns the tuning off', () => {
    expect(loadConfig({ NODE_ENV: 'test' }).runtime.heapGrowingPercent).toBe(100);
    expect(loadConfig({ NODE_ENV: 'test', GC_HEAP_GROWING_PERCENT: '0' }).runtime.heapGrowingPercent).toBe(0);
  });

  it.each(['-1', '1001', '1.5', 'lots'])('refuses %s', (value) => {
    expect(() => loadConfig({ NODE_ENV: 'test', GC_HEAP_GROWING_PERCENT: value })).toThrow(ConfigError);
  });
});
