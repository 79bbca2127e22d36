import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig, Role } from '../../config/app-config';
import { AppException } from '../errors/app.exception';
import { ErrorCode } from '../errors/error-codes';
import { ACCEPTS_QUERY_TOKEN, queryToken } from './query-token';
import { IS_INTERNAL, IS_PUBLIC, MIN_ROLE, Principal, roleRank } from './roles';
import { AuthFailure, extractToken, safeEqual, TokenVerifier } from './token-verifier';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const AUTH_REALM = 'task-manager';

const FAILURE_CODES: Record<AuthFailure, ErrorCode> = {
  missing: 'TOKEN_MISSING',
  invalid: 'TOKEN_INVALID',
  expired: 'TOKEN_EXPIRED',
};

/**
 * The challenge of a 401 (RFC 6750 §3): without a token only the scheme and realm (a request with
 * no credentials gets no error code); with a bad one `error="invalid_token"` and why, so a client
 * knows whether refreshing the token can help.
 */
export function wwwAuthenticate(reason: AuthFailure, detail: string): string {
  if (reason === 'missing') return `Bearer realm="${AUTH_REALM}"`;
  const description = detail.replace(/[^\x20-\x7e]|["\\]/g, '');
  return `Bearer realm="${AUTH_REALM}", error="invalid_token", error_description="${description}"`;
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly verifier: TokenVerifier,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(IS_PUBLIC, targets)) return true;
    const request = context.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>();

    if (this.reflector.getAllAndOverride<boolean>(IS_INTERNAL, targets)) {
      const token = extractToken(request.headers.authorization);
      const expected = this.config.internal.token;
      if (!token) throw this.refuse(context, 'missing', 'No token was sent');
      if (!expected || !safeEqual(token, expected)) throw this.refuse(context, 'invalid', 'The token is not the internal token');
      request.principal = { subject: 'internal', role: 'operator' };
      return true;
    }

    // Only routes marked for browsers' EventSource take the token from the query too.
    const sent =
      request.headers.authorization ?? (this.reflector.getAllAndOverride<boolean>(ACCEPTS_QUERY_TOKEN, targets) ? queryToken(request.query) : undefined);
    const result = await this.verifier.verify(sent);
    if (!result.ok) throw this.refuse(context, result.reason, result.detail);
    const needed: Role = this.reflector.getAllAndOverride<Role>(MIN_ROLE, targets) ?? (READ_METHODS.has(request.method) ? 'viewer' : 'operator');
    if (roleRank(result.principal.role) < roleRank(needed)) throw new AppException('FORBIDDEN', { role: needed });
    request.principal = result.principal;
    return true;
  }

  /** The 401 for `reason`, its challenge header already on the reply the error is sent with. */
  private refuse(context: ExecutionContext, reason: AuthFailure, detail: string): AppException {
    void context.switchToHttp().getResponse<FastifyReply>().header('www-authenticate', wwwAuthenticate(reason, detail));
    return new AppException(FAILURE_CODES[reason]);
  }
}
