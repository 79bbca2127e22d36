/**
 * Group commit: writes submitted while a flush is under way wait for the next flush and go
 * together, so N concurrent writers cost about one transaction (one commit, one fsync) rather
 * than N. A flush takes at most `maxBatch` items; items sharing a key never go in the same flush
 * (the flush may assume one item per key). A failed flush rejects each of its items.
 */
export class GroupCommit<I, R> {
  private queue: { item: I; resolve: (result: R) => void; reject: (error: unknown) => void }[] = [];
  private flushing = false;

  constructor(
    private readonly flush: (items: I[]) => Promise<R[]>,
    private readonly keyOf: (item: I) => string,
    private readonly maxBatch: number,
  ) {}

  submit(item: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (!this.flushing) {
        this.flushing = true;
        // Writers that submit in the same turn of the event loop share the first flush.
        setImmediate(() => void this.drain());
      }
    });
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.take();
      try {
        const results = await this.flush(batch.map((p) => p.item));
        batch.forEach((p, i) => p.resolve(results[i]));
      } catch (error) {
        for (const p of batch) p.reject(error);
      }
    }
    this.flushing = false;
  }

  /** Up to maxBatch items in submission order, at most one per key; the rest stay queued in order. */
  private take(): typeof this.queue {
    const keys = new Set<string>();
    const batch: typeof this.queue = [];
    const rest: typeof this.queue = [];
    for (const pending of this.queue) {
      const key = this.keyOf(pending.item);
      if (batch.length < this.maxBatch && !keys.has(key)) {
        keys.add(key);
        batch.push(pending);
      } else {
        rest.push(pending);
      }
    }
    this.queue = rest;
    return batch;
  }
}
