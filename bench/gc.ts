/**
 * The service's garbage collection over a load window, from its own /metrics (prom-client's default
 * `nodejs_gc_duration_seconds` histogram, fed by a `gc` PerformanceObserver). Under the same
 * fixed-rate load the service has been seen in two states: scavenges of ~0.7 ms with nothing
 * promoted, or 4–7 ms scavenges that promote ~1.5 MB each and a mark-compact every few seconds
 * (results/fixes.md §19). These figures say which one each half-peak run was in.
 *
 * prom-client observes only the first entry of each batch the observer delivers, so two GCs that
 * end within one delivery count as one: the figures are a lower bound.
 */
export interface GcReading {
  minorSeconds: number;
  minorCount: number;
  majorSeconds: number;
  majorCount: number;
  incrementalSeconds: number;
}

export interface GcWindow {
  /** Scavenge pause per second of load, ms. */
  minorMsPerSecond: number;
  /** Mean scavenge pause, ms. */
  minorMeanMs: number;
  /** Mark-compacts that ended in the window, and their pauses plus incremental marking steps, ms. */
  majorCount: number;
  majorMs: number;
}

const sample = (text: string, name: string, kind: string): number => {
  const match = new RegExp(`^${name}\\{kind="${kind}"\\} ([0-9.eE+-]+)$`, 'm').exec(text);
  return match ? Number(match[1]) : 0;
};

export async function readGc(port: number, authorization: string): Promise<GcReading> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { headers: { authorization } });
  if (!res.ok) throw new Error(`GET /metrics answered ${res.status}`);
  const text = await res.text();
  return {
    minorSeconds: sample(text, 'nodejs_gc_duration_seconds_sum', 'minor'),
    minorCount: sample(text, 'nodejs_gc_duration_seconds_count', 'minor'),
    majorSeconds: sample(text, 'nodejs_gc_duration_seconds_sum', 'major'),
    majorCount: sample(text, 'nodejs_gc_duration_seconds_count', 'major'),
    incrementalSeconds: sample(text, 'nodejs_gc_duration_seconds_sum', 'incremental'),
  };
}

export function gcWindow(before: GcReading, after: GcReading, seconds: number): GcWindow {
  const minorSeconds = after.minorSeconds - before.minorSeconds;
  const minorCount = after.minorCount - before.minorCount;
  return {
    minorMsPerSecond: (minorSeconds * 1000) / seconds,
    minorMeanMs: minorCount > 0 ? (minorSeconds * 1000) / minorCount : 0,
    majorCount: after.majorCount - before.majorCount,
    majorMs: (after.majorSeconds - before.majorSeconds + after.incrementalSeconds - before.incrementalSeconds) * 1000,
  };
}

export const describeGc = (gc: GcWindow): string =>
  `scavenges ${gc.minorMsPerSecond.toFixed(1)} ms/s (mean ${gc.minorMeanMs.toFixed(2)} ms), mark-compacts ${gc.majorCount} (${gc.majorMs.toFixed(0)} ms)`;
