import '../http/request-language';
import { HttpException, Inject, Injectable, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { I18nService } from 'nestjs-i18n';
import { APP_CONFIG, AppConfig, Language } from '../../config/app-config';
import { isDatabaseUnavailable } from '../../database/driver-errors';
import { resolveLanguage } from '../http/language';
import { AppException } from './app.exception';
import { ErrorCode } from './error-codes';

export interface ErrorBody {
  ecode: number;
  enote: string;
  error: ErrorCode;
  request_id: string;
  errors?: { field: string; message: string }[];
  [detail: string]: unknown;
}

const STATUS_CODES: Record<number, ErrorCode> = {
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'ROUTE_NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  408: 'REQUEST_TIMEOUT',
  413: 'PAYLOAD_TOO_LARGE',
  414: 'URI_TOO_LONG',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  431: 'HEADERS_TOO_LARGE',
  503: 'SERVICE_UNAVAILABLE',
};

/** Turns any thrown value into the standard `{ecode, enote, error, request_id}` body, localized. */
@Injectable()
export class ErrorResponder {
  private readonly logger = new Logger('Errors');

  constructor(
    private readonly i18n: I18nService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  toAppException(exception: unknown): AppException {
    if (exception instanceof AppException) return exception;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      if (status === 400) {
        return new AppException(/json/i.test(exception.message) ? 'MALFORMED_JSON' : 'BAD_REQUEST');
      }
      const code = STATUS_CODES[status];
      if (code) return new AppException(code);
      if (status < 500) return new AppException('BAD_REQUEST');
    }
    // The database is unreachable, timed out or overloaded: by code, TypeORM's driverError, errno or message.
    if (isDatabaseUnavailable(exception)) {
      this.logger.warn({ err: exception }, 'database unavailable');
      return new AppException('SERVICE_UNAVAILABLE');
    }
    this.logger.error({ err: exception }, 'unhandled error');
    return new AppException('INTERNAL_ERROR');
  }

  build(exception: AppException, lang: Language, requestId: string): ErrorBody {
    const body: ErrorBody = {
      ecode: exception.status,
      enote: this.translate(`errors.${exception.code}`, lang, exception.args, exception.code),
      error: exception.code,
      request_id: requestId,
    };
    // Details follow the standard fields and can never replace them.
    for (const [key, value] of Object.entries(exception.details)) if (!(key in body)) body[key] = value;
    if (exception.fieldErrors.length) {
      body.errors = exception.fieldErrors.map((e) => ({
        field: e.field,
        message: this.translate(`validation.${e.rule}`, lang, { field: e.field, ...e.args }, e.fallback ?? e.rule),
      }));
    }
    return body;
  }

  send(request: FastifyRequest, reply: FastifyReply, exception: unknown): void {
    const appException = this.toAppException(exception);
    const lang = request.lang ?? resolveLanguage(request.headers['accept-language'], this.config.i18n.defaultLanguage);
    const body = this.build(appException, lang, String(request.id));
    void reply.status(appException.status).header('content-type', 'application/json; charset=utf-8').send(body);
  }

  translate(key: string, lang: Language, args: Record<string, unknown>, fallback: string): string {
    const text = this.i18n.translate(key, { lang, args, defaultValue: fallback });
    return typeof text === 'string' ? text : fallback;
  }
}
