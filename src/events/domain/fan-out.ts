/**
 * One live stream's delivery logic, without I/O (API.md section 7): the replica's tailer hands every
 * new event to every subscription, each keeps what its filter wants, in seq order, once.
 *
 * A subscription starts by replaying the journal up to where the tailer stood when it joined, while
 * the tailer's later events wait in `pending`; then it goes live with those. Frames the connection
 * refuses (it is not reading) are queued; past `cap` queued events the stream is ended (the client
 * resumes from its last id), so one slow reader holds at most `cap` events in memory.
 */

export interface StreamFilter {
  taskId?: string;
  kinds?: readonly string[];
}

/** An event rendered once per replica and shared by every subscription that wants it. */
export interface StreamItem {
  seq: number;
  task_id: string;
  kind: string;
  frame: string;
}

export const matchesFilter = (filter: StreamFilter, item: Pick<StreamItem, 'task_id' | 'kind'>): boolean =>
  (filter.taskId === undefined || filter.taskId === item.task_id) && (!filter.kinds?.length || filter.kinds.includes(item.kind));

/** Where frames go: `write` answers false when the connection's buffer is full (Node's writable contract). */
export interface StreamSink {
  write(chunk: string): boolean;
  end(): void;
}

export type StreamEndReason = 'overflow' | 'closed' | 'shutdown';

export const KEEP_ALIVE_FRAME = ': keep-alive\n\n';

export class StreamSubscription {
  /** The highest seq handed on (or passed over by the filter); nothing at or below it is sent again. */
  position: number;
  ended: StreamEndReason | null = null;
  private live = false;
  private readonly pending: StreamItem[] = [];
  private readonly queue: string[] = [];
  private blocked = false;
  private waiters: (() => void)[] = [];

  constructor(
    readonly filter: StreamFilter,
    after: number,
    private readonly sink: StreamSink,
    private readonly cap: number,
    private readonly hooks: { delivered?: (count: number) => void; ended?: (reason: StreamEndReason) => void } = {},
  ) {
    this.position = after;
  }

  /** An event from the tailer; before the replay is done it waits (counted against the cap). */
  publish(item: StreamItem): void {
    this.publishAll([item]);
  }

  /**
   * A tail pass's events, in seq order. Live and with room on the connection, those it wants go
   * out in one write: with 1,000 subscribers, a write per event per subscriber was the stream's
   * latency under load.
   */
  publishAll(items: readonly StreamItem[]): void {
    if (this.ended) return;
    if (!this.live) {
      for (const item of items) {
        if (item.seq <= this.position || !matchesFilter(this.filter, item)) continue;
        this.pending.push(item);
        if (this.pending.length + this.queue.length > this.cap) return this.end('overflow');
      }
      return;
    }
    if (this.blocked) {
      for (const item of items) this.offer(item);
      return;
    }
    const frames: string[] = [];
    for (const item of items) {
      if (item.seq <= this.position) continue;
      this.position = item.seq;
      if (matchesFilter(this.filter, item)) frames.push(item.frame);
    }
    if (frames.length === 0) return;
    this.hooks.delivered?.(frames.length);
    if (!this.sink.write(frames.length === 1 ? frames[0] : frames.join(''))) this.blocked = true;
  }

  /** Events read back from the journal, in seq order. */
  replay(items: readonly StreamItem[]): void {
    for (const item of items) this.offer(item);
  }

  /** The replay has caught up: what the tailer delivered meanwhile follows, then live events. */
  goLive(): void {
    if (this.ended) return;
    this.live = true;
    for (const item of this.pending.splice(0)) this.offer(item);
  }

  /** The connection took its buffer: queued frames go out until it is full again. */
  drained(): void {
    this.blocked = false;
    while (this.queue.length && !this.ended) {
      if (!this.sink.write(this.queue.shift()!)) {
        this.blocked = true;
        return;
      }
    }
    if (!this.blocked) for (const wake of this.waiters.splice(0)) wake();
  }

  /** Resolves once nothing is queued (at once when nothing is), or the stream ended. */
  writable(): Promise<void> {
    if (this.ended || (!this.blocked && this.queue.length === 0)) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** A comment line so proxies and the client see the connection alive; skipped while frames wait. */
  keepAlive(): void {
    if (this.ended || this.blocked) return;
    if (!this.sink.write(KEEP_ALIVE_FRAME)) this.blocked = true;
  }

  get queued(): number {
    return this.pending.length + this.queue.length;
  }

  end(reason: StreamEndReason): void {
    if (this.ended) return;
    this.ended = reason;
    this.pending.length = 0;
    this.queue.length = 0;
    for (const wake of this.waiters.splice(0)) wake();
    if (reason !== 'closed') this.sink.end();
    this.hooks.ended?.(reason);
  }

  private offer(item: StreamItem): void {
    if (this.ended || item.seq <= this.position) return;
    this.position = item.seq;
    if (!matchesFilter(this.filter, item)) return;
    this.hooks.delivered?.(1);
    if (this.blocked) {
      this.queue.push(item.frame);
      if (this.queue.length > this.cap) this.end('overflow');
      return;
    }
    if (!this.sink.write(item.frame)) this.blocked = true;
  }
}
