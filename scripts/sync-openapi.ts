/** Writes openapi.json from the running app's decorators; a test fails when the committed file is stale. */
import { execFileSync } from 'node:child_process';
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
  // The typed test client's types (test/typed-client.e2e-spec.ts fails when they are stale).
  const root = join(__dirname, '..');
  execFileSync(process.execPath, [join(root, 'node_modules/openapi-typescript/bin/cli.js'), target, '-o', join(root, 'test/client/schema.d.ts')], {
    stdio: 'inherit',
  });
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
