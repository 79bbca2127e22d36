import { DynamicModule, Module, Provider, RequestMethod } from '@nestjs/common';
import { APP_FILTER, APP_GUARD, APP_INTERCEPTOR, APP_PIPE } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { I18nModule } from 'nestjs-i18n';
import { LoggerModule } from 'nestjs-pino';
import { join } from 'node:path';
import { AuthGuard } from './common/auth/auth.guard';
import { TokenVerifier } from './common/auth/token-verifier';
import { ErrorResponder } from './common/errors/error-response';
import { GlobalExceptionFilter } from './common/errors/global-exception.filter';
import { rateLimitProviders } from './common/http/rate-limit';
import { RequestLanguageResolver } from './common/http/request-language.resolver';
import { redactRequest } from './common/http/redact-url';
import { MetricsController } from './common/observability/metrics.controller';
import { MetricsService } from './common/observability/metrics.service';
import { CLOCK, Clock, systemClock } from './common/time/clock';
import { AppValidationPipe } from './common/validation/app-validation.pipe';
import { APP_CONFIG, AppConfig } from './config/app-config';
import { buildDataSourceOptions } from './database/data-source-options';
import { createAppDataSource, DatabaseModule } from './database/database.module';
import { TypeOrmLogger } from './database/typeorm-logger';
import { DictionaryModule } from './dictionary/dictionary.module';
import { DispatchModule } from './dispatch/dispatch.module';
import { EventsModule } from './events/events.module';
import { HealthModule } from './health/health.module';
import { SceneModule } from './scene/scene.module';
import { StatusModule } from './status/status.module';
import { SubtaskModule } from './subtask/subtask.module';
import { TaskModule } from './task/task.module';

/**
 * nestjs-i18n registers a global interceptor that resolves each request's language into an async
 * context. The language is resolved in bootstrap's onRequest hook and errors are translated with it
 * explicitly, so the interceptor would only add work to every request: any global interceptor
 * makes Nest wrap each handler in rxjs and AsyncResource.bind, whose wrappers (Node 20) are
 * allocated straight into the old generation and end in major GC pauses under load.
 */
function withoutGlobalInterceptors(module: DynamicModule): DynamicModule {
  const isInterceptor = (p: Provider) => typeof p === 'object' && 'provide' in p && p.provide === APP_INTERCEPTOR;
  return { ...module, providers: module.providers?.filter((p) => !isInterceptor(p)) };
}

/** What tests may replace in the app they boot (the service's notion of "now"). */
export interface AppOverrides {
  clock?: Clock;
}

@Module({})
export class AppModule {
  /** The validated config is passed in, so tests boot several apps with different settings in one process. */
  static forRoot(config: AppConfig, overrides: AppOverrides = {}): DynamicModule {
    return {
      module: AppModule,
      global: true,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: config.log.level,
            redact: ['req.headers.authorization'],
            // The event stream's access_token (for EventSource) never reaches a log line.
            serializers: { req: redactRequest },
            customProps: () => ({ service: 'task-manager' }),
            quietReqLogger: true,
          },
          // With logging off, no per-request child logger or async context: nothing would read them.
          forRoutes: config.log.level === 'silent' ? [] : [{ path: '{*splat}', method: RequestMethod.ALL }],
        }),
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ ...buildDataSourceOptions(config.db), logger: new TypeOrmLogger(config.db.logging) }),
          // Migrated under a lock before anything can query (see createAppDataSource).
          dataSourceFactory: createAppDataSource(config.db),
        }),
        withoutGlobalInterceptors(
          I18nModule.forRoot({
            fallbackLanguage: config.i18n.defaultLanguage,
            loaderOptions: { path: join(__dirname, 'i18n'), watch: false },
            // nestjs-i18n logs an error at start without a resolver; this one only hands over the
            // language bootstrap's onRequest hook resolved, which errors are translated with.
            resolvers: [RequestLanguageResolver],
            logging: false,
            // No per-request middleware and async-context store: nothing reads I18nContext.
            disableMiddleware: true,
          }),
        ),
        DatabaseModule,
        HealthModule,
        DictionaryModule,
        SceneModule,
        SubtaskModule,
        StatusModule,
        TaskModule,
        DispatchModule,
        EventsModule,
      ],
      controllers: [MetricsController],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: CLOCK, useValue: overrides.clock ?? systemClock },
        TokenVerifier,
        MetricsService,
        ErrorResponder,
        { provide: APP_GUARD, useClass: AuthGuard },
        // After the auth guard, so limits count per token subject (see rate-limit.ts).
        ...rateLimitProviders(config),
        { provide: APP_FILTER, useClass: GlobalExceptionFilter },
        { provide: APP_PIPE, useClass: AppValidationPipe },
      ],
      exports: [APP_CONFIG, CLOCK, MetricsService, ErrorResponder],
    };
  }
}
