import { Inject, Injectable } from '@nestjs/common';
import { errors as joseErrors, jwtVerify } from 'jose';
import { timingSafeEqual } from 'node:crypto';
import { APP_CONFIG, AppConfig, Role, ROLES } from '../../config/app-config';
import { Principal } from './roles';

export type VerifyResult = { ok: true; principal: Principal } | { ok: false; reason: 'missing' | 'malformed' | 'expired' | 'unknown' };

/** `Authorization: {atoken}` or `Bearer {atoken}`. */
export function extractToken(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const trimmed = value.trim();
  const token = /^bearer\s+/i.test(trimmed) ? trimmed.replace(/^bearer\s+/i, '') : trimmed;
  return token || null;
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Accepts the static tokens of AUTH_TOKENS and HS256 JWTs signed with AUTH_JWT_SECRET carrying a `role`. */
@Injectable()
export class TokenVerifier {
  private readonly secret: Uint8Array | null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.secret = config.auth.jwtSecret ? new TextEncoder().encode(config.auth.jwtSecret) : null;
  }

  async verify(header: string | string[] | undefined): Promise<VerifyResult> {
    const token = extractToken(header);
    if (!token) return { ok: false, reason: 'missing' };
    for (const [known, role] of this.config.auth.tokens) {
      if (safeEqual(token, known)) return { ok: true, principal: { subject: `token:${known.slice(0, 4)}…`, role } };
    }
    if (token.split('.').length !== 3 || !this.secret) return { ok: false, reason: 'unknown' };
    try {
      const { payload } = await jwtVerify(token, this.secret, { algorithms: ['HS256'] });
      const role = payload.role;
      if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) return { ok: false, reason: 'malformed' };
      return { ok: true, principal: { subject: String(payload.sub ?? 'jwt'), role: role as Role } };
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) return { ok: false, reason: 'expired' };
      return { ok: false, reason: error instanceof joseErrors.JOSEError ? 'malformed' : 'unknown' };
    }
  }
}
