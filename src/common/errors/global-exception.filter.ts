import { ArgumentsHost, Catch, ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ErrorResponder } from './error-response';

/** Every error of every route, including the framework's (404, bad JSON, 413), leaves through here. */
@Catch()
export class GlobalExceptionFilter implements ExceptionFilter {
  constructor(private readonly responder: ErrorResponder) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    this.responder.send(http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), exception);
  }
}
