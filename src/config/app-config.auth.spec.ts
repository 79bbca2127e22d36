import { ConfigError, loadConfig, MIN_TOKEN_LENGTH } from './app-config';

const PROD = { NODE_ENV: 'production', AUTH_TOKENS: 'production-admin-token:admin' };

function problemsOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('authentication settings', () => {
  it('refuses a short AUTH_JWT_SECRET without printing it', () => {
    const secret = 'short-but-secret-value';
    const problems = problemsOf({ AUTH_JWT_SECRET: secret });
    expect(problems).toEqual([`AUTH_JWT_SECRET=(hidden, ${secret.length} characters): AUTH_JWT_SECRET must be at least 32 characters`]);
    expect(problems.join('\n')).not.toContain('short');
  });

  it.each([
    ['an entry without a role', 'a-very-secret-token-value', 'AUTH_TOKENS entry 1: must be token:role with role one of viewer, operator, admin'],
    [
      'an unknown role',
      'ok-token-number-one-long:admin,a-very-secret-token-value:root',
      'AUTH_TOKENS entry 2: must be token:role with role one of viewer, operator, admin',
    ],
    ['a short token', 'short-secret:viewer', `AUTH_TOKENS entry 1 (viewer): the token must be at least ${MIN_TOKEN_LENGTH} characters`],
  ])('refuses %s in AUTH_TOKENS without printing the token', (_name, spec, problem) => {
    const problems = problemsOf({ AUTH_TOKENS: spec });
    expect(problems).toEqual([problem]);
    expect(problems.join('\n')).not.toMatch(/secret|very/);
  });

  it(`refuses an INTERNAL_TOKEN under ${MIN_TOKEN_LENGTH} characters without printing it`, () => {
    expect(problemsOf({ INTERNAL_TOKEN: 'tiny-secret' })).toEqual([`INTERNAL_TOKEN=(hidden, 11 characters): must be at least ${MIN_TOKEN_LENGTH} characters`]);
    expect(loadConfig({ INTERNAL_TOKEN: 'x'.repeat(MIN_TOKEN_LENGTH) }).internal.token).toBe('x'.repeat(MIN_TOKEN_LENGTH));
  });

  it('keeps the short built-in development tokens when no token is configured outside production', () => {
    expect([...loadConfig({ NODE_ENV: 'development' }).auth.tokens.keys()]).toEqual(['dev-admin', 'dev-operator', 'dev-viewer']);
    expect(loadConfig({ AUTH_JWT_SECRET: 'j'.repeat(32) }).auth.tokens.size).toBe(0);
    expect(problemsOf({ NODE_ENV: 'production' })).toEqual(['AUTH_TOKENS or AUTH_JWT_SECRET must be set in production']);
  });

  it('reads the JWT lifetime limit, issuer and audience', () => {
    expect(loadConfig({}).auth).toMatchObject({ jwtMaxTtlSeconds: 86400, jwtIssuer: null, jwtAudience: null });
    expect(loadConfig({ AUTH_JWT_MAX_TTL_S: '3600', AUTH_JWT_ISSUER: 'https://sso.example.test', AUTH_JWT_AUDIENCE: 'tasks' }).auth).toMatchObject({
      jwtMaxTtlSeconds: 3600,
      jwtIssuer: 'https://sso.example.test',
      jwtAudience: 'tasks',
    });
    expect(problemsOf({ AUTH_JWT_MAX_TTL_S: '0' })[0]).toMatch(/^AUTH_JWT_MAX_TTL_S="0": /);
  });
});

describe('SWAGGER_ENABLED', () => {
  it('defaults to off in production and on elsewhere', () => {
    expect(loadConfig(PROD).swagger.enabled).toBe(false);
    expect(loadConfig({ NODE_ENV: 'development' }).swagger.enabled).toBe(true);
    expect(loadConfig({ NODE_ENV: 'test' }).swagger.enabled).toBe(true);
    expect(loadConfig({ ...PROD, SWAGGER_ENABLED: '' }).swagger.enabled).toBe(false);
  });

  it('follows an explicit setting', () => {
    expect(loadConfig({ ...PROD, SWAGGER_ENABLED: 'true' }).swagger.enabled).toBe(true);
    expect(loadConfig({ NODE_ENV: 'development', SWAGGER_ENABLED: 'false' }).swagger.enabled).toBe(false);
    expect(problemsOf({ SWAGGER_ENABLED: 'maybe' })[0]).toMatch(/^SWAGGER_ENABLED="maybe": /);
  });
});
