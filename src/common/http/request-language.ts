import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Language } from '../../config/app-config';

declare module 'fastify' {
  interface FastifyRequest {
    /** Resolved once per request from Accept-Language (see bootstrap). */
    lang: Language;
  }
}

/** The language of the request, resolved from Accept-Language with the configured default. */
export const RequestLanguage = createParamDecorator((_: unknown, ctx: ExecutionContext): Language => {
  return ctx.switchToHttp().getRequest<FastifyRequest>().lang;
});
