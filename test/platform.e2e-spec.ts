import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { TestApp, TOKENS } from './support/app';
import { DATABASE_KINDS } from './support/databases';
import { videoTask } from './support/fixtures';

const JWT_SECRET = 'a-test-secret-that-is-long-enough-for-hs256';

async function jwt(claims: Record<string, unknown>, expiresIn = '5m', secret = JWT_SECRET): Promise<string> {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('someone')
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(new TextEncoder().encode(secret));
}

describe.each(DATABASE_KINDS)('platform on %s', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start(kind, { AUTH_JWT_SECRET: JWT_SECRET });
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('authentication and roles', () => {
    it.each([
      ['no token', null],
      ['an unknown token', 'not-a-token'],
      ['a JWT signed with another secret', 'other'],
      ['an expired JWT', 'expired'],
      ['a JWT without a role', 'roleless'],
    ])('answers 401 for %s', async (_name, kindOfToken) => {
      let token: string | null = kindOfToken;
      if (kindOfToken === 'other') token = await jwt({ role: 'admin' }, '5m', 'x'.repeat(40));
      if (kindOfToken === 'expired') token = await jwt({ role: 'admin' }, '-1m');
      if (kindOfToken === 'roleless') token = await jwt({});
      const res = await t.request('GET', '/tasks', { token });
      expect(res.status).toBe(401);
      expect(res.body).toMatchObject({ ecode: 401, error: expect.stringMatching(/^TOKEN_(MISSING|INVALID|EXPIRED)$/), request_id: expect.any(String) });
    });

    it('accepts a bare token, a Bearer token and a JWT with a role', async () => {
      expect((await t.request('GET', '/tasks', { token: TOKENS.viewer })).status).toBe(200);
      expect((await t.request('GET', '/tasks', { token: `Bearer ${TOKENS.viewer}` })).status).toBe(200);
      expect((await t.request('GET', '/tasks', { token: await jwt({ role: 'viewer' }) })).status).toBe(200);
      const created = await t.request('POST', '/tasks', { token: `Bearer ${await jwt({ role: 'operator' })}`, body: videoTask() });
      expect(created.status).toBe(200);
    });

    it('lets a viewer read but not write, and writes nothing', async () => {
      const before = await t.counts();
      const res = await t.request('POST', '/tasks', { token: 'viewer', body: videoTask() });
      expect(res.status).toBe(403);
      expect(res.body).toMatchObject({ ecode: 403, error: 'FORBIDDEN' });
      expect(await t.counts()).toEqual(before);
    });

    it('keeps the dictionary to admins', async () => {
      const body = { dict_type: 'algo_type', code: '7', label_zh: '烟火', label_en: 'Smoke' };
      expect((await t.request('POST', '/dicts', { token: 'operator', body })).status).toBe(403);
      expect((await t.request('POST', '/dicts', { token: await jwt({ role: 'operator' }), body })).status).toBe(403);
      expect(await t.count('tb_dict_item')).toBe(5);
    });

    it('leaves health and docs open', async () => {
      expect((await t.request('GET', '/health', { token: null })).status).toBe(200);
      expect((await t.request('GET', '/docs-json', { token: null })).status).toBe(200);
    });
  });

  describe('localized errors', () => {
    it.each([
      [undefined, '任务 nope 不存在'],
      ['zh-CN', '任务 nope 不存在'],
      ['zh', '任务 nope 不存在'],
      ['en', 'Task nope does not exist'],
      ['en-US,en;q=0.8', 'Task nope does not exist'],
      ['fr-FR', '任务 nope 不存在'],
    ])('Accept-Language %p', async (lang, enote) => {
      const res = await t.request('GET', '/tasks/nope', { lang });
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ ecode: 404, enote, error: 'TASK_NOT_FOUND', request_id: expect.any(String) });
    });

    it('takes a JSON request without a body as an empty object, and still refuses bad JSON and poisoned keys', async () => {
      const created = await t.request('POST', '/tasks', { body: videoTask() });
      const empty = await t.request('POST', `/tasks/${created.body.task_id}/stop`, { headers: { 'content-type': 'application/json' } });
      expect(empty.status).toBe(200);
      expect((await t.request('POST', '/tasks', { raw: '{"a":' })).body.error).toBe('MALFORMED_JSON');
      const poisoned = await t.request('POST', '/tasks', { raw: '{"__proto__": {"admin": true}}' });
      expect(poisoned.status).toBe(400);
      // Valid JSON, refused as the unknown field it is (the parser never builds the object).
      expect(poisoned.body.error).toBe('VALIDATION_FAILED');
      expect(poisoned.body.errors).toEqual([{ field: '__proto__', message: expect.any(String) }]);
    });

    it('answers unknown routes and methods in the standard structure', async () => {
      const res = await t.request('GET', '/nowhere', { lang: 'en' });
      expect(res.status).toBe(404);
      expect(res.body).toMatchObject({ ecode: 404, error: 'ROUTE_NOT_FOUND', enote: 'No such endpoint' });
    });

    it('carries the caller request id through, or makes one', async () => {
      const given = await t.request('GET', '/tasks/nope', { headers: { 'x-request-id': 'trace-123' } });
      expect(given.headers['x-request-id']).toBe('trace-123');
      expect(given.body.request_id).toBe('trace-123');
      const made = await t.request('GET', '/tasks/nope', { headers: { 'x-request-id': 'bad id with spaces' } });
      expect(made.body.request_id).toMatch(/^[0-9a-f-]{36}$/);
      expect(made.headers['x-request-id']).toBe(made.body.request_id);
    });
  });

  describe('dictionary', () => {
    it('lists the seeded algorithm types in the request language', async () => {
      const zh = await t.request('GET', '/dicts?dict_type=algo_type');
      expect(zh.body.list_data.map((i: { code: string; label: string }) => [i.code, i.label])).toEqual([
        ['0', '交通'],
        ['1', '客流'],
        ['2', '安防'],
        ['3', '违停'],
        ['4', '人脸'],
      ]);
      const en = await t.request('GET', '/dicts?dict_type=algo_type', { lang: 'en' });
      expect(en.body.list_data.map((i: { label: string }) => i.label)).toEqual(['Traffic', 'Passenger flow', 'Security', 'Illegal parking', 'Face']);
    });

    it('refuses an unknown dict_type', async () => {
      const res = await t.request('GET', '/dicts?dict_type=colours');
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe('dict_type');
    });

    it('lets an admin add, edit and remove an item, which task validation follows', async () => {
      const task = videoTask({ algo_type: '8', mtasks: [] });
      expect((await t.request('POST', '/tasks', { body: task })).status).toBe(400);

      const created = await t.request('POST', '/dicts', {
        token: 'admin',
        body: { dict_type: 'algo_type', code: '8', label_zh: '烟火', label_en: 'Smoke', sort_order: 8 },
      });
      expect(created.status).toBe(200);
      expect(created.body.item).toMatchObject({ code: '8', label: '烟火' });
      const duplicate = await t.request('POST', '/dicts', { token: 'admin', body: { dict_type: 'algo_type', code: '8', label_zh: 'x', label_en: 'x' } });
      expect(duplicate.status).toBe(409);
      expect(duplicate.body.error).toBe('DICT_ITEM_EXISTS');

      const edited = await t.request('PUT', `/dicts/${created.body.item.id}`, { token: 'admin', body: { label_en: 'Smoke and fire' }, lang: 'en' });
      expect(edited.body.item.label).toBe('Smoke and fire');

      const taskRes = await t.request('POST', '/tasks', { body: task });
      expect(taskRes.status).toBe(200);
      const inUse = await t.request('DELETE', `/dicts/${created.body.item.id}`, { token: 'admin' });
      expect(inUse.status).toBe(409);
      expect(inUse.body.error).toBe('DICT_ITEM_IN_USE');

      await t.dataSource.query('DELETE FROM tb_task WHERE id = ?', [taskRes.body.task_id]);
      expect((await t.request('DELETE', `/dicts/${created.body.item.id}`, { token: 'admin' })).status).toBe(200);
      expect((await t.request('DELETE', `/dicts/${created.body.item.id}`, { token: 'admin' })).status).toBe(404);
      expect((await t.request('POST', '/tasks', { body: task })).status).toBe(400);
    });

    it('refuses a code that is not a number for algo_type', async () => {
      const res = await t.request('POST', '/dicts', { token: 'admin', body: { dict_type: 'algo_type', code: "1' OR 1=1", label_zh: 'x', label_en: 'x' } });
      expect(res.status).toBe(400);
      expect(res.body.errors[0].field).toBe('code');
    });
  });

  describe('operations', () => {
    it('reports readiness with the database check', async () => {
      const res = await t.request('GET', '/health/ready', { token: null });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ecode: 200, status: 'ok', checks: { database: { status: 'up' } } });
    });

    it('exposes Prometheus metrics: requests by route and tasks by status', async () => {
      await t.request('POST', '/tasks', { body: videoTask({ task_name: 'metrics probe' }) });
      await t.request('GET', '/tasks');
      const res = await t.request('GET', '/metrics', { token: 'viewer' });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/plain/);
      expect(res.text).toMatch(/http_requests_total\{method="GET",route="\/tasks",status="200"\} \d+/);
      expect(res.text).toMatch(/http_request_duration_seconds_bucket\{le="[\d.]+",method="GET",route="\/tasks"\}/);
      const unconfigured = Number(/tasks_by_status\{status="unconfigured"\} (\d+)/.exec(res.text)?.[1]);
      expect(unconfigured).toBe(await t.count("tb_task WHERE deleted_dt IS NULL AND status = 'unconfigured'"));
      expect(res.text).toMatch(/subtasks_by_state\{state="unconfigured"\} \d+/);
      expect((await t.request('GET', '/metrics', { token: null })).status).toBe(401);
    });

    it('serves Swagger UI and an OpenAPI document with the Authorization scheme', async () => {
      const ui = await t.request('GET', '/docs', { token: null });
      expect(ui.status).toBe(200);
      expect(ui.text).toContain('swagger');
      // Swagger UI's own files, served through @fastify/static.
      const css = await t.request('GET', '/docs/swagger-ui.css', { token: null });
      expect(css.status).toBe(200);
      expect(css.headers['content-type']).toMatch(/^text\/css/);
      expect(css.text.length).toBeGreaterThan(10_000);
      const doc = await t.request('GET', '/docs-json', { token: null });
      expect(doc.body.components.securitySchemes.atoken).toEqual(expect.objectContaining({ type: 'apiKey', in: 'header', name: 'Authorization' }));
      expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/tasks', '/tasks/{task_id}', '/tasks/{task_id}/subtasks', '/dicts']));
    });
  });
});

describe('the runtime', () => {
  it('loads @fastify/static in plain Node, where its content-disposition (ES module only, engines >= 22) is require()d', () => {
    // Jest compiles that package to CommonJS (jest.config.js), so only a real node process shows
    // that this Node (engines: >= 20.19, which loads ES modules with require) can run it.
    const script = "require('@fastify/static'); const { create } = require('content-disposition'); process.stdout.write(create('报告.pdf'))";
    const out = execFileSync(process.execPath, ['-e', script], { cwd: join(__dirname, '..'), encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(out).toBe(`attachment; filename="??.pdf"; filename*=UTF-8''%E6%8A%A5%E5%91%8A.pdf`);
  });
});
