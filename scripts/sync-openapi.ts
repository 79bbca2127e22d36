/** Writes openapi.json from the running app's decorators; a test fails when the committed file is stale. */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createApp } from '../src/bootstrap';
import { buildOpenApiDocument, OPENAPI_BUILD_ENV, renderOpenApiDocument } from '../src/swagger';

async function main(): Promise<void> {
  const app = await createApp(OPENAPI_BUILD_ENV);
  const target = join(__dirname, '..', 'openapi.json');
  writeFileSync(target, renderOpenApiDocument(buildOpenApiDocument(app)));
  await app.close();
  console.log(`wrote ${target}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
