import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';

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
    .build();
  return SwaggerModule.createDocument(app, config);
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
