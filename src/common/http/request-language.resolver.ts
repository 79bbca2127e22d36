import { ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { I18nResolver } from 'nestjs-i18n';

/** Hands nestjs-i18n the language bootstrap already resolved, so both agree on one rule. */
@Injectable()
export class RequestLanguageResolver implements I18nResolver {
  resolve(context: ExecutionContext): string | undefined {
    if (context.getType() !== 'http') return undefined;
    return context.switchToHttp().getRequest<FastifyRequest>().lang;
  }
}
