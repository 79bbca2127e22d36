import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { OpsSimulator, resolveOpsSimOptions, type OpsSimOptions, type SimReport } from './ops-simulator';

/** Collects report POSTs; answers `status` after `delayMs` (both changeable) to each. */
class Receiver {
  readonly posts: { path: string; headers: IncomingHttpHeaders; reports: SimReport[] }[] = [];
  status = 204;
  delayMs = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  private constructor(
    private readonly server: Server,
    readonly url: string,
  ) {}

  static async start(): Promise<Receiver> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { reports: SimReport[] };
        const self = receiver;
        self.posts.push({ path: req.url ?? '', headers: req.headers, reports: body.reports });
        const timer = setTimeout(() => {
          self.timers.delete(timer);
          res.writeHead(self.status).end();
        }, self.delayMs);
        self.timers.add(timer);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const receiver = new Receiver(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    return receiver;
  }

  reports(): SimReport[] {
    return this.posts.flatMap((p) => p.reports);
  }

  clear(): void {
    this.posts.length = 0;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections();
    await closed;
  }
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

async function call(sim: OpsSimulator, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${sim.url}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  expect(res.headers.get('content-type')).toBe('application/json');
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

function startBody(subtaskId: string, generation: number, reportUrl: string) {
  return {
    subtask_id: subtaskId,
    task_id: 'task-1',
    generation,
    algo_type: 'face',
    source_type: 'video',
    source: { vchan_refid: 'ch-1', play_url: 'rtsp://cam/1', node_index: null, pull_source_url: null },
    mtasks: [],
    store_conf_unid: 'store-1',
    report_url: reportUrl,
  };
}

function start(sim: OpsSimulator, subtaskId: string, generation: number, reportUrl: string): Promise<Answer> {
  return call(sim, 'POST', '/subtasks', startBody(subtaskId, generation, reportUrl), {
    'Idempotency-Key': `${subtaskId}:${generation}`,
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls instead of sleeping a fixed time, so the interval test is fast yet not flaky. */
async function waitFor(check: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

describe('OpsSimulator', () => {
  let receiver: Receiver;
  let sim: OpsSimulator;
  let reportUrl: string;
  let logged: string[];

  /** Ticks are driven with flushReports(); the long interval keeps the timer out of the way. */
  async function boot(options: Partial<OpsSimOptions> = {}): Promise<OpsSimulator> {
    logged = [];
    sim = await OpsSimulator.start({ port: 0, reportIntervalMs: 60_000, log: (line) => logged.push(line), ...options });
    return sim;
  }

  beforeEach(async () => {
    receiver = await Receiver.start();
    reportUrl = `${receiver.url}/internal/reports`;
  });

  afterEach(async () => {
    await sim?.close();
    await receiver.close();
  });

  describe('server', () => {
    it('listens on 127.0.0.1 on a free port and closes idempotently', async () => {
      await boot();
      expect(sim.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      await sim.close();
      await sim.close();
      await expect(fetch(`${sim.url}/subtasks/x`)).rejects.toThrow();
      await expect(sim.flushReports()).resolves.toBeUndefined();
    });

    it('refuses out-of-range options', async () => {
      await expect(OpsSimulator.start({ errorRate: 1.5 })).rejects.toThrow(/errorRate must be a number in 0\.\.1/);
      await expect(OpsSimulator.start({ crashProbability: -0.1 })).rejects.toThrow(/crashProbability/);
      await expect(OpsSimulator.start({ reportBatchSize: 0 })).rejects.toThrow(/reportBatchSize/);
      await expect(OpsSimulator.start({ latencyMs: Number.NaN })).rejects.toThrow(/latencyMs/);
    });

    it('fills in the documented defaults', () => {
      expect(resolveOpsSimOptions({})).toMatchObject({
        port: 0,
        latencyMs: 0,
        errorRate: 0,
        crashProbability: 0,
        reportIntervalMs: 1000,
        reportUrl: undefined,
        reportBatchSize: 500,
        completeAfterMs: undefined,
        random: Math.random,
      });
    });

    it.each([
      ['GET', '/'],
      ['GET', '/subtasks'],
      ['PUT', '/subtasks'],
      ['DELETE', '/subtasks/a'],
      ['POST', '/subtasks/a'],
      ['GET', '/subtasks/a/stop'],
      ['POST', '/subtasks/a/stop/now'],
    ])('answers 404 to %s %s', async (method, path) => {
      await boot();
      const res = await call(sim, method, path, method === 'GET' ? undefined : {});
      expect(res).toEqual({ status: 404, body: { error: 'not found' } });
    });

    it('answers 400 to a malformed id and 413 to a body over 1 MB, and serves long ids', async () => {
      await boot();
      expect(await call(sim, 'GET', '/subtasks/%E0%A4%A')).toEqual({ status: 400, body: { error: 'malformed subtask id in path' } });
      const huge = JSON.stringify({ ...startBody('s1', 1, reportUrl), padding: 'x'.repeat(1024 * 1024) });
      expect(await call(sim, 'POST', '/subtasks', huge, { 'Idempotency-Key': 's1:1' })).toEqual({ status: 413, body: { error: 'body too large' } });
      const long = 'l'.repeat(300);
      expect((await start(sim, long, 1, reportUrl)).status).toBe(201);
      expect((await call(sim, 'GET', `/subtasks/${long}`)).body).toMatchObject({ subtask_id: long, state: 'running' });
      expect(sim.stats().requests).toBe(4);
    });
  });

  describe('POST /subtasks', () => {
    it('starts an unknown subtask and records the start', async () => {
      await boot();
      const res = await start(sim, 's1', 1, reportUrl);

      expect(res).toEqual({ status: 201, body: { subtask_id: 's1', generation: 1, state: 'running' } });
      expect(sim.get('s1')).toEqual({
        subtask_id: 's1',
        task_id: 'task-1',
        generation: 1,
        state: 'running',
        status_reason: null,
        progress: 0,
        startedAt: expect.any(Date) as jest.AsymmetricMatcher,
      });
      const stats = sim.stats();
      expect(stats.startsByKey).toEqual(new Map([['s1:1', 1]]));
      expect(stats.startBodies.get('s1')).toEqual(startBody('s1', 1, reportUrl));
      expect(stats.requests).toBe(1);
    });

    it('replays the same generation with 200 and the current record, without counting a start', async () => {
      await boot();
      await start(sim, 's1', 1, reportUrl);
      sim.crash('s1', 'boom');

      const replay = await start(sim, 's1', 1, reportUrl);

      expect(replay).toEqual({
        status: 200,
        body: { subtask_id: 's1', generation: 1, state: 'failed', status_reason: 'boom', progress: 0 },
      });
      expect(sim.stats().startsByKey.get('s1:1')).toBe(1);
    });

    it('restarts on a higher generation and refuses a lower one with 409', async () => {
      await boot();
      await start(sim, 's1', 1, reportUrl);
      await call(sim, 'POST', '/subtasks/s1/stop', { generation: 1 });

      expect((await start(sim, 's1', 3, reportUrl)).status).toBe(201);
      expect(sim.get('s1')).toMatchObject({ generation: 3, state: 'running', progress: 0 });

      const stale = await start(sim, 's1', 2, reportUrl);
      expect(stale).toEqual({ status: 409, body: { error: 'stale generation', generation: 3 } });
      expect(sim.stats().startsByKey).toEqual(
        new Map([
          ['s1:1', 1],
          ['s1:3', 1],
        ]),
      );
    });

    it.each<[string, unknown, string]>([
      ['a non-object body', [1, 2], 'body must be a JSON object'],
      ['a missing subtask_id', { generation: 1, report_url: 'http://x' }, 'subtask_id must be a non-empty string'],
      ['an empty subtask_id', { subtask_id: '', generation: 1, report_url: 'http://x' }, 'subtask_id must be a non-empty string'],
      ['generation 0', { subtask_id: 's', generation: 0, report_url: 'http://x' }, 'generation must be an integer >= 1'],
      ['a fractional generation', { subtask_id: 's', generation: 1.5, report_url: 'http://x' }, 'generation must be an integer >= 1'],
      ['a string generation', { subtask_id: 's', generation: '1', report_url: 'http://x' }, 'generation must be an integer >= 1'],
      ['a missing report_url', { subtask_id: 's', generation: 1 }, 'report_url must be a string'],
    ])('answers 400 to %s', async (_case, body, error) => {
      await boot();
      const res = await call(sim, 'POST', '/subtasks', body, { 'Idempotency-Key': 's:1' });
      expect(res).toEqual({ status: 400, body: { error } });
      expect(sim.records()).toEqual([]);
    });

    it('answers 400 to a body that is not JSON', async () => {
      await boot();
      const res = await call(sim, 'POST', '/subtasks', '{"subtask_id":', { 'Idempotency-Key': 's:1' });
      expect(res).toEqual({ status: 400, body: { error: 'body is not valid JSON' } });
    });

    it('answers 400 when the Idempotency-Key header is missing or does not match', async () => {
      await boot();
      const body = startBody('s1', 2, reportUrl);

      const missing = await call(sim, 'POST', '/subtasks', body);
      const wrong = await call(sim, 'POST', '/subtasks', body, { 'Idempotency-Key': 's1:1' });

      expect(missing).toEqual({ status: 400, body: { error: 'missing Idempotency-Key header' } });
      expect(wrong).toEqual({ status: 400, body: { error: 'Idempotency-Key must be "s1:2"' } });
      expect(sim.get('s1')).toBeUndefined();
      expect(sim.stats().startsByKey.size).toBe(0);
    });
  });

  describe('POST /subtasks/{id}/stop', () => {
    it('answers 404 for an unknown subtask', async () => {
      await boot();
      expect(await call(sim, 'POST', '/subtasks/nope/stop', { generation: 1 })).toEqual({ status: 404, body: { error: 'not found' } });
      expect(sim.stats().stopsById.get('nope')).toBe(1);
    });

    it('refuses a stale generation with 409 and leaves the subtask running', async () => {
      await boot();
      await start(sim, 's1', 2, reportUrl);
      const res = await call(sim, 'POST', '/subtasks/s1/stop', { generation: 1 });
      expect(res).toEqual({ status: 409, body: { error: 'stale generation', generation: 2 } });
      expect(sim.get('s1')?.state).toBe('running');
    });

    it('answers 400 without a valid generation', async () => {
      await boot();
      await start(sim, 's1', 1, reportUrl);
      expect((await call(sim, 'POST', '/subtasks/s1/stop', {})).status).toBe(400);
      expect(sim.get('s1')?.state).toBe('running');
    });

    it('stops the subtask, reports it once, then never again', async () => {
      await boot();
      await start(sim, 's1', 1, reportUrl);

      const res = await call(sim, 'POST', '/subtasks/s1/stop', { generation: 1 });
      expect(res).toEqual({ status: 200, body: { subtask_id: 's1', generation: 1, state: 'stopped' } });
      expect(sim.get('s1')?.state).toBe('stopped');

      await sim.flushReports();
      await sim.flushReports();
      expect(receiver.reports()).toEqual([expect.objectContaining({ subtask_id: 's1', generation: 1, state: 'stopped' })]);

      // A retried stop is answered the same but changes nothing, so no second report.
      expect((await call(sim, 'POST', '/subtasks/s1/stop', { generation: 1 })).status).toBe(200);
      await sim.flushReports();
      expect(receiver.reports()).toHaveLength(1);
      expect(sim.stats().stopsById.get('s1')).toBe(2);
    });
  });

  describe('GET /subtasks/{id}', () => {
    it('returns the public view, or 404', async () => {
      await boot();
      await start(sim, 'a/b', 4, reportUrl);

      expect(await call(sim, 'GET', `/subtasks/${encodeURIComponent('a/b')}`)).toEqual({
        status: 200,
        body: { subtask_id: 'a/b', generation: 4, state: 'running', status_reason: null, progress: 0 },
      });
      expect(await call(sim, 'GET', '/subtasks/other')).toEqual({ status: 404, body: { error: 'not found' } });
      expect(sim.stats().getsById).toEqual(
        new Map([
          ['a/b', 1],
          ['other', 1],
        ]),
      );
    });
  });

  describe('reports', () => {
    it('posts a heartbeat for running subtasks every tick, with the token and an ISO timestamp', async () => {
      await boot({ reportToken: 'secret-token' });
      await start(sim, 's1', 1, reportUrl);

      await sim.flushReports();
      await sim.flushReports();

      expect(receiver.posts).toHaveLength(2);
      const [first] = receiver.posts;
      expect(first.path).toBe('/internal/reports');
      expect(first.headers.authorization).toBe('secret-token');
      expect(first.headers['content-type']).toBe('application/json');
      expect(first.reports).toEqual([
        { subtask_id: 's1', generation: 1, state: 'running', status_reason: null, progress: 0, reported_at: expect.any(String) as jest.AsymmetricMatcher },
      ]);
      expect(new Date(first.reports[0].reported_at).toISOString()).toBe(first.reports[0].reported_at);
      expect(sim.stats().reportsSent).toBe(2);
    });

    it('sends no Authorization header without a token', async () => {
      await boot();
      await start(sim, 's1', 1, reportUrl);
      await sim.flushReports();
      expect(receiver.posts[0].headers.authorization).toBeUndefined();
    });

    it('groups reports by each subtask report_url', async () => {
      await boot();
      await start(sim, 'a', 1, `${receiver.url}/one`);
      await start(sim, 'b', 1, `${receiver.url}/two`);
      await start(sim, 'c', 1, `${receiver.url}/one`);

      await sim.flushReports();

      const byPath = Object.fromEntries(receiver.posts.map((p) => [p.path, p.reports.map((r) => r.subtask_id).sort()]));
      expect(byPath).toEqual({ '/one': ['a', 'c'], '/two': ['b'] });
    });

    it('sends everything to reportUrl when it is set', async () => {
      await boot({ reportUrl: `${receiver.url}/override` });
      await start(sim, 'a', 1, 'http://127.0.0.1:1/unreachable');
      await sim.flushReports();
      expect(receiver.posts.map((p) => p.path)).toEqual(['/override']);
      expect(sim.stats().reportPostsFailed).toBe(0);
    });

    it('splits reports into batches of reportBatchSize', async () => {
      await boot({ reportBatchSize: 2 });
      for (const id of ['a', 'b', 'c', 'd', 'e']) await start(sim, id, 1, reportUrl);

      await sim.flushReports();

      expect(receiver.posts.map((p) => p.reports.length)).toEqual([2, 2, 1]);
      expect(
        receiver
          .reports()
          .map((r) => r.subtask_id)
          .sort(),
      ).toEqual(['a', 'b', 'c', 'd', 'e']);
    });

    it('counts failed posts and retries the change at the next tick', async () => {
      await boot();
      await start(sim, 's1', 1, reportUrl);
      await call(sim, 'POST', '/subtasks/s1/stop', { generation: 1 });
      receiver.status = 500;

      await sim.flushReports();
      expect(sim.stats()).toMatchObject({ reportPostsFailed: 1, reportsSent: 0 });

      receiver.status = 204;
      await sim.flushReports();
      await sim.flushReports();
      expect(receiver.reports().map((r) => r.state)).toEqual(['stopped', 'stopped']); // the failed one, then the retry
      expect(sim.stats()).toMatchObject({ reportPostsFailed: 1, reportsSent: 1 });
    });

    it('does not lose a change made while a report POST is in flight', async () => {
      await boot();
      await start(sim, 's1', 1, reportUrl);
      receiver.delayMs = 200;

      const inFlight = sim.flushReports();
      await waitFor(() => receiver.posts.length === 1);
      sim.crash('s1');
      await inFlight;

      receiver.delayMs = 0;
      await sim.flushReports();
      await sim.flushReports();
      expect(receiver.reports().map((r) => r.state)).toEqual(['running', 'failed']);
    });

    it('close() aborts a report POST the receiver never answers', async () => {
      await boot();
      await start(sim, 's1', 1, reportUrl);
      receiver.delayMs = 60_000;

      const inFlight = sim.flushReports();
      await waitFor(() => receiver.posts.length === 1);
      const began = Date.now();
      await sim.close();
      await inFlight;

      expect(Date.now() - began).toBeLessThan(1000);
      expect(sim.stats().reportPostsFailed).toBe(1);
    });

    it('logs one line per report POST that is refused or reaches nobody, with the status', async () => {
      // A port that was free a moment ago: nothing listens there.
      const probe = createServer();
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      const nowhere = `http://127.0.0.1:${(probe.address() as AddressInfo).port}/internal/reports`;
      await new Promise((resolve) => probe.close(resolve));

      await boot();
      await start(sim, 's1', 1, reportUrl);
      await start(sim, 's2', 1, nowhere);
      receiver.status = 401;
      await sim.flushReports();
      expect(new Set(logged)).toEqual(
        new Set([`ops-sim: 1 report(s) to ${reportUrl} refused: HTTP 401`, `ops-sim: 1 report(s) to ${nowhere} not delivered: ECONNREFUSED`]),
      );
      expect(logged).toHaveLength(2);

      receiver.status = 204;
      sim.forget('s2');
      logged.length = 0;
      await sim.flushReports();
      expect(logged).toEqual([]);
    });

    it('counts an unreachable receiver as a failed post', async () => {
      await boot();
      await start(sim, 's1', 1, 'http://127.0.0.1:1/nothing-listens-here');
      await sim.flushReports();
      expect(sim.stats().reportPostsFailed).toBe(1);
    });

    it('reports on its own every reportIntervalMs', async () => {
      await boot({ reportIntervalMs: 50 });
      await start(sim, 's1', 1, reportUrl);
      await waitFor(() => receiver.posts.length >= 2);
      expect(receiver.reports().every((r) => r.subtask_id === 's1' && r.state === 'running')).toBe(true);
    });

    it('picks up a new reportIntervalMs from setOptions', async () => {
      await boot();
      await start(sim, 's1', 1, reportUrl);
      sim.setOptions({ reportIntervalMs: 50 });
      await waitFor(() => receiver.posts.length >= 1);
    });
  });

  describe('crashes and completion', () => {
    it('crash() fails a running subtask with the given reason, reported once', async () => {
      await boot();
      await start(sim, 's1', 1, reportUrl);

      expect(sim.crash('s1')).toBe(true);
      expect(sim.crash('s1')).toBe(false); // no longer running
      expect(sim.crash('unknown')).toBe(false);
      expect(sim.get('s1')).toMatchObject({ state: 'failed', status_reason: 'simulated stream failure' });

      await sim.flushReports();
      await sim.flushReports();
      expect(receiver.reports()).toEqual([expect.objectContaining({ state: 'failed', status_reason: 'simulated stream failure' })]);
    });

    it('crash() takes a custom reason', async () => {
      await boot();
      await start(sim, 's1', 1, reportUrl);
      sim.crash('s1', 'decoder died');
      expect(sim.get('s1')?.status_reason).toBe('decoder died');
    });

    it('crashProbability kills running subtasks on a tick, using the injected random', async () => {
      const draws = [0.9, 0.1]; // first subtask survives, second dies
      await boot({ crashProbability: 0.5, random: () => draws.shift() ?? 0.99 });
      await start(sim, 'a', 1, reportUrl);
      await start(sim, 'b', 1, reportUrl);

      await sim.flushReports();

      expect(sim.get('a')?.state).toBe('running');
      expect(sim.get('b')).toMatchObject({ state: 'failed', status_reason: 'simulated stream failure' });
      expect(receiver.reports()).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ subtask_id: 'a', state: 'running' }),
          expect.objectContaining({ subtask_id: 'b', state: 'failed', status_reason: 'simulated stream failure' }),
        ]),
      );
    });

    it('completes a running subtask after completeAfterMs, with progress rising to 100', async () => {
      await boot({ completeAfterMs: 600 });
      await start(sim, 's1', 1, reportUrl);

      await sleep(100);
      await sim.flushReports();
      const midway = sim.get('s1');
      expect(midway?.state).toBe('running');
      expect(midway?.progress).toBeGreaterThan(0);
      expect(midway?.progress).toBeLessThan(100);

      await sleep(550);
      await sim.flushReports();
      await sim.flushReports();
      expect(sim.get('s1')).toMatchObject({ state: 'completed', progress: 100, status_reason: null });
      const reports = receiver.reports();
      expect(reports.map((r) => r.state)).toEqual(['running', 'completed']);
      expect(reports[1].progress).toBe(100);
    });

    it('runs forever without completeAfterMs', async () => {
      await boot();
      await start(sim, 's1', 1, reportUrl);
      await sim.flushReports();
      expect(sim.get('s1')).toMatchObject({ state: 'running', progress: 0 });
    });
  });

  describe('fault injection', () => {
    it('failNext answers the next requests with the status and no side effect', async () => {
      await boot();
      sim.failNext(2);

      expect(await start(sim, 's1', 1, reportUrl)).toEqual({ status: 503, body: { error: 'injected' } });
      expect(await call(sim, 'GET', '/subtasks/s1')).toEqual({ status: 503, body: { error: 'injected' } });
      expect(sim.get('s1')).toBeUndefined();
      expect(sim.stats()).toMatchObject({ requests: 2, startsByKey: new Map(), getsById: new Map() });

      expect((await start(sim, 's1', 1, reportUrl)).status).toBe(201);
    });

    it('failNext with a path only hits matching requests, with a custom status', async () => {
      await boot();
      await start(sim, 's1', 1, reportUrl);
      sim.failNext(1, 500, '/subtasks/s1/stop');

      expect((await call(sim, 'GET', '/subtasks/s1')).status).toBe(200);
      expect(await call(sim, 'POST', '/subtasks/s1/stop', { generation: 1 })).toEqual({ status: 500, body: { error: 'injected' } });
      expect(sim.get('s1')?.state).toBe('running');
      expect((await call(sim, 'POST', '/subtasks/s1/stop', { generation: 1 })).status).toBe(200);
    });

    it('failNext with a path matches it exactly, and with a method only that method', async () => {
      await boot();
      await start(sim, 's1', 1, reportUrl);
      sim.failNext(1, 503, '/subtasks', 'POST');
      expect((await call(sim, 'GET', '/subtasks/s1')).status).toBe(200);
      expect((await call(sim, 'POST', '/subtasks/s1/stop', { generation: 1 })).status).toBe(200);
      expect((await start(sim, 's2', 1, reportUrl)).status).toBe(503);
      expect((await start(sim, 's2', 1, reportUrl)).status).toBe(201);
    });

    it('counts every start POST that reached it per key, replays included', async () => {
      await boot();
      await start(sim, 's1', 1, reportUrl);
      await start(sim, 's1', 1, reportUrl);
      sim.failNext(1, 503, '/subtasks', 'POST');
      await start(sim, 's1', 2, reportUrl);
      await start(sim, 's1', 2, reportUrl);
      expect(sim.stats().startPostsByKey).toEqual(
        new Map([
          ['s1:1', 2],
          ['s1:2', 1],
        ]),
      );
      expect(sim.stats().startsByKey).toEqual(
        new Map([
          ['s1:1', 1],
          ['s1:2', 1],
        ]),
      );
    });

    it('errorRate answers 503 "simulated" when the random draw is below it', async () => {
      const draws = [0.1, 0.9];
      await boot({ errorRate: 0.5, random: () => draws.shift() ?? 0.99 });

      expect(await start(sim, 's1', 1, reportUrl)).toEqual({ status: 503, body: { error: 'simulated' } });
      expect(sim.get('s1')).toBeUndefined();
      expect((await start(sim, 's1', 1, reportUrl)).status).toBe(201);
    });

    it('setOptions changes the error rate at runtime and validates it', async () => {
      await boot();
      sim.setOptions({ errorRate: 1 });
      expect((await call(sim, 'GET', '/subtasks/x')).status).toBe(503);
      sim.setOptions({ errorRate: 0 });
      expect((await call(sim, 'GET', '/subtasks/x')).status).toBe(404);
      expect(() => sim.setOptions({ errorRate: 2 })).toThrow(/errorRate/);
    });

    it('setOptions changes crashProbability at runtime', async () => {
      await boot();
      await start(sim, 's1', 1, reportUrl);
      sim.setOptions({ crashProbability: 1 });
      await sim.flushReports();
      expect(sim.get('s1')?.state).toBe('failed');
    });

    it('latencyMs delays every answer', async () => {
      await boot({ latencyMs: 150 });
      const began = Date.now();
      expect((await call(sim, 'GET', '/subtasks/x')).status).toBe(404);
      expect(Date.now() - began).toBeGreaterThanOrEqual(140);

      sim.setOptions({ latencyMs: 0 });
      const again = Date.now();
      await call(sim, 'GET', '/subtasks/x');
      expect(Date.now() - again).toBeLessThan(140);
    });

    it('hang() provokes client timeouts until hang(0), which also releases waiting requests', async () => {
      await boot();
      sim.hang(5000);

      await expect(fetch(`${sim.url}/subtasks/x`, { signal: AbortSignal.timeout(100) })).rejects.toThrow();

      const parked = fetch(`${sim.url}/subtasks/x`);
      await sleep(50);
      const released = Date.now();
      sim.hang(0);
      expect((await parked).status).toBe(404);
      expect(Date.now() - released).toBeLessThan(1000);
    });

    it('silence() withholds reports while GET still answers, and resume sends the missed change', async () => {
      await boot();
      await start(sim, 's1', 1, reportUrl);
      await start(sim, 's2', 1, reportUrl);
      sim.silence('s1');

      await sim.flushReports();
      expect(receiver.reports().map((r) => r.subtask_id)).toEqual(['s2']);
      expect((await call(sim, 'GET', '/subtasks/s1')).body).toMatchObject({ state: 'running' });

      sim.crash('s1');
      await sim.flushReports();
      expect(receiver.reports().some((r) => r.subtask_id === 's1')).toBe(false);

      sim.silence('s1', false);
      receiver.clear();
      await sim.flushReports();
      expect(receiver.reports()).toEqual(expect.arrayContaining([expect.objectContaining({ subtask_id: 's1', state: 'failed' })]));
    });

    it('forget() drops the subtask entirely', async () => {
      await boot();
      await start(sim, 's1', 1, reportUrl);
      sim.forget('s1');

      expect(sim.get('s1')).toBeUndefined();
      expect((await call(sim, 'GET', '/subtasks/s1')).status).toBe(404);
      await sim.flushReports();
      expect(receiver.posts).toEqual([]);
      // Forgotten means a fresh start is accepted again, even for the same generation.
      expect((await start(sim, 's1', 1, reportUrl)).status).toBe(201);
    });
  });

  describe('inspection', () => {
    it('records() and get() return copies', async () => {
      await boot();
      await start(sim, 'a', 1, reportUrl);
      await start(sim, 'b', 2, reportUrl);

      expect(sim.records().map((r) => [r.subtask_id, r.generation])).toEqual([
        ['a', 1],
        ['b', 2],
      ]);
      const copy = sim.get('a')!;
      copy.state = 'failed';
      expect(sim.get('a')?.state).toBe('running');
    });

    it('stats() is a snapshot', async () => {
      await boot();
      const before = sim.stats();
      await start(sim, 'a', 1, reportUrl);
      expect(before.startsByKey.size).toBe(0);
      expect(sim.stats().startsByKey.size).toBe(1);
    });
  });
});

describe('the crash control route', () => {
  it('fails a running subtask on POST /_sim/subtasks/{id}/crash and answers 404 otherwise', async () => {
    const sim = await OpsSimulator.start({ reportIntervalMs: 60_000 });
    try {
      const body = {
        subtask_id: 's-crash',
        task_id: 't',
        generation: 1,
        algo_type: '0',
        source_type: 'pull_video_stream',
        source: {},
        mtasks: [],
        store_conf_unid: null,
        report_url: 'http://127.0.0.1:1/none',
      };
      const started = await fetch(`${sim.url}/subtasks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': 's-crash:1' },
        body: JSON.stringify(body),
      });
      expect(started.status).toBe(201);
      const crashed = await fetch(`${sim.url}/_sim/subtasks/s-crash/crash`, { method: 'POST' });
      expect(crashed.status).toBe(200);
      expect(sim.get('s-crash')).toMatchObject({ state: 'failed' });
      expect((await fetch(`${sim.url}/_sim/subtasks/s-crash/crash`, { method: 'POST' })).status).toBe(404);
      expect((await fetch(`${sim.url}/_sim/subtasks/unknown/crash`, { method: 'POST' })).status).toBe(404);
    } finally {
      await sim.close();
    }
  });
});
