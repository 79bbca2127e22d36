import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../common/auth/roles';
import type { Actor } from './event';

/** Who is asking, for the journal: the token's subject and role (the audit log's "who"). */
export const RequestActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const principal = ctx.switchToHttp().getRequest<FastifyRequest & { principal?: Principal }>().principal;
  return principal ? { type: 'user', subject: principal.subject, role: principal.role } : { type: 'system' };
});
