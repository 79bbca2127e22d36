import './common/http/request-language';
import fastifyCors from '@fastify/cors';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { FastifyHttpOptions } from 'fastify';
import type { IncomingMessage, Server } from 'node:http';
import { AppModule, AppOverrides } from './app.module';
import { AppException } from './common/errors/app.exception';
import { ErrorResponder } from './common/errors/error-response';
import { corsOptions, securityHeaders } from './common/http/edge-headers';
import { createClientErrorHandler, createFrameworkErrorHandler, MAX_HEADER_COUNT, MAX_URL_LENGTH } from './common/http/edge-errors';
import { exceedsJsonDepth } from './common/http/json-depth';
import { resolveLanguage } from './common/http/language';
import { attachRouteIndex, RouteIndex } from './common/http/route-index';
import { explainJsonParseError } from './common/validation/raw-input';
import { MetricsService } from './common/observability/metrics.service';
import { APP_CONFIG, AppConfig, loadConfig } from './config/app-config';
import { buildOpenApiDocument } from './swagger';

const REQUEST_ID = /^[\w.:-]{1,100}$/;

/** Builds the app exactly as `main.ts` runs it; end-to-end tests call this too. */
export async function createApp(env: NodeJS.ProcessEnv = process.env, overrides: AppOverrides = {}): Promise<NestFastifyApplication> {
  const config = loadConfig(env);
  const { edge } = config;
  // The error envelope for what fails before Nest sees a request; bound once the app exists.
  const bound: { responder?: ErrorResponder } = {};
  const options: FastifyHttpOptions<Server> = {
    bodyLimit: config.http.bodyLimitBytes,
    // Client addresses (rate limits by address, logs) come from X-Forwarded-For only from trusted proxies.
    trustProxy: edge.trustProxy,
    // Slow clients: the request line and headers, and the whole request, must arrive in time;
    // Node checks every connection at this interval (its default, 30 s, would stretch the timeouts).
    requestTimeout: edge.requestTimeoutMs,
    keepAliveTimeout: edge.keepAliveTimeoutMs,
    http: {
      headersTimeout: edge.headersTimeoutMs,
      requestTimeout: edge.requestTimeoutMs,
      connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(edge.headersTimeoutMs / 4))),
    },
    frameworkErrors: createFrameworkErrorHandler(() => bound.responder),
    clientErrorHandler: createClientErrorHandler(() => bound.responder, config.i18n.defaultLanguage),
    // Reuse the caller's request id when it looks sane, so one id follows a request across services.
    genReqId: (req: IncomingMessage) => {
      const given = req.headers['x-request-id'];
      const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
      (req as IncomingMessage & { id?: string }).id = id;
      return id;
    },
  };
  const adapter = new FastifyAdapter(options as ConstructorParameters<typeof FastifyAdapter>[0]);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, overrides), adapter, {
    bufferLogs: true,
    // Body parsing is Fastify's own, set up below.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  bound.responder = app.get(ErrorResponder);
  app.enableShutdownHooks();

  const fastify = app.getHttpAdapter().getInstance();
  const server = app.getHttpServer();
  server.maxConnections = edge.maxConnections;
  // One more than allowed, so the onRequest check below sees that there were too many.
  server.maxHeadersCount = MAX_HEADER_COUNT + 1;
  // Every route's methods by path, for 405 with Allow (see GlobalExceptionFilter); before any route exists.
  const routes = new RouteIndex();
  attachRouteIndex(fastify, routes);
  fastify.addHook('onRoute', (route) => routes.add(route.method, route.url));
  // First of every request: its language, its id, security headers (@fastify/helmet's, computed
  // once: see securityHeaders), and the URL and header limits. A callback hook: no promise per request.
  const security = await securityHeaders();
  fastify.addHook('onRequest', (request, reply, done) => {
    request.lang = resolveLanguage(request.headers['accept-language'], config.i18n.defaultLanguage);
    void reply.headers(security).header('x-request-id', request.id);
    if (request.url.length > MAX_URL_LENGTH) return done(new AppException('URI_TOO_LONG'));
    if (request.raw.rawHeaders.length > MAX_HEADER_COUNT * 2) return done(new AppException('HEADERS_TOO_LARGE'));
    done();
  });
  // CORS answers preflights before anything can ask for a token; none at all without origins.
  if (edge.corsOrigins.length) await app.register(fastifyCors, corsOptions(edge.corsOrigins));
  // The API speaks JSON only: other bodies get 415 instead of reaching validation as a string.
  fastify.removeContentTypeParser(['text/plain']);
  // Clients often send start/stop as JSON with no body at all: that is an empty object, not bad JSON.
  // Everything else goes through Fastify's own parser (prototype-poisoning protection included).
  const parseJson = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (typeof body === 'string' && body.trim() === '') return done(null, {});
    return parseJson(request, body as string, (error, value) => {
      if (error) return done(explainJsonParseError(error, body as string), undefined);
      // Validation recurses: a body nested thousands of levels deep is refused here, walked iteratively.
      if (exceedsJsonDepth(value, edge.jsonMaxDepth)) return done(new AppException('JSON_TOO_DEEP', { max: edge.jsonMaxDepth }), undefined);
      return done(null, value);
    });
  });
  const metrics = app.get(MetricsService);
  fastify.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.observeRequest(request.method, route, reply.statusCode, reply.elapsedTime / 1000);
  });

  if (config.swagger.enabled) {
    SwaggerModule.setup('docs', app, () => buildOpenApiDocument(app), {
      jsonDocumentUrl: 'docs-json',
      // No badge from validator.swagger.io: the CSP allows no image from elsewhere.
      swaggerOptions: { persistAuthorization: true, validatorUrl: null },
    });
  }
  await app.init();
  return app;
}

export function configOf(app: NestFastifyApplication): AppConfig {
  return app.get<AppConfig>(APP_CONFIG);
}
