import { backoffDelay } from './backoff';

describe('backoffDelay', () => {
  const policy = { baseMs: 500, capMs: 30_000 };

  it.each<[number, number, number]>([
    // attempt, lowest (random 0), highest (random 1)
    [1, 250, 500],
    [2, 500, 1_000],
    [3, 1_000, 2_000],
    [4, 2_000, 4_000],
    [6, 8_000, 16_000],
    [7, 15_000, 30_000],
    [8, 15_000, 30_000],
    [60, 15_000, 30_000],
  ])('attempt %i waits between %i and %i ms', (attempt, low, high) => {
    expect(backoffDelay(attempt, policy, () => 0)).toBe(low);
    expect(backoffDelay(attempt, policy, () => 1)).toBe(high);
    const mid = backoffDelay(attempt, policy, () => 0.5);
    expect(mid).toBeGreaterThanOrEqual(low);
    expect(mid).toBeLessThanOrEqual(high);
  });

  it('never exceeds the cap, so everything is tried again within one cap of a recovery', () => {
    for (let attempt = 1; attempt < 200; attempt++) expect(backoffDelay(attempt, policy)).toBeLessThanOrEqual(policy.capMs);
  });

  it('treats attempt 0 and out-of-range randoms sanely', () => {
    expect(backoffDelay(0, policy, () => 0)).toBe(250);
    expect(backoffDelay(1, policy, () => 7)).toBe(500);
    expect(backoffDelay(1, policy, () => -1)).toBe(250);
  });

  it('spreads many retries over the upper half of the ceiling', () => {
    const delays = Array.from({ length: 1000 }, () => backoffDelay(10, policy));
    expect(Math.min(...delays)).toBeGreaterThanOrEqual(15_000);
    expect(new Set(delays).size).toBeGreaterThan(500);
  });
});
