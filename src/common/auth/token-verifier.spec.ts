import { SignJWT } from 'jose';
import type { AppConfig, Role } from '../../config/app-config';
import { ManualClock } from '../time/clock';
import { wwwAuthenticate } from './auth.guard';
import { safeEqual, TokenVerifier, tokenSubject } from './token-verifier';

const SECRET = 'a-test-secret-that-is-long-enough-for-hs256';
const NOW = Date.parse('2026-06-01T08:00:00Z');
const sec = (ms: number) => Math.floor(ms / 1000);

function verifier(auth: Partial<AppConfig['auth']> = {}, clock = new ManualClock(NOW)): TokenVerifier {
  const config = {
    auth: {
      tokens: new Map<string, Role>([['static-operator-token', 'operator']]),
      jwtSecret: SECRET,
      jwtMaxTtlSeconds: 86400,
      jwtIssuer: null,
      jwtAudience: null,
      ...auth,
    },
  } as unknown as AppConfig;
  return new TokenVerifier(config, clock);
}

interface Claims {
  role?: unknown;
  iat?: number;
  exp?: number;
  iss?: string;
  aud?: string;
  nbf?: number;
}

/** A JWT with exactly these claims (no defaults), signed with `secret`. */
const jwt = (claims: Claims, secret = SECRET) =>
  new SignJWT({ ...claims }).setProtectedHeader({ alg: 'HS256' }).setSubject('someone').sign(new TextEncoder().encode(secret));

const fresh = (extra: Claims = {}): Claims => ({ role: 'viewer', iat: sec(NOW), exp: sec(NOW) + 300, ...extra });

describe('safeEqual', () => {
  it('compares whole strings of any length', () => {
    expect(safeEqual('abc', 'abc')).toBe(true);
    expect(safeEqual('abc', 'abd')).toBe(false);
    expect(safeEqual('abc', 'abcd')).toBe(false);
    expect(safeEqual('', 'x'.repeat(1000))).toBe(false);
    expect(safeEqual('令牌', '令牌')).toBe(true);
  });
});

describe('TokenVerifier', () => {
  it('accepts a static token, bare or as Bearer, under a subject that does not show it', async () => {
    for (const header of ['static-operator-token', 'Bearer static-operator-token', '  bearer   static-operator-token ']) {
      const result = await verifier().verify(header);
      expect(result).toEqual({ ok: true, principal: { subject: tokenSubject('static-operator-token'), role: 'operator' } });
    }
    expect(tokenSubject('static-operator-token')).not.toContain('stat');
  });

  it.each<[string, string | undefined]>([
    ['no header', undefined],
    ['an empty header', ''],
    ['a bare "Bearer"', 'Bearer '],
  ])('answers missing for %s', async (_name, header) => {
    expect(await verifier().verify(header)).toMatchObject({ ok: false, reason: 'missing' });
  });

  it('answers invalid for an unknown static token and for a JWT when no secret is set', async () => {
    expect(await verifier().verify('static-operator-tokeX')).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await verifier({ jwtSecret: null }).verify(await jwt(fresh()))).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('accepts a JWT with a role, an exp and a lifetime within the limit', async () => {
    expect(await verifier().verify(await jwt(fresh({ role: 'admin' })))).toEqual({ ok: true, principal: { subject: 'someone', role: 'admin' } });
    // Exactly the limit.
    expect((await verifier().verify(await jwt(fresh({ exp: sec(NOW) + 86400 })))).ok).toBe(true);
  });

  it.each<[string, Claims, string]>([
    ['without exp', { role: 'viewer', iat: sec(NOW) }, 'exp'],
    ['expiring in 2286', { role: 'viewer', iat: sec(NOW), exp: 9_999_999_999 }, 'longer than 86400 seconds'],
    ['living one second longer than the limit', fresh({ exp: sec(NOW) + 86401 }), 'longer than 86400 seconds'],
    ['without iat, expiring beyond the limit from now', { role: 'viewer', exp: sec(NOW) + 86401 }, 'longer than 86400 seconds'],
    ['without a role', fresh({ role: undefined }), 'role'],
    ['with an unknown role', fresh({ role: 'root' }), 'role'],
    ['not valid yet', fresh({ nbf: sec(NOW) + 60 }), 'nbf'],
  ])('refuses a JWT %s as invalid', async (_name, claims, detail) => {
    const result = await verifier().verify(await jwt(claims));
    expect(result).toMatchObject({ ok: false, reason: 'invalid' });
    expect(result.ok === false && result.detail).toContain(detail);
  });

  it('refuses a JWT signed with another secret, and garbage with three dots, as invalid', async () => {
    expect(await verifier().verify(await jwt(fresh(), 'x'.repeat(40)))).toMatchObject({
      ok: false,
      reason: 'invalid',
      detail: 'The token signature is invalid',
    });
    expect(await verifier().verify('a.b.c')).toMatchObject({ ok: false, reason: 'invalid', detail: 'The token is malformed' });
  });

  it('answers expired by the injected clock', async () => {
    const clock = new ManualClock(NOW);
    const token = await jwt(fresh({ exp: sec(NOW) + 60 }));
    expect((await verifier({}, clock).verify(token)).ok).toBe(true);
    clock.advance(61_000);
    expect(await verifier({}, clock).verify(token)).toMatchObject({ ok: false, reason: 'expired' });
  });

  it('honours AUTH_JWT_MAX_TTL_S', async () => {
    const token = await jwt(fresh({ exp: sec(NOW) + 3600 }));
    expect((await verifier({ jwtMaxTtlSeconds: 3600 }).verify(token)).ok).toBe(true);
    expect(await verifier({ jwtMaxTtlSeconds: 3599 }).verify(token)).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('checks issuer and audience only when they are configured', async () => {
    const strict = verifier({ jwtIssuer: 'https://sso.example.test', jwtAudience: 'task-manager' });
    expect((await strict.verify(await jwt(fresh({ iss: 'https://sso.example.test', aud: 'task-manager' })))).ok).toBe(true);
    expect(await strict.verify(await jwt(fresh({ iss: 'https://other.example.test', aud: 'task-manager' })))).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await strict.verify(await jwt(fresh({ iss: 'https://sso.example.test', aud: 'other' })))).toMatchObject({ ok: false, reason: 'invalid' });
    expect(await strict.verify(await jwt(fresh()))).toMatchObject({ ok: false, reason: 'invalid' });
    expect((await verifier().verify(await jwt(fresh({ iss: 'anyone', aud: 'anything' })))).ok).toBe(true);
  });
});

describe('wwwAuthenticate', () => {
  it('has no error code without a token and invalid_token with a description otherwise (RFC 6750)', () => {
    expect(wwwAuthenticate('missing', 'No token was sent')).toBe('Bearer realm="task-manager"');
    expect(wwwAuthenticate('expired', 'The token expired')).toBe('Bearer realm="task-manager", error="invalid_token", error_description="The token expired"');
    expect(wwwAuthenticate('invalid', 'bad "quoted" \\ 令牌')).toBe('Bearer realm="task-manager", error="invalid_token", error_description="bad quoted  "');
  });
});
