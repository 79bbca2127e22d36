import { setFlagsFromString } from 'node:v8';

/**
 * How far the old generation may grow past what the last full GC kept alive before the next full
 * GC starts, in percent; 0 leaves it to V8.
 *
 * Under steady load V8 sees old-generation allocation as slow next to its marking speed and sets
 * the next limit about 8 MB above the live heap. Most of this service's ~44 MB live heap is module
 * code and sources that never die, so the slow trickle promoted by every request (keep-alive
 * timers, objects caught in flight by a scavenge) brought a full mark-compact every 15–30 s, each
 * a 6–13 ms pause that stretched the requests around it. Letting the heap grow by its live size
 * makes those GCs several times rarer; measured, it cost 10–20 MB of RSS under load
 * (bench/results/fixes.md §20).
 */
export function tuneHeapGrowth(percent: number, setFlags: (flags: string) => void = setFlagsFromString): void {
  // V8 reads this flag each time it sets the limit after a full GC, so it applies from the next one.
  if (percent > 0) setFlags(`--heap-growing-percent=${percent}`);
}
