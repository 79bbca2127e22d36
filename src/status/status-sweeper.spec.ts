import { nudgeDelay } from './status-sweeper.service';

describe('nudgeDelay: a nudged sweep waits so that sweeping takes at most about a third of the time', () => {
  it.each<[number, number]>([
    [0, 50],
    [1, 50],
    [25, 50],
    [25.2, 51],
    [60, 120],
    [300, 600],
    [499.9, 1000],
    [500, 1000],
    [5_000, 1000],
  ])('after a sweep of %s ms: %s ms', (lastSweepMs, delay) => {
    expect(nudgeDelay(lastSweepMs)).toBe(delay);
  });
});
