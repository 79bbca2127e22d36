import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { request as httpRequest, IncomingMessage, ClientRequest } from 'node:http';
import { v7 as uuidv7 } from 'uuid';
import { DataSource } from 'typeorm';
import { createApp } from '../src/bootstrap';
import { ManualClock } from '../src/common/time/clock';
import { MetricsService } from '../src/common/observability/metrics.service';
import { beforeCommit, TransactionRunner } from '../src/database/transaction.runner';
import { EventPruner } from '../src/events/event-pruner.service';
import { EventStreamService } from '../src/events/event-stream.service';
import type { NewEvent } from '../src/journal/event';
import { JournalRepository } from '../src/journal/journal.repository';
import { INTERNAL_TOKEN, TOKENS, type TestResponse } from './support/app';
import { createTestDatabase, DATABASE_KINDS, DatabaseKind, TestDatabase } from './support/databases';
import { eventually } from './support/eventually';
import { pictureTask } from './support/fixtures';

const DAY = 86_400_000;

interface Frame {
  id: string;
  event: string;
  data: { event_id: string; kind: string; task_id: string; reason: string | null; [key: string]: unknown };
}

/** A server-sent events client on a real connection: frames parsed as they arrive. */
class SseClient {
  frames: Frame[] = [];
  comments: string[] = [];
  ended = false;
  /** Drops the connection right after this many frames, as a client that goes away mid-burst. */
  closeAfter = Infinity;
  private buffer = '';
  private constructor(
    readonly req: ClientRequest,
    readonly res: IncomingMessage,
  ) {
    res.setEncoding('utf8');
    res.on('data', (chunk: string) => this.feed(chunk));
    res.on('end', () => (this.ended = true));
    res.on('close', () => (this.ended = true));
  }

  static open(base: string, path: string, headers: Record<string, string> = { authorization: TOKENS.viewer }): Promise<SseClient> {
    return new Promise((resolve, reject) => {
      const req = httpRequest(`${base}${path}`, { headers }, (res) => resolve(new SseClient(req, res)));
      req.on('error', reject);
      req.end();
    });
  }

  get ids(): string[] {
    return this.frames.map((f) => f.id);
  }

  get reasons(): (string | null)[] {
    return this.frames.map((f) => f.data.reason);
  }

  close(): void {
    this.req.destroy();
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    let end: number;
    while ((end = this.buffer.indexOf('\n\n')) >= 0) {
      const block = this.buffer.slice(0, end);
      this.buffer = this.buffer.slice(end + 2);
      const frame: Partial<Frame> = {};
      for (const line of block.split('\n')) {
        if (line.startsWith(':')) this.comments.push(line);
        else if (line.startsWith('id: ')) frame.id = line.slice(4);
        else if (line.startsWith('event: ')) frame.event = line.slice(7);
        else if (line.startsWith('data: ')) frame.data = JSON.parse(line.slice(6));
      }
      if (frame.id) this.frames.push(frame as Frame);
      if (this.frames.length === this.closeAfter) {
        // Gone mid-stream: nothing after this frame is read.
        this.close();
        this.buffer = '';
        return;
      }
    }
  }
}

/** The app as main.ts builds it, listening on loopback, on its own (or a shared) database. */
class EventsApp {
  private constructor(
    readonly app: NestFastifyApplication,
    readonly db: TestDatabase,
    readonly url: string,
  ) {}

  static async start(kind: DatabaseKind, options: { env?: Record<string, string>; db?: TestDatabase; clock?: ManualClock } = {}): Promise<EventsApp> {
    const db = options.db ?? (await createTestDatabase(kind));
    const app = await createApp(
      {
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        AUTH_TOKENS: `${TOKENS.admin}:admin,${TOKENS.operator}:operator,${TOKENS.viewer}:viewer`,
        INTERNAL_TOKEN,
        RECONCILER_ENABLED: 'false',
        EVENT_TICK_MS: '20',
        ...db.env,
        ...options.env,
      },
      { clock: options.clock },
    );
    await app.listen(0, '127.0.0.1');
    return new EventsApp(app, db, (await app.getUrl()).replace('[::1]', '127.0.0.1'));
  }

  get journal(): JournalRepository {
    return this.app.get(JournalRepository);
  }

  get dataSource(): DataSource {
    return this.app.get(DataSource);
  }

  /** Appends events in one transaction of their own, stamped `at`. */
  append(events: NewEvent[], at = new Date()): Promise<number> {
    return this.app.get(TransactionRunner).run((em) => this.journal.append(em, events, at));
  }

  /** Delivers what is committed, without waiting for the next tick. */
  settle(): Promise<void> {
    return this.app.get(EventStreamService).nudge();
  }

  /**
   * Appends events in a transaction that stops until `release` is called: after its append and
   * before it takes its journal positions (`'before numbering'`), or after it took them, holding
   * the sequence row (`'numbered'`). `stopped` resolves when it stops, `committed` once it committed.
   */
  appendHeld(events: NewEvent[], where: 'before numbering' | 'numbered'): { stopped: Promise<void>; release: () => void; committed: Promise<number> } {
    let release!: () => void;
    let stop!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const halt = () => {
      stop();
      return gate;
    };
    const committed = this.app.get(TransactionRunner).run(async (em) => {
      const n = await this.journal.append(em, events, new Date());
      if (where === 'before numbering') await halt();
      // Queued after the journal's own last step, so it runs between the numbering and the commit.
      else beforeCommit(em, halt);
      return n;
    });
    return { stopped, release, committed };
  }

  async get(url: string, token: string | null = TOKENS.viewer): Promise<{ status: number; body: TestResponse['body']; headers: Record<string, unknown> }> {
    const res = await this.app.inject({ method: 'GET', url, headers: token ? { authorization: token } : {} });
    return { status: res.statusCode, body: JSON.parse(res.body), headers: res.headers };
  }

  async createTask(subtasks = 2): Promise<{ taskId: string; subtaskIds: string[] }> {
    const res = await this.app.inject({
      method: 'POST',
      url: '/tasks',
      headers: { authorization: TOKENS.operator, 'content-type': 'application/json' },
      payload: JSON.stringify(pictureTask('push_pic_files', subtasks)),
    });
    const taskId = JSON.parse(res.body).task_id as string;
    const list = await this.get(`/tasks/${taskId}/subtasks`);
    return { taskId, subtaskIds: list.body.list_data.map((s: { subtask_id: string }) => s.subtask_id) };
  }

  async close(keepDatabase = false): Promise<void> {
    await this.app.close();
    if (!keepDatabase) await this.db.drop();
  }
}

const probe = (taskId: string, reason: string, overrides: Partial<NewEvent> = {}): NewEvent => ({
  kind: 'subtask.state',
  task_id: taskId,
  subtask_id: null,
  from: 'dispatching',
  to: 'running',
  generation: 1,
  reason,
  actor: { type: 'system' },
  ...overrides,
});
const probes = (taskId: string, prefix: string, n: number, overrides: Partial<NewEvent> = {}) =>
  Array.from({ length: n }, (_, i) => probe(taskId, `${prefix}-${i}`, overrides));
const seqOf = (id: string) => Number(id);
const contiguous = (ids: string[]) => ids.every((id, i) => i === 0 || seqOf(id) === seqOf(ids[i - 1]) + 1);

describe.each(DATABASE_KINDS)('event journal read side on %s', (kind) => {
  let t: EventsApp;
  const clock = new ManualClock();
  const open: SseClient[] = [];
  const sse = async (path: string, headers?: Record<string, string>) => {
    const client = await SseClient.open(t.url, path, headers);
    open.push(client);
    return client;
  };

  beforeAll(async () => {
    t = await EventsApp.start(kind, { clock });
  });
  afterEach(() => {
    for (const client of open.splice(0)) client.close();
  });
  afterAll(async () => {
    await t?.close();
  });

  it("pages a task's and a subtask's events newest first with next_before, filtered by kind; 404, 400 for bad input", async () => {
    const { taskId, subtaskIds } = await t.createTask(2);
    const [s1] = subtaskIds;
    await t.append([...probes(taskId, 'task-level', 7, { kind: 'task.desired', from: 'idle', to: 'run' }), ...probes(taskId, 'own', 11, { subtask_id: s1 })]);
    await t.append(probes(uuidv7(), 'other-task', 3));
    await t.settle();
    // Everything the journal holds for the task (including what its writes appended), newest first.
    const all: { seq: string | number; kind: string; subtask_id: string | null }[] = await t.dataSource.query(
      'SELECT seq, kind, subtask_id FROM tb_event WHERE task_id = ? ORDER BY seq DESC',
      [taskId],
    );
    expect(all.length).toBeGreaterThanOrEqual(18);

    const seen: string[] = [];
    let before: string | null = '';
    let pages = 0;
    while (before !== null) {
      const res = await t.get(`/tasks/${taskId}/events?limit=5${before ? `&before=${before}` : ''}`);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ecode: 200, offset: 0, total_num: all.length - seen.length, list_size: res.body.list_data.length });
      seen.push(...res.body.list_data.map((e: { event_id: string }) => e.event_id));
      before = res.body.next_before;
      pages += 1;
    }
    expect(seen).toEqual(all.map((r) => String(r.seq).padStart(20, '0')));
    expect(pages).toBe(Math.ceil(all.length / 5));

    const desired = await t.get(`/tasks/${taskId}/events?kind=task.desired&limit=100`);
    expect(desired.body.list_data.map((e: { reason: string }) => e.reason)).toEqual(
      probes(taskId, 'task-level', 7)
        .map((p) => p.reason)
        .reverse(),
    );
    expect(desired.body.list_data[0]).toMatchObject({
      kind: 'task.desired',
      task_id: taskId,
      subtask_id: null,
      from: 'idle',
      to: 'run',
      generation: 1,
      actor: { type: 'system' },
    });
    expect(desired.body.list_data[0].at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{3}$/);
    expect(desired.body.next_before).toBeNull();

    const own = await t.get(`/subtasks/${s1}/events?kind=subtask.state,task.desired&limit=4`);
    expect(own.body.total_num).toBe(all.filter((r) => r.subtask_id === s1 && ['subtask.state', 'task.desired'].includes(r.kind)).length);
    expect(own.body.list_data.map((e: { reason: string }) => e.reason)).toEqual(['own-10', 'own-9', 'own-8', 'own-7']);
    const next = await t.get(`/subtasks/${s1}/events?kind=subtask.state&limit=4&before=${own.body.next_before}`);
    expect(next.body.list_data.map((e: { reason: string }) => e.reason)).toEqual(['own-6', 'own-5', 'own-4', 'own-3']);

    expect((await t.get(`/tasks/${uuidv7()}/events`)).body).toMatchObject({ ecode: 404, error: 'TASK_NOT_FOUND' });
    expect((await t.get(`/subtasks/${uuidv7()}/events`)).body).toMatchObject({ ecode: 404, error: 'SUBTASK_NOT_FOUND' });
    for (const bad of ['before=abc', 'before=-1', 'before=123456789012345678901', 'kind=task.exploded', 'limit=0', 'limit=101', 'limit=x']) {
      expect({ bad, body: (await t.get(`/tasks/${taskId}/events?${bad}`)).body }).toMatchObject({ bad, body: { ecode: 400, error: 'VALIDATION_FAILED' } });
    }
    expect((await t.get(`/tasks/${taskId}/events`, null)).status).toBe(401);
  });

  it('catches up oldest first after a cursor, filtered by task and kind', async () => {
    const task = uuidv7();
    await t.append(probes(task, 'catch', 6));
    await t.append(probes(task, 'desire', 2, { kind: 'task.desired', to: 'stop' }));
    await t.settle();
    const first = await t.get(`/events?task_id=${task}&limit=4&after=0`);
    expect(first.body.list_data.map((e: Frame['data']) => e.reason)).toEqual(['catch-0', 'catch-1', 'catch-2', 'catch-3']);
    expect(first.body.total_num).toBe(8);
    const rest = await t.get(`/events?task_id=${task}&limit=100&after=${first.body.next_after}`);
    expect(rest.body.list_data.map((e: Frame['data']) => e.reason)).toEqual(['catch-4', 'catch-5', 'desire-0', 'desire-1']);
    const ids = [...first.body.list_data, ...rest.body.list_data].map((e: Frame['data']) => e.event_id);
    expect([...ids].sort()).toEqual(ids);
    const done = await t.get(`/events?task_id=${task}&after=${rest.body.next_after}`);
    expect(done.body).toMatchObject({ total_num: 0, list_size: 0, list_data: [], next_after: rest.body.next_after });
    const kinds = await t.get(`/events?task_id=${task}&kind=task.desired&limit=100`);
    expect(kinds.body.list_data.map((e: Frame['data']) => e.reason)).toEqual(['desire-0', 'desire-1']);
  });

  it('streams the journal after a cursor, then live events, with the SSE framing and headers', async () => {
    const task = uuidv7();
    await t.append(probes(task, 'before', 3));
    await t.settle();
    const cursor = (await t.get(`/events?task_id=${task}&limit=1&after=0`)).body.list_data[0].event_id as string;
    const client = await sse(`/events/stream?task_id=${task}&after=${cursor}`);
    expect(client.res.statusCode).toBe(200);
    expect(client.res.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(client.res.headers['x-accel-buffering']).toBe('no');
    expect(client.res.headers['x-request-id']).toBeTruthy();
    await eventually(() => expect(client.reasons).toEqual(['before-1', 'before-2']));
    await t.append(probes(task, 'live', 3));
    await t.append(probes(uuidv7(), 'elsewhere', 2));
    await eventually(() => expect(client.reasons).toEqual(['before-1', 'before-2', 'live-0', 'live-1', 'live-2']));
    expect(client.frames.every((f) => f.event === 'subtask.state' && f.data.event_id === f.id)).toBe(true);
    expect([...client.ids].sort()).toEqual(client.ids);
  });

  it('resumes after Last-Event-ID in the middle of a burst: none missed, none twice', async () => {
    const task = uuidv7();
    const first = await sse(`/events/stream?task_id=${task}`);
    first.closeAfter = 35;
    for (let i = 0; i < 20; i++) await t.append(probes(task, `burst-${i}`, 10));
    await eventually(() => expect(first.frames).toHaveLength(35));
    const last = first.ids[34];
    const second = await sse(`/events/stream?task_id=${task}`, { authorization: TOKENS.viewer, 'last-event-id': last });
    await eventually(() => expect(first.frames.length + second.frames.length).toBeGreaterThanOrEqual(200));
    const expected = Array.from({ length: 20 }, (_, i) => probes(task, `burst-${i}`, 10).map((p) => p.reason)).flat();
    expect([...first.reasons, ...second.reasons].sort()).toEqual([...expected].sort());
    expect(new Set([...first.ids, ...second.ids]).size).toBe(200);
    expect(second.ids[0] > last).toBe(true);
    expect(contiguous([...first.ids, ...second.ids])).toBe(true);
  });

  it('takes the token as access_token for EventSource, and refuses a stream without one', async () => {
    const task = uuidv7();
    const client = await sse(`/events/stream?task_id=${task}&access_token=${TOKENS.viewer}`, {});
    expect(client.res.statusCode).toBe(200);
    await t.append(probes(task, 'browser', 1));
    await eventually(() => expect(client.reasons).toEqual(['browser-0']));
    const refused = await t.app.inject({ method: 'GET', url: '/events/stream' });
    expect(refused.statusCode).toBe(401);
    // Only the stream takes it from the query.
    const elsewhere = await t.app.inject({ method: 'GET', url: `/events?access_token=${TOKENS.viewer}` });
    expect(elsewhere.statusCode).toBe(401);
    expect((await t.get('/events/stream?kind=nope')).status).toBe(400);
    expect((await t.get('/events/stream?after=x1')).status).toBe(400);
  });

  it('reports availability of a subtask and a task from the journal', async () => {
    const { taskId, subtaskIds } = await t.createTask(2);
    const [s1, s2] = subtaskIds;
    const now = clock.now().getTime();
    const t0 = now - 2 * 3_600_000;
    const min = 60_000;
    const state = (subtask: string, from: string, to: string, at: number) =>
      t.append([probe(taskId, 'avail', { subtask_id: subtask, from, to })], new Date(at));
    // The whole task is started at t0: both subtasks start up, then run.
    await t.append([probe(taskId, 'start', { kind: 'task.desired', from: 'idle', to: 'run' })], new Date(t0));
    await state(s1, 'configured', 'dispatching', t0);
    await state(s2, 'configured', 'dispatching', t0);
    await state(s1, 'dispatching', 'running', t0 + min);
    await state(s2, 'dispatching', 'running', t0 + min);
    // s1 fails for 10 minutes and recovers through a re-dispatch (still downtime).
    await state(s1, 'running', 'failed', t0 + 30 * min);
    await state(s1, 'failed', 'dispatching', t0 + 35 * min);
    await state(s1, 'dispatching', 'running', t0 + 40 * min);
    // s2 alone is stopped on purpose after an hour: the rest of the window is neither up nor down.
    await t.append([probe(taskId, 'stop one', { kind: 'task.desired', subtask_id: s2, from: 'run', to: 'stop' })], new Date(t0 + 60 * min));
    await state(s2, 'running', 'stopped', t0 + 61 * min);
    await t.settle();

    const fmt = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().replace('T', ' ').replace('Z', '');
    const window = `from=${encodeURIComponent(fmt(t0))}&to=${encodeURIComponent(fmt(t0 + 90 * min))}`;
    const one = await t.get(`/subtasks/${s1}/availability?${window}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({
      subtask_id: s1,
      from: fmt(t0),
      to: fmt(t0 + 90 * min),
      running_ms: 79 * min,
      down_ms: 10 * min,
      outages: 1,
      longest_outage_ms: 10 * min,
      mttr_ms: 10 * min,
    });
    expect(one.body.uptime_ratio).toBeCloseTo(79 / 89, 10);

    // A window starting inside the outage: it counts from the window's start.
    const inside = await t.get(`/subtasks/${s1}/availability?from=${encodeURIComponent(fmt(t0 + 36 * min))}&to=${encodeURIComponent(fmt(t0 + 50 * min))}`);
    expect(inside.body).toMatchObject({ running_ms: 10 * min, down_ms: 4 * min, outages: 1 });

    const task = await t.get(`/tasks/${taskId}/availability?${window}`);
    expect(task.body).toMatchObject({ task_id: taskId, running_ms: 79 * min + 59 * min, down_ms: 10 * min, outages: 1 });
    expect(task.body.subtasks).toEqual([
      expect.objectContaining({ subtask_id: s1, running_ms: 79 * min }),
      expect.objectContaining({ subtask_id: s2, running_ms: 59 * min, down_ms: 0, outages: 0 }),
    ]);

    // The default window is the last 24 h up to now.
    expect((await t.get(`/subtasks/${s1}/availability`)).body).toMatchObject({ from: fmt(now - DAY), to: fmt(now), down_ms: 10 * min });
    for (const bad of [
      `from=${encodeURIComponent(fmt(t0))}&to=${encodeURIComponent(fmt(t0))}`,
      `to=${encodeURIComponent(fmt(now + min))}`,
      `from=${encodeURIComponent(fmt(now - 40 * DAY))}`,
    ]) {
      expect({ bad, body: (await t.get(`/subtasks/${s1}/availability?${bad}`)).body }).toMatchObject({
        bad,
        body: { ecode: 400, error: 'EVENT_WINDOW_INVALID' },
      });
    }
    expect((await t.get(`/subtasks/${s1}/availability?from=yesterday`)).body).toMatchObject({ ecode: 400, error: 'VALIDATION_FAILED' });
    expect((await t.get(`/tasks/${uuidv7()}/availability`)).body).toMatchObject({ ecode: 404, error: 'TASK_NOT_FOUND' });
    expect((await t.get(`/subtasks/${uuidv7()}/availability`)).body).toMatchObject({ ecode: 404, error: 'SUBTASK_NOT_FOUND' });
  });

  it('counts subscribers and deliveries in the metrics', async () => {
    const metrics = t.app.get(MetricsService);
    const task = uuidv7();
    const delivered = async () => (await metrics.eventsDelivered.get()).values[0]?.value ?? 0;
    const before = await delivered();
    const client = await sse(`/events/stream?task_id=${task}`);
    await eventually(async () => expect((await metrics.eventStreamSubscribers.get()).values[0].value).toBeGreaterThanOrEqual(1));
    await t.append(probes(task, 'count', 4));
    await eventually(() => expect(client.frames).toHaveLength(4));
    expect((await delivered()) - before).toBe(4);
    client.close();
    await eventually(() => expect(t.app.get(EventStreamService).subscriberCount).toBe(0));
  });

  // Last: it moves the clock past retention and prunes every event so far.
  it('prunes events past retention and answers 410 to a cursor older than what is kept', async () => {
    const task = uuidv7();
    await t.append(probes(task, 'old', 3), clock.now());
    await t.settle();
    const oldCursor = (await t.get(`/events?task_id=${task}&after=0&limit=1`)).body.list_data[0].event_id as string;
    clock.advance(31 * DAY);
    await t.append(probes(task, 'new', 2), clock.now());
    await t.settle();
    const pruned = await t.app.get(EventPruner).prune();
    expect(pruned).toBeGreaterThanOrEqual(3);
    expect((await t.get(`/events?after=${oldCursor}`)).body).toMatchObject({ ecode: 410, error: 'EVENT_CURSOR_EXPIRED' });
    expect((await t.get(`/events?after=0`)).status).toBe(410);
    const stream = await t.app.inject({ method: 'GET', url: `/events/stream?after=${oldCursor}`, headers: { authorization: TOKENS.viewer } });
    expect(stream.statusCode).toBe(410);
    const resumed = await t.app.inject({
      method: 'GET',
      url: '/events/stream',
      headers: { authorization: TOKENS.viewer, 'last-event-id': oldCursor, 'accept-language': 'en' },
    });
    expect(JSON.parse(resumed.body)).toMatchObject({ ecode: 410, error: 'EVENT_CURSOR_EXPIRED', enote: expect.stringContaining(oldCursor) });
    expect((await t.get(`/tasks/${uuidv7()}/events?before=${oldCursor}`)).status).toBe(404);
    // What is kept still reads, from the oldest kept on.
    const kept = await t.get(`/events?task_id=${task}`);
    expect(kept.body.list_data.map((e: Frame['data']) => e.reason)).toEqual(['new-0', 'new-1']);
    const oldest = Number(kept.body.list_data[0].event_id);
    expect((await t.get(`/events?after=${oldest - 1}`)).status).toBe(200);
  });

  it('prunes only a leading run in seq order: an event stamped ahead holds it up, and what is kept has no hole', async () => {
    // Everything so far is past retention once the clock moves; these come after it.
    await t.app.get(EventPruner).prune();
    const task = uuidv7();
    const start = clock.now();
    await t.append(probes(task, 'old', 2), start);
    // From a replica whose clock runs two days ahead.
    await t.append([probe(task, 'ahead')], new Date(start.getTime() + 2 * DAY));
    await t.append(probes(task, 'old-after', 2), start);
    clock.advance(31 * DAY);
    await t.append([probe(task, 'new')], clock.now());
    // (Events of earlier tests, stamped at the clock then, go too.)
    expect(await t.app.get(EventPruner).prune()).toBeGreaterThanOrEqual(2);
    const kept = await t.get(`/events?task_id=${task}`);
    expect(kept.body.list_data.map((e: Frame['data']) => e.reason)).toEqual(['ahead', 'old-after-0', 'old-after-1', 'new']);
    const first = Number(kept.body.list_data[0].event_id);
    expect((await t.get(`/events?after=${first - 1}`)).status).toBe(200);
    expect((await t.get(`/events?after=${first - 2}`)).status).toBe(410);
    // Once the one stamped ahead is old enough, the rest of the run goes with it.
    clock.advance(2 * DAY);
    expect(await t.app.get(EventPruner).prune()).toBeGreaterThanOrEqual(3);
    expect((await t.get(`/events?task_id=${task}`)).body.list_data.map((e: Frame['data']) => e.reason)).toEqual(['new']);
  });

  it('reports a subtask running since before the retention as up, once its start and state events are pruned', async () => {
    const { taskId, subtaskIds } = await t.createTask(2);
    const [steady, broken] = subtaskIds;
    const started = clock.now();
    await t.append([probe(taskId, 'start', { kind: 'task.desired', from: 'idle', to: 'run' })], started);
    for (const [subtask, to] of [
      [steady, 'running'],
      [broken, 'failed'],
    ])
      await t.append([probe(taskId, 'old', { subtask_id: subtask, from: 'dispatching', to })], started);
    await t.dataSource.query("UPDATE tb_subtask SET desired_state = 'run', state = CASE WHEN id = ? THEN 'running' ELSE 'failed' END WHERE task_id = ?", [
      steady,
      taskId,
    ]);
    clock.advance(31 * DAY);
    await t.app.get(EventPruner).prune();
    expect((await t.get(`/tasks/${taskId}/events`)).body.list_data).toEqual([]);
    const availability = await t.get(`/tasks/${taskId}/availability`);
    expect(availability.body.subtasks).toEqual([
      expect.objectContaining({ subtask_id: steady, running_ms: DAY, down_ms: 0, uptime_ratio: 1 }),
      expect.objectContaining({ subtask_id: broken, running_ms: 0, down_ms: DAY, outages: 1 }),
    ]);
  });
});

describe('a stream whose subscriber does not read', () => {
  let t: EventsApp;
  beforeAll(async () => {
    t = await EventsApp.start('sqlite', { env: { EVENT_STREAM_BUFFER: '50' } });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('is ended once its buffer is full, holding no more than the cap', async () => {
    const task = uuidv7();
    const client = await SseClient.open(t.url, `/events/stream?task_id=${task}`);
    await eventually(() => expect(client.comments).toContain(': connected'));
    client.res.pause();
    const metrics = t.app.get(MetricsService);
    const long = 'x'.repeat(1000);
    // Far more than socket buffers hold: ~12 MB of frames.
    for (let i = 0; i < 20; i++) await t.append(probes(task, `${long}-${i}`, 500));
    await t.settle();
    await eventually(async () => expect((await metrics.eventSubscribersDropped.get()).values[0]?.value).toBe(1));
    expect(t.app.get(EventStreamService).subscriberCount).toBe(0);
    client.res.resume();
    await eventually(() => expect(client.ended).toBe(true));
    expect(client.frames.length).toBeLessThan(10_000);
    // What it did receive is an unbroken run from the start.
    expect(contiguous(client.ids)).toBe(true);
  });
});

describe('streams on two replicas sharing one MariaDB', () => {
  let a: EventsApp;
  let b: EventsApp;
  beforeAll(async () => {
    a = await EventsApp.start('mysql');
    b = await EventsApp.start('mysql', { db: a.db });
  });
  afterAll(async () => {
    await b?.close(true);
    await a?.close();
  });

  it('gives a subscriber on each replica every event written through both, in order, none twice', async () => {
    const task = uuidv7();
    const onA = await SseClient.open(a.url, `/events/stream?task_id=${task}`);
    const onB = await SseClient.open(b.url, `/events/stream?task_id=${task}`);
    await eventually(() => expect(onA.comments.length * onB.comments.length).toBeGreaterThan(0));
    await Promise.all(
      [a, b].flatMap((replica, r) =>
        Array.from({ length: 4 }, async (_, w) => {
          for (let i = 0; i < 15; i++) await replica.append(probes(task, `r${r}-w${w}-${i}`, 2));
        }),
      ),
    );
    try {
      await eventually(() => expect([onA.frames.length, onB.frames.length]).toEqual([240, 240]));
      expect(onA.ids).toEqual(onB.ids);
      expect(new Set(onA.ids).size).toBe(240);
      expect(contiguous(onA.ids)).toBe(true);
      expect(onA.reasons).toEqual(onB.reasons);
    } finally {
      onA.close();
      onB.close();
    }
  });

  it('orders by commit: a transaction that appended first and commits last is delivered last, not skipped', async () => {
    const task = uuidv7();
    const client = await SseClient.open(a.url, `/events/stream?task_id=${task}`);
    try {
      await eventually(() => expect(client.comments.length).toBeGreaterThan(0));
      // A appends first and its commit is delayed; B appends later, on the other replica, and commits.
      const first = a.appendHeld([probe(task, 'A')], 'before numbering');
      await first.stopped;
      await b.append([probe(task, 'B')]);
      await eventually(() => expect(client.reasons).toEqual(['B']));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(client.reasons).toEqual(['B']);
      first.release();
      await first.committed;
      await eventually(() => expect(client.reasons).toEqual(['B', 'A']));
      expect(contiguous(client.ids)).toBe(true);
    } finally {
      client.close();
    }
  });

  it('orders by commit: a transaction that took its positions and commits late holds back the later ones, none skipped', async () => {
    const task = uuidv7();
    const onA = await SseClient.open(a.url, `/events/stream?task_id=${task}`);
    const onB = await SseClient.open(b.url, `/events/stream?task_id=${task}`);
    try {
      await eventually(() => expect(Math.min(onA.comments.length, onB.comments.length)).toBeGreaterThan(0));
      // A is numbered and stalls before its commit; B, on the other replica, comes after it.
      const held = a.appendHeld([probe(task, 'A1'), probe(task, 'A2')], 'numbered');
      await held.stopped;
      let bCommitted = false;
      const later = b.append([probe(task, 'B')]).then(() => (bCommitted = true));
      await new Promise((resolve) => setTimeout(resolve, 300));
      // B waits for A's commit: nothing is delivered, on either replica, while A is open.
      expect(bCommitted).toBe(false);
      expect([onA.reasons, onB.reasons]).toEqual([[], []]);
      held.release();
      await Promise.all([held.committed, later]);
      await eventually(() =>
        expect([onA.reasons, onB.reasons]).toEqual([
          ['A1', 'A2', 'B'],
          ['A1', 'A2', 'B'],
        ]),
      );
      expect(onA.ids).toEqual(onB.ids);
      expect(contiguous(onA.ids)).toBe(true);
    } finally {
      onA.close();
      onB.close();
    }
  });
});
