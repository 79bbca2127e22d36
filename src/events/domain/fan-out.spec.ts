import { KEEP_ALIVE_FRAME, matchesFilter, StreamItem, StreamSink, StreamSubscription } from './fan-out';

class FakeSink implements StreamSink {
  chunks: string[] = [];
  ended = false;
  /** How many more writes are taken before the connection's buffer counts as full. */
  room = Infinity;
  write(chunk: string): boolean {
    this.chunks.push(chunk);
    this.room -= 1;
    return this.room > 0;
  }
  end(): void {
    this.ended = true;
  }
  get seqs(): number[] {
    return this.chunks.filter((c) => c !== KEEP_ALIVE_FRAME).map((c) => Number(c));
  }
}

const item = (seq: number, task_id = 't1', kind = 'subtask.state'): StreamItem => ({ seq, task_id, kind, frame: String(seq) });
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('stream filter', () => {
  it('keeps what the task and kinds ask for', () => {
    expect(matchesFilter({}, item(1))).toBe(true);
    expect(matchesFilter({ taskId: 't1' }, item(1))).toBe(true);
    expect(matchesFilter({ taskId: 't2' }, item(1))).toBe(false);
    expect(matchesFilter({ kinds: ['task.desired', 'subtask.state'] }, item(1))).toBe(true);
    expect(matchesFilter({ kinds: ['task.desired'] }, item(1))).toBe(false);
    expect(matchesFilter({ taskId: 't1', kinds: [] }, item(1))).toBe(true);
  });
});

describe('stream subscription', () => {
  it('replays, then delivers what arrived during the replay, then live events: in order, none twice', () => {
    const sink = new FakeSink();
    const sub = new StreamSubscription({}, 3, sink, 100);
    // Joined when the tailer stood at 6; the tailer's 7 and 8 come while the replay runs.
    sub.publish(item(7));
    sub.publish(item(8));
    sub.replay([4, 5, 6].map((s) => item(s)));
    expect(sink.seqs).toEqual([4, 5, 6]);
    sub.goLive();
    sub.publish(item(8));
    sub.publish(item(9));
    expect(sink.seqs).toEqual([4, 5, 6, 7, 8, 9]);
  });

  it('skips what the client has already seen when it is ahead of this replica', () => {
    const sink = new FakeSink();
    const sub = new StreamSubscription({}, 10, sink, 100);
    sub.goLive();
    for (const s of range(8, 12)) sub.publish(item(s));
    expect(sink.seqs).toEqual([11, 12]);
  });

  it('delivers only the events its filter wants', () => {
    const sink = new FakeSink();
    const delivered: number[] = [];
    const sub = new StreamSubscription({ taskId: 't1', kinds: ['task.desired'] }, 0, sink, 100, { delivered: (n) => delivered.push(n) });
    sub.goLive();
    sub.publish(item(1, 't1', 'task.desired'));
    sub.publish(item(2, 't2', 'task.desired'));
    sub.publish(item(3, 't1', 'subtask.state'));
    sub.publish(item(4, 't1', 'task.desired'));
    expect(sink.seqs).toEqual([1, 4]);
    expect(delivered).toHaveLength(2);
  });

  it('queues while the connection is full, sends the queue in order once it drains', () => {
    const sink = new FakeSink();
    sink.room = 2;
    const sub = new StreamSubscription({}, 0, sink, 100);
    sub.goLive();
    for (const s of range(1, 10)) sub.publish(item(s));
    expect(sink.seqs).toEqual([1, 2]);
    expect(sub.queued).toBe(8);
    sink.room = Infinity;
    sub.drained();
    expect(sink.seqs).toEqual(range(1, 10));
    expect(sub.queued).toBe(0);
  });

  it('ends the stream of a subscriber that does not read once its buffer is over the cap, and holds no more', () => {
    const sink = new FakeSink();
    sink.room = 1;
    const ended: string[] = [];
    const sub = new StreamSubscription({}, 0, sink, 5, { ended: (reason) => ended.push(reason) });
    sub.goLive();
    for (const s of range(1, 1000)) sub.publish(item(s));
    expect(ended).toEqual(['overflow']);
    expect(sink.ended).toBe(true);
    expect(sub.queued).toBe(0);
    // The connection took one frame; the cap held five more, the sixth ended it.
    expect(sink.chunks).toHaveLength(1);
  });

  it('counts events waiting behind a replay against the cap too', () => {
    const sink = new FakeSink();
    const sub = new StreamSubscription({}, 0, sink, 3);
    for (const s of range(11, 14)) sub.publish(item(s));
    expect(sub.ended).toBe('overflow');
  });

  it('sends keep-alive comments only while the connection takes them', () => {
    const sink = new FakeSink();
    const sub = new StreamSubscription({}, 0, sink, 10);
    sub.keepAlive();
    expect(sink.chunks).toEqual([KEEP_ALIVE_FRAME]);
    sink.room = 1;
    sub.goLive();
    sub.publish(item(1));
    sub.keepAlive();
    expect(sink.chunks).toEqual([KEEP_ALIVE_FRAME, '1']);
  });

  it('lets a replay wait until the connection drained', async () => {
    const sink = new FakeSink();
    sink.room = 1;
    const sub = new StreamSubscription({}, 0, sink, 10);
    sub.replay([item(1), item(2)]);
    let ready = false;
    const waiting = sub.writable().then(() => (ready = true));
    await Promise.resolve();
    expect(ready).toBe(false);
    sink.room = Infinity;
    sub.drained();
    await waiting;
    expect(ready).toBe(true);
  });

  it("sends a tail pass's events in one write when live, in order, filtered, each once", () => {
    const sink = new FakeSink();
    const delivered: number[] = [];
    const framed = (seq: number, task_id = 't1') => ({ ...item(seq, task_id), frame: `${seq};` });
    const sub = new StreamSubscription({ taskId: 't1' }, 0, sink, 100, { delivered: (n) => delivered.push(n) });
    sub.goLive();
    sub.publishAll([framed(1), framed(2, 't2'), framed(3)]);
    sub.publishAll([framed(3), framed(4)]);
    expect(sink.chunks).toEqual(['1;3;', '4;']);
    expect(delivered).toEqual([2, 1]);
  });

  it('queues a pass event by event while the connection is full, and overflows past the cap', () => {
    const sink = new FakeSink();
    sink.room = 1;
    const sub = new StreamSubscription({}, 0, sink, 3);
    sub.goLive();
    sub.publishAll([item(1)]);
    sub.publishAll([item(2), item(3), item(4)]);
    expect(sub.queued).toBe(3);
    expect(sub.ended).toBeNull();
    sub.publishAll([item(5)]);
    expect(sub.ended).toBe('overflow');
  });
});
