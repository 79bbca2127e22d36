import { CallHandler, ExecutionContext, Injectable, NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { map, Observable } from 'rxjs';

const SKIP_ENVELOPE = 'http:skipEnvelope';
/** For the few routes that answer something other than JSON (Prometheus text). */
export const SkipEnvelope = () => SetMetadata(SKIP_ENVELOPE, true);

/** Every successful JSON answer is `{ecode: 200, enote: "OK", ...payload}`; controllers return the payload only. */
@Injectable()
export class EnvelopeInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (this.reflector.get<boolean>(SKIP_ENVELOPE, context.getHandler())) return next.handle();
    return next.handle().pipe(map((payload: object | undefined) => ({ ecode: 200, enote: 'OK', ...(payload ?? {}) })));
  }
}

/** The payload a controller returns for a response DTO: everything but the envelope. */
export type Payload<T> = Omit<T, 'ecode' | 'enote'>;
