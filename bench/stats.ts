import type { Measured } from './load';

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const n = s.length;
  return n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};

export interface Summary {
  runs: number;
  rps: number;
  rpsMin: number;
  rpsMax: number;
  p50: number;
  p99: number;
  cpuPercent: number;
  rssMb: number;
  non2xx: number;
  errors: number;
}

/** Median of each figure over the runs, with the min–max of throughput; failures are summed. */
export function summarize(runs: readonly Measured[]): Summary {
  const m = medianRun(runs);
  return {
    runs: runs.length,
    rps: m.rps,
    rpsMin: Math.min(...runs.map((r) => r.rps)),
    rpsMax: Math.max(...runs.map((r) => r.rps)),
    p50: m.p50,
    p99: m.p99,
    cpuPercent: m.cpuPercent,
    rssMb: m.rssMb,
    non2xx: m.non2xx,
    errors: m.errors,
  };
}

/** Several runs as one: the median of throughput, latencies and CPU, the peak RSS, failures summed. */
export function medianRun(runs: readonly Measured[]): Measured {
  const pick = (f: (m: Measured) => number) => median(runs.map(f));
  return {
    requests: runs.reduce((a, m) => a + m.requests, 0),
    seconds: runs.reduce((a, m) => a + m.seconds, 0),
    rps: pick((m) => m.rps),
    p50: pick((m) => m.p50),
    p90: pick((m) => m.p90),
    p99: pick((m) => m.p99),
    max: Math.max(...runs.map((m) => m.max)),
    non2xx: runs.reduce((a, m) => a + m.non2xx, 0),
    errors: runs.reduce((a, m) => a + m.errors, 0),
    lateSends: runs.reduce((a, m) => a + (m.lateSends ?? 0), 0),
    cpuPercent: pick((m) => m.cpuPercent),
    rssMb: Math.max(...runs.map((m) => m.rssMb)),
  };
}
