import { ArgumentsHost, Catch, ExceptionFilter, Inject, NotFoundException, Optional } from '@nestjs/common';
import { getStorageToken } from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { keepReadingAfterEarlyAnswer } from '../http/edge-errors';
import { chargeUnauthenticated, FixedWindowStorage } from '../http/rate-limit';
import { routeIndexOf } from '../http/route-index';
import { AppException } from './app.exception';
import { ErrorResponder } from './error-response';

/** Every error of every route, including the framework's (404, 405, bad JSON, 413), leaves through here. */
@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly responder: ErrorResponder,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(getStorageToken()) private readonly rateLimits?: FixedWindowStorage,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    let error = this.responder.toAppException(exception);

    if (exception instanceof NotFoundException && request.is404) {
      // No route matched: a path that exists under other methods is 405 with what it allows.
      const allowed = routeIndexOf(request.server)?.allowedMethods(request.url) ?? [];
      if (allowed.length) {
        void reply.header('allow', allowed.join(', '));
        if (request.method === 'OPTIONS') {
          void reply.status(204).send();
          return;
        }
        error = new AppException('METHOD_NOT_ALLOWED', { method: request.method });
      }
    }
    // A refused credential counts against the client address, so guessing tokens is limited too.
    if (error.status === 401 && this.rateLimits instanceof FixedWindowStorage) {
      const hit = chargeUnauthenticated(this.rateLimits, request, this.config);
      if (hit?.blocked) {
        void reply.header('retry-after', String(hit.retryAfterSeconds));
        error = new AppException('RATE_LIMITED', { seconds: hit.retryAfterSeconds });
      }
    }
    keepReadingAfterEarlyAnswer(request, reply);
    this.responder.send(request, reply, error);
  }
}
