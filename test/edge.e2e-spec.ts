import { once } from 'node:events';
import { request as httpRequest } from 'node:http';
import { connect, Socket } from 'node:net';
import { ConfigError, loadConfig } from '../src/config/app-config';
import { INTERNAL_TOKEN, TestApp, TOKENS } from './support/app';

const SPA = 'https://admin.example.com';

interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- the error envelope, asserted field by field
  text: string;
}

/** The first HTTP response in `raw` (status line, headers, Content-Length body), or null while incomplete. */
function parseResponse(raw: Buffer): RawResponse | null {
  const end = raw.indexOf('\r\n\r\n');
  if (end === -1) return null;
  const [statusLine, ...lines] = raw.subarray(0, end).toString('latin1').split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const sep = line.indexOf(':');
    headers[line.slice(0, sep).trim().toLowerCase()] = line.slice(sep + 1).trim();
  }
  const length = Number(headers['content-length'] ?? 0);
  if (raw.length < end + 4 + length) return null;
  const text = raw.subarray(end + 4, end + 4 + length).toString('utf8');
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body, text };
}

/** Sends bytes over a fresh connection and reads the first response (or what arrived before the connection ended). */
async function raw(port: number, data: string | Buffer, timeoutMs = 3000): Promise<RawResponse & { reset: boolean }> {
  const socket = connect(port, '127.0.0.1');
  let received = Buffer.alloc(0);
  let reset = false;
  socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
  socket.on('error', () => (reset = true));
  await once(socket, 'connect');
  socket.write(data);
  const started = Date.now();
  while (!parseResponse(received) && !socket.destroyed && Date.now() - started < timeoutMs) await new Promise((r) => setTimeout(r, 10));
  socket.destroy();
  const response = parseResponse(received);
  if (!response) throw new Error(`no complete response (reset: ${reset}): ${received.toString('latin1').slice(0, 200)}`);
  return { ...response, reset };
}

/** Waits until the socket can take more, or is gone (or the server stopped reading for 3 s). */
const writable = (socket: Socket) =>
  new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      socket.off('drain', done).off('close', done);
      resolve();
    };
    const timer = setTimeout(done, 3000);
    socket.on('drain', done).on('close', done);
  });

/**
 * Uploads `size` bytes in 64 KB chunks as a client that reads only once it has sent everything
 * (as many HTTP libraries do), then reads the answer. Closing the connection while such a client
 * still writes resets it, and the kernel drops the answer it had not read yet.
 */
async function upload(port: number, size: number, chunked: boolean): Promise<{ response: RawResponse | null; error: string | null }> {
  const socket = connect(port, '127.0.0.1');
  let received = Buffer.alloc(0);
  let error: string | null = null;
  socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
  await once(socket, 'connect');
  // Nothing is read before the upload is sent: an answer is only safe if the server lets it wait.
  socket.pause();
  const length = chunked ? 'Transfer-Encoding: chunked' : `Content-Length: ${size}`;
  socket.write(`POST /tasks HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: ${TOKENS.operator}\r\nContent-Type: application/json\r\n${length}\r\n\r\n`);
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  for (let sent = 0; sent < size && !socket.destroyed; sent += chunk.length) {
    if (chunked) socket.write(`${chunk.length.toString(16)}\r\n`);
    const ok = socket.write(chunk);
    if (chunked) socket.write('\r\n');
    if (!ok) await writable(socket);
  }
  if (chunked && !socket.destroyed) socket.write('0\r\n\r\n');
  socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
  socket.resume();
  const started = Date.now();
  while (!parseResponse(received) && !socket.destroyed && Date.now() - started < 10_000) await new Promise((r) => setTimeout(r, 5));
  socket.destroy();
  return { response: parseResponse(received), error };
}

function get(url: string): Promise<number> {
  return new Promise((resolve) => {
    const req = httpRequest(url, { agent: false, timeout: 2000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('error', () => resolve(0));
    req.on('timeout', () => req.destroy());
    req.end();
  });
}

const nested = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);

describe('the HTTP edge on sqlite', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await TestApp.start('sqlite', {
      CORS_ORIGINS: `${SPA}, http://localhost:5173`,
      HTTP_HEADERS_TIMEOUT_MS: '1000',
      HTTP_REQUEST_TIMEOUT_MS: '10000',
    });
    port = Number(new URL(await t.listen()).port);
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('CORS', () => {
    it('answers a preflight from an allowed origin without a token', async () => {
      const res = await t.request('OPTIONS', '/tasks/abc', {
        token: null,
        headers: { origin: SPA, 'access-control-request-method': 'PUT', 'access-control-request-headers': 'authorization,if-match,content-type' },
      });
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(SPA);
      expect(String(res.headers['access-control-allow-methods']).split(', ')).toEqual(expect.arrayContaining(['GET', 'POST', 'PUT', 'DELETE']));
      expect(String(res.headers['access-control-allow-headers']).split(', ')).toEqual([
        'Authorization',
        'Content-Type',
        'Accept-Language',
        'If-Match',
        'If-None-Match',
        'Idempotency-Key',
        'Last-Event-ID',
        'X-Request-Id',
      ]);
      expect(res.headers['access-control-max-age']).toBe('600');
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    });

    it('lets the SPA read the headers it needs on an actual request', async () => {
      const res = await t.request('GET', '/tasks', { token: 'viewer', headers: { origin: 'http://localhost:5173' } });
      expect(res.status).toBe(200);
      expect(res.headers['access-control-allow-origin']).toBe('http://localhost:5173');
      expect(String(res.headers['access-control-expose-headers']).split(', ')).toEqual(['ETag', 'X-Request-Id', 'Retry-After', 'Idempotent-Replayed']);
      expect(String(res.headers.vary)).toMatch(/Origin/i);
      expect(res.headers['access-control-allow-credentials']).toBeUndefined();
    });

    it('gives another origin no Access-Control-Allow-Origin, on a preflight or a request', async () => {
      for (const origin of ['https://evil.example.com', 'https://admin.example.com.evil.example', 'null']) {
        const preflight = await t.request('OPTIONS', '/tasks', { token: null, headers: { origin, 'access-control-request-method': 'POST' } });
        expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
        const res = await t.request('GET', '/tasks', { token: 'viewer', headers: { origin } });
        expect(res.headers['access-control-allow-origin']).toBeUndefined();
      }
    });
  });

  describe('security headers', () => {
    it('are on every answer: success, errors, Swagger UI; no X-Powered-By', async () => {
      const answers = [
        await t.request('GET', '/tasks', { token: 'viewer' }),
        await t.request('GET', '/tasks', { token: null }),
        await t.request('GET', '/tasks/nope', { token: 'viewer' }),
        await t.request('GET', '/nowhere'),
        await t.request('PATCH', '/tasks/x'),
        await t.request('POST', '/tasks', { raw: '{"a":' }),
        await t.request('GET', '/health', { token: null }),
        await t.request('GET', '/docs', { token: null }),
        await t.request('GET', '/docs/swagger-ui.css', { token: null }),
      ];
      for (const res of answers) {
        expect(res.headers['content-security-policy']).toBeDefined();
        expect(res.headers['x-content-type-options']).toBe('nosniff');
        expect(res.headers['x-frame-options']).toBe('DENY');
        expect(res.headers['strict-transport-security']).toMatch(/max-age=\d+/);
        expect(res.headers['referrer-policy']).toBe('no-referrer');
        expect(res.headers['x-powered-by']).toBeUndefined();
      }
    });

    it('allow what Swagger UI loads: its own scripts and stylesheet, inline styles, data: images; nothing else', async () => {
      const ui = await t.request('GET', '/docs', { token: null });
      const csp = Object.fromEntries(
        String(ui.headers['content-security-policy'])
          .split(';')
          .map((d) => d.trim().split(/\s+/))
          .map(([name, ...values]) => [name, values]),
      );
      expect(csp['default-src']).toEqual(["'self'"]);
      expect(csp['script-src']).toEqual(["'self'"]);
      expect(csp['style-src']).toEqual(["'self'", "'unsafe-inline'"]);
      expect(csp['img-src']).toEqual(["'self'", 'data:']);
      expect(csp['connect-src']).toEqual(["'self'"]);
      expect(csp['object-src']).toEqual(["'none'"]);
      expect(csp['frame-ancestors']).toEqual(["'none'"]);
      // Over plain HTTP this would send the browser to https:// for Swagger UI's own files.
      expect(csp['upgrade-insecure-requests']).toBeUndefined();

      // Every script of the page is a file of /docs (script-src 'self' allows no inline script)...
      const scripts = [...ui.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
      expect(scripts.length).toBeGreaterThanOrEqual(3);
      for (const [, attrs, inline] of scripts) {
        expect(inline.trim()).toBe('');
        const src = /src=["']([^"']+)["']/.exec(attrs)?.[1] ?? '';
        // Relative to the page: /docs (no trailing slash) loads ./docs/swagger-ui-bundle.js.
        expect(src).not.toMatch(/^(https?:)?\/\//);
        const file = await t.request('GET', new URL(src, 'http://x/docs').pathname, { token: null });
        expect(file.status).toBe(200);
        expect(file.headers['content-type']).toMatch(/javascript/);
      }
      // ...and so is every stylesheet; the stylesheet's own images are data: URIs.
      const styles = [...ui.text.matchAll(/<link[^>]*rel=["']stylesheet["'][^>]*>/g)].map((m) => /href=["']([^"']+)["']/.exec(m[0])?.[1] ?? '');
      expect(styles.length).toBeGreaterThanOrEqual(1);
      for (const href of styles) expect(href).not.toMatch(/^(https?:)?\/\//);
      const css = await t.request('GET', '/docs/swagger-ui.css', { token: null });
      const urls = [...css.text.matchAll(/url\(\s*["']?([^"')]+)/g)].map((m) => m[1]);
      expect(urls.length).toBeGreaterThan(0);
      for (const url of urls) expect(url).toMatch(/^data:/);
      // The init script turns off the badge Swagger UI would fetch from validator.swagger.io.
      const init = await t.request('GET', '/docs/swagger-ui-init.js', { token: null });
      expect(init.text).toMatch(/"validatorUrl":\s*null/);
    });
  });

  describe('405 on a known path', () => {
    it.each([
      ['PATCH', '/tasks/x', 'GET, HEAD, PUT, DELETE'],
      ['GET', '/tasks/x/start', 'POST'],
      ['DELETE', '/tasks', 'GET, HEAD, POST'],
      ['PUT', '/health', 'GET, HEAD'],
    ])('%s %s answers 405 with Allow: %s', async (method, url, allow) => {
      const res = await t.request(method, url, { lang: 'en' });
      expect(res.status).toBe(405);
      expect(res.headers.allow).toBe(allow);
      expect(res.body).toEqual({ ecode: 405, enote: 'This method is not allowed here', error: 'METHOD_NOT_ALLOWED', request_id: expect.any(String) });
      expect(res.body.request_id).toBe(res.headers['x-request-id']);
    });

    it('keeps 404 for paths no method has', async () => {
      const res = await t.request('PATCH', '/tasks/x/nowhere');
      expect(res.status).toBe(404);
      expect(res.headers.allow).toBeUndefined();
      expect(res.body.error).toBe('ROUTE_NOT_FOUND');
    });
  });

  describe('what fails before routing', () => {
    it.each([
      ['a header over 16 KB', 431, 'HEADERS_TOO_LARGE', `GET /tasks HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`],
      [
        'too many headers',
        431,
        'HEADERS_TOO_LARGE',
        `GET /tasks HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 150 }, (_, i) => `X-H${i}: 1\r\n`).join('')}\r\n`,
      ],
      ['a 10 KB URL', 414, 'URI_TOO_LONG', `GET /tasks?keyword=${'a'.repeat(10_000)} HTTP/1.1\r\nHost: x\r\n\r\n`],
      ['a 20 KB URL', 414, 'URI_TOO_LONG', `GET /tasks/${'a'.repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`],
      ['a path parameter over 100 characters', 414, 'URI_TOO_LONG', `GET /tasks/${'a'.repeat(150)} HTTP/1.1\r\nHost: x\r\n\r\n`],
      ['bad %-encoding', 400, 'BAD_REQUEST', 'GET /tasks/%zz%E0%A4%A HTTP/1.1\r\nHost: x\r\n\r\n'],
      ['a request line that is not HTTP', 400, 'BAD_REQUEST', 'HELLO THERE\r\n\r\n'],
    ])('%s: %d %s in the envelope', async (_name, status, code, request) => {
      const res = await raw(port, request);
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
      expect(res.body).toEqual({ ecode: status, enote: expect.any(String), error: code, request_id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
      expect(res.body.enote).not.toBe(code);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      // The path is never echoed back.
      expect(res.text).not.toMatch(/aaaa|%zz|tasks/);
    });

    it('answers in the default language (zh-CN)', async () => {
      const res = await raw(port, `GET /tasks HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
      expect(res.body.enote).toBe('请求头过大或过多');
    });
  });

  describe('deeply nested JSON', () => {
    it.each([
      ['POST', '/tasks', 'operator'],
      ['POST', '/internal/subtask-reports', INTERNAL_TOKEN],
      ['PUT', '/subtasks/x/config', 'operator'],
    ])('%s %s: 10,000 levels in an unknown field are 400 JSON_TOO_DEEP', async (method, url, token) => {
      const res = await t.request(method, url, { token, raw: `{"reports":[],"unknown":${nested(10_000)}}`, lang: 'en' });
      expect(res.status).toBe(400);
      expect(res.body).toEqual({ ecode: 400, enote: 'The JSON body is nested deeper than 32 levels', error: 'JSON_TOO_DEEP', request_id: expect.any(String) });
    });

    it('lets 32 levels through to validation', async () => {
      const res = await t.request('POST', '/tasks', { raw: `{"unknown":${nested(31)}}` });
      expect(res.status).toBe(400);
      expect(res.body.error).not.toBe('JSON_TOO_DEEP');
      const deeper = await t.request('POST', '/tasks', { raw: `{"unknown":${nested(32)}}` });
      expect(deeper.body.error).toBe('JSON_TOO_DEEP');
    });
  });

  describe('large uploads', () => {
    it('answers every 40 MB upload with the 413 envelope the client can read (20 tries, declared length)', async () => {
      for (let i = 0; i < 20; i++) {
        const { response, error } = await upload(port, 40 * 1024 * 1024, false);
        expect({ i, status: response?.status, code: response?.body?.error, error }).toEqual({ i, status: 413, code: 'PAYLOAD_TOO_LARGE', error: null });
      }
    });

    it('does the same for a chunked upload with no declared length', async () => {
      for (let i = 0; i < 5; i++) {
        const { response, error } = await upload(port, 40 * 1024 * 1024, true);
        expect({ i, status: response?.status, code: response?.body?.error, error }).toEqual({ i, status: 413, code: 'PAYLOAD_TOO_LARGE', error: null });
      }
    });

    it('keeps the connection usable after the refused upload', async () => {
      const socket = connect(port, '127.0.0.1');
      let received = Buffer.alloc(0);
      socket.on('data', (chunk: Buffer) => (received = Buffer.concat([received, chunk])));
      await once(socket, 'connect');
      const size = 2 * 1024 * 1024;
      socket.write(`POST /tasks HTTP/1.1\r\nHost: x\r\nAuthorization: ${TOKENS.operator}\r\nContent-Type: application/json\r\nContent-Length: ${size}\r\n\r\n`);
      socket.write(Buffer.alloc(size, 0x20));
      socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
      const started = Date.now();
      while (!/HTTP\/1\.1 200/.test(received.toString('latin1')) && Date.now() - started < 5000) await new Promise((r) => setTimeout(r, 10));
      socket.destroy();
      expect(received.toString('latin1')).toMatch(/^HTTP\/1\.1 413[\s\S]*HTTP\/1\.1 200/);
    });
  });

  describe('slow clients', () => {
    it('closes 300 connections that send headers a byte at a time within the headers timeout, while /health keeps answering', async () => {
      const opened: { socket: Socket; at: number; closedAfter: number | null; data: string }[] = [];
      for (let i = 0; i < 300; i++) {
        const socket = connect(port, '127.0.0.1');
        const entry = { socket, at: Date.now(), closedAfter: null as number | null, data: '' };
        socket.on('data', (d: Buffer) => (entry.data += d.toString('latin1')));
        socket.on('error', () => undefined);
        socket.on('close', () => (entry.closedAfter = Date.now() - entry.at));
        socket.on('end', () => entry.closedAfter ?? (entry.closedAfter = Date.now() - entry.at));
        socket.write('GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
        opened.push(entry);
      }
      const drip = setInterval(() => {
        for (const { socket, closedAfter } of opened) if (closedAfter === null && !socket.destroyed) socket.write('a');
      }, 100);
      const health: number[] = [];
      const deadline = Date.now() + 4000;
      try {
        while (Date.now() < deadline && opened.some((o) => o.closedAfter === null)) {
          health.push(await get(`http://127.0.0.1:${port}/health`));
          await new Promise((r) => setTimeout(r, 100));
        }
      } finally {
        clearInterval(drip);
        for (const { socket } of opened) socket.destroy();
      }
      const closed = opened.map((o) => o.closedAfter);
      expect(closed.filter((c) => c === null)).toHaveLength(0);
      // Headers timeout 1 s, checked every 250 ms: every stalled connection is gone within 2 s of opening.
      expect(Math.max(...(closed as number[]))).toBeLessThan(2500);
      expect(Math.min(...(closed as number[]))).toBeGreaterThanOrEqual(900);
      expect(opened[0].data).toMatch(/^HTTP\/1\.1 408 /);
      expect(opened[0].data).toContain('"error":"REQUEST_TIMEOUT"');
      expect(health.length).toBeGreaterThanOrEqual(5);
      expect(health.every((s) => s === 200)).toBe(true);
    });
  });
});

describe('rate limits on sqlite', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start('sqlite', { RATE_LIMIT_PER_MINUTE: '3', RATE_LIMIT_REPORTS_PER_MINUTE: '2' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('answers 429 RATE_LIMITED with Retry-After past the limit of one subject, across routes, and not for another subject', async () => {
    expect((await t.request('GET', '/tasks', { token: 'viewer' })).status).toBe(200);
    expect((await t.request('GET', '/dicts?dict_type=algo_type', { token: 'viewer' })).status).toBe(200);
    expect((await t.request('GET', '/tasks/nope', { token: 'viewer' })).status).toBe(404);
    const limited = await t.request('GET', '/tasks', { token: 'viewer', lang: 'en' });
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ ecode: 429, enote: 'Too many requests; try again later', error: 'RATE_LIMITED', request_id: expect.any(String) });
    const retryAfter = Number(limited.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);

    expect((await t.request('GET', '/tasks', { token: 'admin' })).status).toBe(200);
    // Health and docs are never limited.
    for (let i = 0; i < 10; i++) expect((await t.request('GET', '/health', { token: null })).status).toBe(200);
    expect((await t.request('GET', '/docs-json', { token: null })).status).toBe(200);
  });

  it('gives the ops service report endpoint a budget of its own', async () => {
    const report = () => t.request('POST', '/internal/subtask-reports', { token: INTERNAL_TOKEN, body: { reports: [] } });
    expect((await report()).status).not.toBe(429);
    expect((await report()).status).not.toBe(429);
    const limited = await report();
    expect(limited.status).toBe(429);
    expect(limited.body.error).toBe('RATE_LIMITED');
    expect(limited.headers['retry-after']).toBeDefined();
    expect((await t.request('GET', '/tasks', { token: 'operator' })).status).toBe(200);
  });

  it('counts refused tokens against the client address, whatever X-Forwarded-For says (TRUST_PROXY off)', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      statuses.push((await t.request('GET', '/tasks', { token: `guess-${i}`, headers: { 'x-forwarded-for': `10.0.0.${i}` } })).status);
    }
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
  });
});

describe('rate limits behind a trusted proxy on sqlite', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start('sqlite', { RATE_LIMIT_PER_MINUTE: '2', TRUST_PROXY: '127.0.0.1' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('keys requests without a principal by the forwarded client address', async () => {
    const from = (ip: string) => t.request('GET', '/tasks', { token: 'nope', headers: { 'x-forwarded-for': ip } });
    expect([(await from('10.0.0.1')).status, (await from('10.0.0.1')).status, (await from('10.0.0.1')).status]).toEqual([401, 401, 429]);
    expect((await from('10.0.0.2')).status).toBe(401);
  });
});

describe('the connection cap on sqlite', () => {
  let t: TestApp;
  let port: number;

  beforeAll(async () => {
    t = await TestApp.start('sqlite', { HTTP_MAX_CONNECTIONS: '5' });
    port = Number(new URL(await t.listen()).port);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('drops connections over HTTP_MAX_CONNECTIONS and serves again once one closes', async () => {
    const held: Socket[] = [];
    for (let i = 0; i < 5; i++) {
      const s = connect(port, '127.0.0.1');
      await once(s, 'connect');
      held.push(s);
    }
    await new Promise((r) => setTimeout(r, 100));
    const extra = connect(port, '127.0.0.1');
    extra.on('error', () => undefined);
    extra.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n');
    const [closedWithoutAnswer] = await Promise.race([
      once(extra, 'close').then(() => [true]),
      new Promise<boolean[]>((r) => setTimeout(() => r([false]), 2000)),
    ]);
    expect(closedWithoutAnswer).toBe(true);
    held.pop()?.destroy();
    await new Promise((r) => setTimeout(r, 100));
    expect((await raw(port, 'GET /health HTTP/1.1\r\nHost: x\r\n\r\n')).status).toBe(200);
    for (const s of held) s.destroy();
  });
});

describe('edge configuration', () => {
  const base = { NODE_ENV: 'test', DB_TYPE: 'sqlite', DB_PATH: ':memory:' };

  it('has safe defaults', () => {
    const { edge, dispatch } = loadConfig(base);
    expect(edge).toEqual({
      corsOrigins: [],
      trustProxy: false,
      jsonMaxDepth: 32,
      headersTimeoutMs: 10000,
      requestTimeoutMs: 30000,
      keepAliveTimeoutMs: 72000,
      maxConnections: 4096,
      rateLimitPerMinute: 1200,
      rateLimitReportsPerMinute: 60000,
    });
    expect(dispatch.publicBaseUrl).toBe('http://127.0.0.1:3000');
    expect(loadConfig({ ...base, HOST: '10.0.0.5', PORT: '8080' }).dispatch.publicBaseUrl).toBe('http://10.0.0.5:8080');
  });

  it('reads TRUST_PROXY as a flag, a hop count or addresses', () => {
    expect(loadConfig({ ...base, TRUST_PROXY: 'true' }).edge.trustProxy).toBe(true);
    expect(loadConfig({ ...base, TRUST_PROXY: '2' }).edge.trustProxy).toBe(2);
    expect(loadConfig({ ...base, TRUST_PROXY: '10.0.0.0/8, ::1' }).edge.trustProxy).toBe('10.0.0.0/8,::1');
  });

  it.each([
    ['CORS_ORIGINS', 'https://admin.example.com/app'],
    ['CORS_ORIGINS', '*'],
    ['CORS_ORIGINS', 'admin.example.com'],
    ['TRUST_PROXY', 'my-proxy'],
    ['TRUST_PROXY', '10.0.0.0/40'],
    ['HTTP_HEADERS_TIMEOUT_MS', '60000'],
    ['HTTP_MAX_CONNECTIONS', '0'],
  ])('refuses to boot with %s=%s', (name, value) => {
    expect(() => loadConfig({ ...base, [name]: value })).toThrow(ConfigError);
    try {
      loadConfig({ ...base, [name]: value });
    } catch (error) {
      expect((error as ConfigError).message).toContain(name);
    }
  });
});
