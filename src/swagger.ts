import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { AUTH_ERRORS, codesByStatus, errorResponseObject, SERVER_ERRORS } from './common/http/api-errors';
import type { ErrorCode } from './common/errors/error-codes';

export const AUTH_SCHEME = 'atoken';

/** The OpenAPI document of the running app; also written to openapi.json by `npm run openapi:sync`. */
export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('Video analytics task management')
    .setDescription(
      'Big tasks, their subtasks (one per camera stream or worker node), their configuration, dispatch to the ' +
        'analysis servers and the status derived from what the subtasks report. Every answer carries ' +
        '`{ecode, enote}`; errors are localized by `Accept-Language` (zh-CN, en).',
    )
    .setVersion('1.0')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'Authorization', description: 'The atoken (a static token or a JWT)' }, AUTH_SCHEME)
    .addSecurityRequirements(AUTH_SCHEME)
    // Relative to where the document is served, so Swagger UI calls the service it came from.
    .addServer('/', 'This service')
    .build();
  config.info.license = { name: 'Proprietary' };
  return withCommonErrors(SwaggerModule.createDocument(app, config));
}

const METHODS = ['get', 'put', 'post', 'delete', 'patch'] as const;

/**
 * Adds to every operation the errors it can meet whatever it does: 401/429 when it needs a token,
 * 403 when it writes (a viewer's token), 500/503 everywhere. A route's own codes of the same
 * status (from `@ApiErrors`) are kept and these join them.
 */
export function withCommonErrors(document: OpenAPIObject): OpenAPIObject {
  for (const item of Object.values(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method];
      if (!operation) continue;
      const authenticated = !(Array.isArray(operation.security) && operation.security.length === 0);
      const codes: ErrorCode[] = [
        ...(authenticated ? AUTH_ERRORS : []),
        ...(authenticated && method !== 'get' ? (['FORBIDDEN'] as const) : []),
        ...SERVER_ERRORS,
      ];
      const responses = operation.responses as Record<
        string,
        { description?: string; content?: Record<string, { schema?: { allOf?: { properties?: { error?: { enum?: string[] } } }[] } }> }
      >;
      for (const [status, group] of codesByStatus(codes)) {
        const own = responses[String(status)]?.content?.['application/json']?.schema?.allOf?.[1]?.properties?.error?.enum as ErrorCode[] | undefined;
        responses[String(status)] = errorResponseObject(status, [...(own ?? []), ...group.filter((c) => !own?.includes(c))]) as never;
      }
      // Success first, then the errors in status order, so Swagger UI and readers see them sorted.
      operation.responses = Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b))) as never;
    }
  }
  return document;
}

/** The committed form of the document: stable key order as built, two-space indent, final newline. */
export function renderOpenApiDocument(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Settings that boot the app only to read its routes: nothing persisted, nothing logged, no dispatching. */
export const OPENAPI_BUILD_ENV: NodeJS.ProcessEnv = {
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  DB_TYPE: 'sqlite',
  DB_PATH: ':memory:',
  RECONCILER_ENABLED: 'false',
};
