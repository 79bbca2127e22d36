import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from '../src/bootstrap';
import { buildOpenApiDocument, OPENAPI_BUILD_ENV, renderOpenApiDocument } from '../src/swagger';

describe('the committed OpenAPI document', () => {
  let app: NestFastifyApplication;
  beforeAll(async () => {
    app = await createApp(OPENAPI_BUILD_ENV);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('matches what the code describes (run `npm run openapi:sync` after changing the API)', () => {
    const committed = readFileSync(join(__dirname, '..', 'openapi.json'), 'utf8');
    expect(renderOpenApiDocument(buildOpenApiDocument(app))).toBe(committed);
  });
});
