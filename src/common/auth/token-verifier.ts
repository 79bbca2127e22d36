import { Inject, Injectable, Optional } from '@nestjs/common';
import { errors as joseErrors, jwtVerify, JWTVerifyOptions } from 'jose';
import { createHash, timingSafeEqual } from 'node:crypto';
import { APP_CONFIG, AppConfig, Role, ROLES } from '../../config/app-config';
import { CLOCK, Clock, systemClock } from '../time/clock';
import { Principal } from './roles';

/** Why a request is not authenticated; each is an error code of its own (TOKEN_MISSING, …). */
export type AuthFailure = 'missing' | 'invalid' | 'expired';

export type VerifyResult =
  | { ok: true; principal: Principal }
  /** `detail`: a short English reason for the WWW-Authenticate header's error_description (ASCII, no quotes). */
  | { ok: false; reason: AuthFailure; detail: string };

/** `Authorization: {atoken}` or `Bearer {atoken}`. */
export function extractToken(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return null;
  const trimmed = value.trim();
  // The scheme with nothing after it sends no token.
  if (/^bearer$/i.test(trimmed)) return null;
  const token = /^bearer\s+/i.test(trimmed) ? trimmed.replace(/^bearer\s+/i, '') : trimmed;
  return token || null;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Constant-time string comparison: both sides are hashed to 32 bytes first, so neither the
 * content nor the length of the expected value shows in the time taken.
 */
export function safeEqual(a: string, b: string): boolean {
  return timingSafeEqual(digest(a), digest(b));
}

/** A stable, non-reversible name for a static token in logs and rate-limit keys. */
export const tokenSubject = (token: string): string => `token:${digest(token).toString('hex').slice(0, 12)}`;

/**
 * Accepts the static tokens of AUTH_TOKENS and HS256 JWTs signed with AUTH_JWT_SECRET carrying a
 * `role`. A JWT must carry `exp`, must not live longer than AUTH_JWT_MAX_TTL_S (`exp - iat`, or
 * `exp - now` without `iat`), and must name AUTH_JWT_ISSUER / AUTH_JWT_AUDIENCE when those are set.
 */
interface StaticToken {
  digest: Buffer;
  role: Role;
  subject: string;
}

@Injectable()
export class TokenVerifier {
  private readonly secret: Uint8Array | null;
  private readonly tokens: StaticToken[];

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(CLOCK) private readonly clock: Clock = systemClock,
  ) {
    this.secret = config.auth.jwtSecret ? new TextEncoder().encode(config.auth.jwtSecret) : null;
    this.tokens = [...config.auth.tokens].map(([token, role]) => ({ digest: digest(token), role, subject: tokenSubject(token) }));
  }

  async verify(header: string | string[] | undefined): Promise<VerifyResult> {
    const token = extractToken(header);
    if (!token) return { ok: false, reason: 'missing', detail: 'No token was sent' };
    const given = digest(token);
    // Every static token is compared, so the time taken does not tell which one (if any) matched.
    let match: StaticToken | undefined;
    for (const known of this.tokens) if (timingSafeEqual(given, known.digest) && !match) match = known;
    if (match) return { ok: true, principal: { subject: match.subject, role: match.role } };
    if (token.split('.').length !== 3 || !this.secret) return { ok: false, reason: 'invalid', detail: 'The token is not known' };
    return this.verifyJwt(token, this.secret);
  }

  private async verifyJwt(token: string, secret: Uint8Array): Promise<VerifyResult> {
    const { jwtIssuer, jwtAudience, jwtMaxTtlSeconds } = this.config.auth;
    const now = this.clock.now();
    const options: JWTVerifyOptions = { algorithms: ['HS256'], requiredClaims: ['exp'], currentDate: now };
    if (jwtIssuer) options.issuer = jwtIssuer;
    if (jwtAudience) options.audience = jwtAudience;
    try {
      const { payload } = await jwtVerify(token, secret, options);
      const issuedAt = typeof payload.iat === 'number' ? payload.iat : Math.floor(now.getTime() / 1000);
      if ((payload.exp as number) - issuedAt > jwtMaxTtlSeconds) {
        return { ok: false, reason: 'invalid', detail: `The token lives longer than ${jwtMaxTtlSeconds} seconds` };
      }
      const role = payload.role;
      if (typeof role !== 'string' || !(ROLES as readonly string[]).includes(role)) {
        return { ok: false, reason: 'invalid', detail: 'The token has no known role' };
      }
      return { ok: true, principal: { subject: String(payload.sub ?? 'jwt'), role: role as Role } };
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) return { ok: false, reason: 'expired', detail: 'The token expired' };
      if (error instanceof joseErrors.JWTClaimValidationFailed) {
        return { ok: false, reason: 'invalid', detail: `The token's ${error.claim} claim is missing or not accepted` };
      }
      if (error instanceof joseErrors.JWSSignatureVerificationFailed) return { ok: false, reason: 'invalid', detail: 'The token signature is invalid' };
      return { ok: false, reason: 'invalid', detail: 'The token is malformed' };
    }
  }
}
