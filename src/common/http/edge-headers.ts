import type { FastifyCorsOptions } from '@fastify/cors';
import fastifyHelmet, { FastifyHelmetOptions } from '@fastify/helmet';
import { FastifyAdapter } from '@nestjs/platform-fastify';

/** Request headers the admin SPA may send cross-origin. */
export const CORS_ALLOWED_HEADERS = [
  'Authorization',
  'Content-Type',
  'Accept-Language',
  'If-Match',
  'If-None-Match',
  'Idempotency-Key',
  'Last-Event-ID',
  'X-Request-Id',
];

/** Response headers the SPA's scripts may read. */
export const CORS_EXPOSED_HEADERS = ['ETag', 'X-Request-Id', 'Retry-After', 'Idempotent-Replayed'];

export function corsOptions(origins: string[]): FastifyCorsOptions {
  return {
    // Exact strings only: @fastify/cors compares them with ===, and answers a preflight from any
    // other origin without Access-Control-Allow-Origin, which the browser treats as a refusal.
    origin: origins,
    credentials: false,
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'DELETE'],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    // Browsers cache a preflight this long (Chrome caps it at 2 hours).
    maxAge: 600,
    // An OPTIONS without Origin/Access-Control-Request-Method is answered like a preflight (204),
    // not with the plugin's plain-text 400.
    strictPreflight: false,
  };
}

/**
 * Security headers on every answer. The CSP is what Swagger UI at /docs needs and no more:
 * its scripts and stylesheet come from /docs itself, its page has an inline <style> and React
 * sets inline styles, and its stylesheet's icons are data: URIs. No upgrade-insecure-requests:
 * the service is usually reached over plain HTTP inside the network, where that directive would
 * send the browser to https:// for Swagger UI's files and break it.
 */
export const helmetOptions: FastifyHelmetOptions = {
  global: true,
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      baseUri: ["'self'"],
      connectSrc: ["'self'"],
      fontSrc: ["'self'", 'data:'],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      imgSrc: ["'self'", 'data:'],
      objectSrc: ["'none'"],
      scriptSrc: ["'self'"],
      scriptSrcAttr: ["'none'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
    },
  },
  frameguard: { action: 'deny' },
};

/**
 * The headers written on answers that never reach Fastify's hooks (a request the HTTP parser
 * refused, a URL the router could not decode): JSON only, nothing may run or frame it.
 */
export const RAW_SECURITY_HEADERS: Record<string, string> = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

/** What the hooks of @fastify/helmet write, minus what every response has anyway. */
const NOT_SECURITY = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive']);

/**
 * The headers @fastify/helmet writes with `helmetOptions`, computed once. The plugin itself runs two
 * hooks per request and rebuilds its middleware (and the CSP string) on each; the headers never
 * change, so the service sets these from its own onRequest hook instead, as one object.
 */
export async function securityHeaders(): Promise<Record<string, string>> {
  const probe = new FastifyAdapter().getInstance();
  await probe.register(fastifyHelmet, helmetOptions);
  probe.get('/', (_request, reply) => reply.send(''));
  const res = await probe.inject({ method: 'GET', url: '/' });
  await probe.close();
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(res.headers)) if (!NOT_SECURITY.has(name) && typeof value === 'string') headers[name] = value;
  return headers;
}
