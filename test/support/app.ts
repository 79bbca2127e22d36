import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DataSource } from 'typeorm';
import type { AppOverrides } from '../../src/app.module';
import { createApp } from '../../src/bootstrap';
import { createTestDatabase, DatabaseKind, TestDatabase } from './databases';

export const TOKENS = { admin: 'test-admin-token-0001', operator: 'test-operator-token-0001', viewer: 'test-viewer-token-0001' } as const;
export const INTERNAL_TOKEN = 'test-internal-token';

export interface TestResponse {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  body: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- JSON of many shapes, asserted field by field
  text: string;
}

export interface RequestOptions {
  body?: unknown;
  /** Sent verbatim instead of JSON-encoding `body`. */
  raw?: string;
  /** A key of TOKENS (viewer, operator, admin), any other token verbatim, or null for none. */
  token?: string | null;
  lang?: string;
  headers?: Record<string, string>;
}

/** The app booted by `createApp`, exactly as main.ts does, on a database of its own. */
export class TestApp {
  private constructor(
    readonly app: NestFastifyApplication,
    readonly db: TestDatabase,
  ) {}

  static async start(kind: DatabaseKind, env: Record<string, string> = {}, db?: TestDatabase, overrides: AppOverrides = {}): Promise<TestApp> {
    const database = db ?? (await createTestDatabase(kind));
    const app = await createApp(
      {
        NODE_ENV: 'test',
        LOG_LEVEL: 'silent',
        AUTH_TOKENS: `${TOKENS.admin}:admin,${TOKENS.operator}:operator,${TOKENS.viewer}:viewer`,
        INTERNAL_TOKEN,
        RECONCILER_ENABLED: 'false',
        ...database.env,
        ...env,
      },
      overrides,
    );
    return new TestApp(app, database);
  }

  /** Listens on a free loopback port, for peers that call back over HTTP (the ops simulator). */
  async listen(): Promise<string> {
    await this.app.listen(0, '127.0.0.1');
    return (await this.app.getUrl()).replace('[::1]', '127.0.0.1');
  }

  get dataSource(): DataSource {
    return this.app.get(DataSource);
  }

  async request(method: string, url: string, options: RequestOptions = {}): Promise<TestResponse> {
    const token = options.token === undefined ? TOKENS.operator : options.token;
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (token !== null) headers.authorization = TOKENS[token as keyof typeof TOKENS] ?? token;
    if (options.lang) headers['accept-language'] = options.lang;
    let payload: string | undefined;
    if (options.raw !== undefined) payload = options.raw;
    else if (options.body !== undefined) payload = JSON.stringify(options.body);
    if (payload !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
    const res = await this.app.inject({ method: method as 'GET', url, headers, payload });
    let body: unknown;
    try {
      body = JSON.parse(res.body);
    } catch {
      body = undefined;
    }
    return { status: res.statusCode, headers: res.headers, body, text: res.body };
  }

  async count(table: string): Promise<number> {
    const rows: { n: string | number }[] = await this.dataSource.query(`SELECT COUNT(*) AS n FROM ${table}`);
    return Number(rows[0].n);
  }

  /** Row counts of every table a task write touches; equal before and after proves nothing was written. */
  async counts(): Promise<Record<string, number>> {
    const tables = ['tb_task', 'tb_subtask', 'tb_mtask', 'tb_scene', 'tb_dict_item'];
    const result: Record<string, number> = {};
    for (const table of tables) result[table] = await this.count(table);
    return result;
  }

  async close(options: { keepDatabase?: boolean } = {}): Promise<void> {
    await this.app.close();
    if (!options.keepDatabase) await this.db.drop();
  }
}
