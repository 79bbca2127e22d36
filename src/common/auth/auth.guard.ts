import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig, Role } from '../../config/app-config';
import { AppException } from '../errors/app.exception';
import { IS_INTERNAL, IS_PUBLIC, MIN_ROLE, Principal, roleRank } from './roles';
import { extractToken, safeEqual, TokenVerifier } from './token-verifier';

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

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
      if (!token || !expected || !safeEqual(token, expected)) throw new AppException('UNAUTHORIZED', { reason: 'internal' });
      request.principal = { subject: 'internal', role: 'operator' };
      return true;
    }

    const result = await this.verifier.verify(request.headers.authorization);
    if (!result.ok) throw new AppException('UNAUTHORIZED', { reason: result.reason });
    const needed: Role =
      this.reflector.getAllAndOverride<Role>(MIN_ROLE, targets) ?? (READ_METHODS.has(request.method) ? 'viewer' : 'operator');
    if (roleRank(result.principal.role) < roleRank(needed)) throw new AppException('FORBIDDEN', { role: needed });
    request.principal = result.principal;
    return true;
  }
}
