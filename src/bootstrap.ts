import './common/http/request-language';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { AppModule } from './app.module';
import { resolveLanguage } from './common/http/language';
import { MetricsService } from './common/observability/metrics.service';
import { APP_CONFIG, AppConfig, loadConfig } from './config/app-config';
import { buildOpenApiDocument } from './swagger';

const REQUEST_ID = /^[\w.:-]{1,100}$/;

/** Builds the app exactly as `main.ts` runs it; end-to-end tests call this too. */
export async function createApp(env: NodeJS.ProcessEnv = process.env): Promise<NestFastifyApplication> {
  const config = loadConfig(env);
  const adapter = new FastifyAdapter({
    bodyLimit: config.http.bodyLimitBytes,
    trustProxy: true,
    // Reuse the caller's request id when it looks sane, so one id follows a request across services.
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      (req as IncomingMessage & { id?: string }).id = id;
      return id;
    },
  });
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), adapter, {
    bufferLogs: true,
    // Body parsing is Fastify's own, set up below.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  // The API speaks JSON only: other bodies get 415 instead of reaching validation as a string.
  fastify.removeContentTypeParser(['text/plain']);
  // Clients often send start/stop as JSON with no body at all: that is an empty object, not bad JSON.
  // Everything else goes through Fastify's own parser (prototype-poisoning protection included).
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, {});
    return parseJson(request, body as string, done);
  });
  fastify.addHook('onRequest', async (request, reply) => {
    request.lang = resolveLanguage(request.headers['accept-language'], config.i18n.defaultLanguage);
    void reply.header('x-request-id', request.id);
  });
  const metrics = app.get(MetricsService);
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });

  if (config.swagger.enabled) {
    SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
      jsonDocumentUrl: 'docs-json',
      swaggerOptions: { persistAuthorization: true },
    });
  }
  await app.init();
  return app;
}

export function configOf(app: NestFastifyApplication): AppConfig {
  return app.get<AppConfig>(APP_CONFIG);
}
