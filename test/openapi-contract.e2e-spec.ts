import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ERROR_STATUS } from '../src/common/errors/error-codes';
import { TestApp } from './support/app';

const run = promisify(execFile);
const ROOT = join(__dirname, '..');
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an OpenAPI document, walked generically
const doc: any = JSON.parse(readFileSync(join(ROOT, 'openapi.json'), 'utf8'));
const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const operations = Object.entries(doc.paths).flatMap(([path, item]) =>
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  METHODS.filter((m) => (item as any)[m]).map((method) => ({ path, method, op: (item as any)[method] })),
);

/** The first example Swagger UI would fill a request body with. */
function bodyExample(path: string, method: string): unknown {
  const media = doc.paths[path][method].requestBody?.content?.['application/json'];
  if (!media) return undefined;
  if (media.example !== undefined) return media.example;
  const first = Object.values(media.examples ?? {})[0] as { value: unknown } | undefined;
  return first?.value;
}

describe('the OpenAPI document as a contract', () => {
  it('passes Redocly lint with the recommended rules: no error, no warning', async () => {
    const cli = join(ROOT, 'node_modules', '@redocly', 'cli', 'bin', 'cli.js');
    const { stdout } = await run(process.execPath, [cli, 'lint', 'openapi.json', '--format=json', '--config=redocly.yaml'], {
      cwd: ROOT,
      maxBuffer: 16 * 1024 * 1024,
    }).catch((error: { stdout: string }) => ({ stdout: error.stdout }));
    const report = JSON.parse(stdout.slice(stdout.indexOf('{')));
    const problems = (report.problems as { ruleId: string; message: string; severity: string }[]).map((p) => `${p.severity} ${p.ruleId}: ${p.message}`);
    expect(problems).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 60000);

  it('types every property: no untyped or empty object schema, no untyped array items', () => {
    const loose: string[] = [];
    for (const [name, schema] of Object.entries<{ properties?: Record<string, Record<string, unknown>> }>(doc.components.schemas)) {
      for (const [prop, s] of Object.entries(schema.properties ?? {})) {
        const typed = s.type || s.$ref || s.allOf || s.oneOf || s.anyOf;
        const emptyObject = s.type === 'object' && !s.properties && !s.additionalProperties && !s.allOf;
        const items = s.items as Record<string, unknown> | undefined;
        const looseItems = s.type === 'array' && (!items || Object.keys(items).length === 0);
        // A bare `number` is what an undecorated TypeScript number becomes: counts must say integer,
        // and a real fraction (a ratio) says so with a format.
        const bareNumber = s.type === 'number' && !s.format;
        if (!typed || emptyObject || looseItems || bareNumber) loose.push(`${name}.${prop}`);
      }
    }
    expect(loose).toEqual([]);
  });

  it('documents a success and shared-envelope errors on every operation, security on all but /health*', () => {
    const codes = Object.keys(ERROR_STATUS);
    expect(doc.servers?.length).toBeGreaterThan(0);
    const envelopeError = doc.components.schemas.ErrorResponseDto.properties.error;
    const documented: string[] = envelopeError.enum ?? doc.components.schemas[envelopeError.$ref?.split('/').pop()]?.enum ?? envelopeError.allOf?.[0]?.enum;
    // Every code the service has (openapi.e2e-spec.ts keeps the committed document current).
    expect(documented.length).toBeGreaterThan(20);
    expect(documented.filter((c) => !codes.includes(c))).toEqual([]);
    for (const { path, method, op } of operations) {
      const where = `${method.toUpperCase()} ${path}`;
      const statuses = Object.keys(op.responses);
      expect([where, statuses.some((s) => s.startsWith('2'))]).toEqual([where, true]);
      for (const status of statuses.filter((s) => /^[45]/.test(s))) {
        const schema = op.responses[status].content['application/json'].schema;
        expect([where, status, schema.allOf[0].$ref]).toEqual([where, status, '#/components/schemas/ErrorResponseDto']);
        for (const code of schema.allOf[1].properties.error.enum)
          expect([where, code, ERROR_STATUS[code as keyof typeof ERROR_STATUS]]).toEqual([where, code, Number(status)]);
      }
      if (path.startsWith('/health')) expect([where, op.security]).toEqual([where, []]);
      else expect([where, op.security ?? doc.security]).toEqual([where, [{ atoken: [] }]]);
      if (!path.startsWith('/health')) expect([where, statuses]).toEqual([where, expect.arrayContaining(['401', '429'])]);
      if (method !== 'get' && !path.startsWith('/health')) expect([where, statuses]).toEqual([where, expect.arrayContaining(['403'])]);
    }
  });

  it('gives every JSON request body an example', () => {
    const missing = operations.filter(({ path, method, op }) => op.requestBody?.content?.['application/json'] && bodyExample(path, method) === undefined);
    expect(missing.map(({ method, path }) => `${method} ${path}`)).toEqual([]);
  });

  describe("Swagger UI's default request of each write, sent as is to a fresh service", () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await TestApp.start('sqlite');
    });
    afterAll(async () => {
      await app?.close();
    });

    const send = async (method: string, template: string, params: Record<string, string>, token: 'admin' | 'operator' = 'operator') => {
      const url = template.replace(/\{(\w+)\}/g, (_, name: string) => params[name]);
      const body = bodyExample(template, method);
      const res = await app.request(method.toUpperCase(), url, { body, token });
      expect([`${method} ${template}`, res.status, res.body?.error]).toEqual([`${method} ${template}`, 200, undefined]);
      expect(res.body).toMatchObject({ ecode: 200, enote: 'OK' });
      return res.body;
    };

    it('creates, edits, configures, completes, starts and stops a task, and edits the dictionary', async () => {
      const { task_id } = await send('post', '/tasks', {});
      await send('put', '/tasks/{task_id}', { task_id });
      const subtasks = (await app.request('GET', `/tasks/${task_id}/subtasks`)).body.list_data as { subtask_id: string }[];
      expect(subtasks).toHaveLength(2);
      for (const { subtask_id } of subtasks) {
        const saved = await send('put', '/subtasks/{subtask_id}/config', { subtask_id });
        expect(saved.state).toBe('unconfigured');
        const done = await send('post', '/subtasks/{subtask_id}/config-complete', { subtask_id });
        expect(done.state).toBe('configured');
      }
      await send('post', '/tasks/{task_id}/start', { task_id });
      await send('post', '/subtasks/{subtask_id}/stop', { subtask_id: subtasks[0].subtask_id });
      await send('post', '/subtasks/{subtask_id}/start', { subtask_id: subtasks[0].subtask_id });
      await send('post', '/tasks/{task_id}/stop', { task_id });

      const item = (await send('post', '/dicts', {}, 'admin')).item as { id: string };
      await send('put', '/dicts/{id}', { id: item.id }, 'admin');
      await send('delete', '/dicts/{id}', { id: item.id }, 'admin');
    });

    it('deletes and restores a task that never ran', async () => {
      const { task_id } = await send('post', '/tasks', {});
      await send('delete', '/tasks/{task_id}', { task_id });
      await send('post', '/tasks/{task_id}/restore', { task_id });
    });
  });
});
