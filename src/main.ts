import { Logger } from '@nestjs/common';
import { existsSync } from 'node:fs';
import { configOf, createApp } from './bootstrap';
import { listenUrl, publicUrlWarnings } from './common/http/public-url';
import { tuneHeapGrowth } from './common/runtime/heap-growth';
import { ConfigError } from './config/app-config';

async function main(): Promise<void> {
  if (existsSync('.env')) process.loadEnvFile('.env');
  const app = await createApp();
  const { http, runtime, swagger } = configOf(app);
  // A process-wide V8 setting: the server's to choose, not the app's (tests build the app too).
  tuneHeapGrowth(runtime.heapGrowingPercent);
  const { host, port } = http;
  await app.listen(port, host);
  const logger = new Logger('Server');
  const url = listenUrl(host, port);
  logger.log(`Listening on ${host}:${port}: ${url}${swagger.enabled ? `, Swagger UI at ${url}/docs` : ' (Swagger UI off)'}`);
  for (const warning of publicUrlWarnings(configOf(app))) logger.warn(warning);
}

main().catch((error: unknown) => {
  // A bad configuration is the operator's to fix: print the list, not a stack.
  console.error(error instanceof ConfigError ? error.message : error);
  process.exit(1);
});
