import { plainToInstance, Transform } from 'class-transformer';
import { isIP } from 'node:net';
import { listenUrl } from '../common/http/public-url';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, ValidateIf, validateSync } from 'class-validator';

export const ROLES = ['viewer', 'operator', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const SUPPORTED_LANGUAGES = ['zh-CN', 'en'] as const;
export type Language = (typeof SUPPORTED_LANGUAGES)[number];

const toInt = ({ value }: { value: unknown }) => (typeof value === 'string' && value.trim() !== '' ? Number(value) : value);
const toBool = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const v = value.trim().toLowerCase();
  if (['true', '1', 'yes', 'on'].includes(v)) return true;
  if (['false', '0', 'no', 'off'].includes(v)) return false;
  return value;
};
/** As toBool, with an empty value read as unset. */
const toOptionalBool = ({ value }: { value: unknown }) => (typeof value === 'string' && value.trim() === '' ? undefined : toBool({ value }));

/** Every environment variable the service reads, with its default. `.env.example` mirrors this class. */
export class EnvironmentVariables {
  @IsIn(['development', 'production', 'test']) NODE_ENV = 'development';

  @Transform(toInt) @IsInt() @Min(0) @Max(65535) PORT = 3000;
  @IsString() HOST = '0.0.0.0';
  @Transform(toInt) @IsInt() @Min(1024) @Max(64 * 1024 * 1024) BODY_LIMIT_BYTES = 1024 * 1024;
  @Transform(toInt) @IsInt() @Min(64) @Max(65535) XML_MAX_BYTES = 32 * 1024;

  /** `mariadb` is MySQL's protocol and schema too; TypeORM only needs to know to read MariaDB's catalog right. */
  @IsIn(['sqlite', 'mysql', 'mariadb']) DB_TYPE: 'sqlite' | 'mysql' | 'mariadb' = 'sqlite';
  @IsString() DB_PATH = './data/tasks.sqlite';
  @IsString() DB_HOST = '127.0.0.1';
  @Transform(toInt) @IsInt() @Min(1) @Max(65535) DB_PORT = 3306;
  @IsString() DB_USER = 'root';
  @IsString() DB_PASSWORD = '';
  @Matches(/^[A-Za-z0-9_]{1,64}$/) DB_NAME = 'task_manager';
  @Transform(toInt) @IsInt() @Min(1) @Max(200) DB_POOL_SIZE = 10;
  @Transform(toBool) @IsBoolean() DB_MIGRATIONS_RUN = true;
  @Transform(toBool) @IsBoolean() DB_LOGGING = false;
  /** Longest a single SQL statement may take before its connection is destroyed and the request answers 503. */
  @Transform(toInt) @IsInt() @Min(100) @Max(600000) DB_QUERY_TIMEOUT_MS = 5000;
  /** Longest a request waits for a pooled connection (including opening one) before answering 503. */
  @Transform(toInt) @IsInt() @Min(100) @Max(600000) DB_ACQUIRE_TIMEOUT_MS = 5000;
  /** Longest a booting replica waits for another one's migrations to finish. */
  @Transform(toInt) @IsInt() @Min(1000) @Max(3600000) DB_MIGRATION_LOCK_TIMEOUT_MS = 120000;

  @IsIn(SUPPORTED_LANGUAGES) DEFAULT_LANGUAGE: Language = 'zh-CN';
  @IsString() TIME_ZONE = 'Asia/Shanghai';

  /**
   * `token:role,token:role`, each token at least MIN_TOKEN_LENGTH characters; empty outside
   * production falls back to the development tokens (DEV_TOKENS).
   */
  @IsString() AUTH_TOKENS = '';
  @IsOptional()
  @ValidateIf((_, v) => v !== '')
  @IsString()
  @Matches(/^.{32,}$/, {
    message: 'AUTH_JWT_SECRET must be at least 32 characters',
  })
  AUTH_JWT_SECRET = '';
  /** Longest lifetime of an accepted JWT, `exp - iat` (or `exp - now` without `iat`), in seconds. */
  @Transform(toInt) @IsInt() @Min(60) @Max(31_536_000) AUTH_JWT_MAX_TTL_S = 86400;
  /** When set, a JWT's `iss` must equal it. */
  @IsString() AUTH_JWT_ISSUER = '';
  /** When set, a JWT's `aud` must contain it. */
  @IsString() AUTH_JWT_AUDIENCE = '';

  /** The ops service that runs subtasks on analysis servers; empty disables dispatching. */
  @IsString() OPS_BASE_URL = '';
  /** How the ops service reaches this service (report_url is built from it); empty = http://HOST:PORT (0.0.0.0 → 127.0.0.1). */
  @IsString() PUBLIC_BASE_URL = '';
  /** What the ops service sends as Authorization on status reports; empty refuses every report. */
  @IsString() INTERNAL_TOKEN = '';
  @Transform(toInt) @IsInt() @Min(100) @Max(600000) OPS_TIMEOUT_MS = 5000;
  @Transform(toInt) @IsInt() @Min(1) @Max(600000) OPS_RETRY_BASE_MS = 500;
  @Transform(toInt) @IsInt() @Min(1) @Max(3600000) OPS_RETRY_MAX_MS = 30000;
  @Transform(toInt) @IsInt() @Min(1) @Max(256) DISPATCH_CONCURRENCY = 128;
  @Transform(toInt) @IsInt() @Min(1) @Max(10000) DISPATCH_BATCH_SIZE = 200;
  @Transform(toInt) @IsInt() @Min(1000) @Max(86400000) HEARTBEAT_TIMEOUT_MS = 60000;
  @Transform(toInt) @IsInt() @Min(10) @Max(3600000) RECONCILE_INTERVAL_MS = 1000;
  /** How long a claim on a subtask lasts without renewal; renewed every third of it while work is in flight. */
  @Transform(toInt) @IsInt() @Min(1000) @Max(3600000) LEASE_MS = 15000;
  /** How often every replica re-derives task statuses left marked (by a crash, or another replica). */
  @Transform(toInt) @IsInt() @Min(50) @Max(3600000) STATUS_SWEEP_INTERVAL_MS = 1000;
  @Transform(toBool) @IsBoolean() RECONCILER_ENABLED = true;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']) LOG_LEVEL = 'info';
  /** Swagger UI and the OpenAPI document; unset = off in production, on elsewhere. */
  @IsOptional() @Transform(toOptionalBool) @IsBoolean() SWAGGER_ENABLED: boolean | undefined = undefined;
  /** Old-generation growth allowed between full GCs, in % of the live heap; 0 leaves it to V8 (see heap-growth.ts). */
  @Transform(toInt) @IsInt() @Min(0) @Max(1000) GC_HEAP_GROWING_PERCENT = 100;

  // --- HTTP edge: CORS, proxies, parser limits, timeouts, rate limits ---
  /** Exact origins (`scheme://host[:port]`) the admin SPA is served from, comma-separated; empty = no cross-origin access. */
  @IsString() CORS_ORIGINS = '';
  /** Whose X-Forwarded-For to believe for the client address: `false`, `true`, a hop count, or proxy addresses/CIDRs. */
  @IsString() TRUST_PROXY = 'false';
  /** JSON bodies nested deeper than this (objects and arrays) are refused with 400 before validation. */
  @Transform(toInt) @IsInt() @Min(2) @Max(1000) JSON_MAX_DEPTH = 32;
  /** Longest a client may take to send the request line and headers. */
  @Transform(toInt) @IsInt() @Min(100) @Max(600000) HTTP_HEADERS_TIMEOUT_MS = 10000;
  /** Longest a client may take to send a whole request, body included. */
  @Transform(toInt) @IsInt() @Min(100) @Max(3600000) HTTP_REQUEST_TIMEOUT_MS = 30000;
  /** How long an idle keep-alive connection stays open; above the usual 60 s of load balancers, so they close first. */
  @Transform(toInt) @IsInt() @Min(1000) @Max(3600000) HTTP_KEEP_ALIVE_TIMEOUT_MS = 72000;
  /** Open connections per replica; more are dropped at once. */
  @Transform(toInt) @IsInt() @Min(1) @Max(1000000) HTTP_MAX_CONNECTIONS = 4096;
  /** Requests per minute per token subject (per client address without one); 0 = unlimited. */
  @Transform(toInt) @IsInt() @Min(0) @Max(100000000) RATE_LIMIT_PER_MINUTE = 1200;
  /** Requests per minute to POST /internal/subtask-reports per sender; 0 = unlimited. */
  @Transform(toInt) @IsInt() @Min(0) @Max(100000000) RATE_LIMIT_REPORTS_PER_MINUTE = 60000;

  // --- Event journal: sequencing, live streams, retention (API.md section 7) ---
  /**
   * Whether changes are journalled. Off, nothing is appended: history, the stream and
   * availability show only what was journalled before (for deployments that keep no history, and
   * to measure what the journal costs).
   */
  @Transform(toBool) @IsBoolean() EVENT_JOURNAL_ENABLED = true;
  /** How often every replica numbers newly committed events and reads the new ones for its streams. */
  @Transform(toInt) @IsInt() @Min(10) @Max(60000) EVENT_TICK_MS = 100;
  /** Events queued for one stream subscriber that is not reading; past it the stream is ended (the client resumes from its last id). */
  @Transform(toInt) @IsInt() @Min(1) @Max(1000000) EVENT_STREAM_BUFFER = 1000;
  /** Longest silence on a stream before a `: keep-alive` comment line. */
  @Transform(toInt) @IsInt() @Min(100) @Max(600000) EVENT_KEEPALIVE_MS = 15000;
  /** Events older than this are pruned; a cursor before the oldest kept answers 410. */
  @Transform(toInt) @IsInt() @Min(1) @Max(3650) EVENT_RETENTION_DAYS = 30;
  /** How often the pruner looks for events past retention. */
  @Transform(toInt) @IsInt() @Min(1000) @Max(86400000) EVENT_PRUNE_INTERVAL_MS = 600000;
}

export interface AppConfig {
  env: 'development' | 'production' | 'test';
  http: { host: string; port: number; bodyLimitBytes: number };
  validation: { xmlMaxBytes: number };
  db:
    | ({ type: 'sqlite'; path: string; migrationsRun: boolean; logging: boolean } & DatabaseLimits)
    | ({
        type: 'mysql';
        /** Which server speaks the MySQL protocol; both go through mysql2 and share migrations. */
        server: 'mysql' | 'mariadb';
        host: string;
        port: number;
        user: string;
        password: string;
        database: string;
        poolSize: number;
        migrationsRun: boolean;
        logging: boolean;
      } & DatabaseLimits);
  i18n: { defaultLanguage: Language };
  time: { zone: string };
  auth: {
    tokens: ReadonlyMap<string, Role>;
    jwtSecret: string | null;
    jwtMaxTtlSeconds: number;
    /** Null: not checked. */
    jwtIssuer: string | null;
    jwtAudience: string | null;
  };
  log: { level: string };
  swagger: { enabled: boolean };
  runtime: { heapGrowingPercent: number };
  /** The HTTP edge: CORS, proxies, parser limits, timeouts, rate limits (see src/common/http/). */
  edge: EdgeConfig;
  internal: { token: string | null };
  status: { sweepIntervalMs: number };
  events: EventsConfig;
  dispatch: {
    opsBaseUrl: string | null;
    publicBaseUrl: string;
    timeoutMs: number;
    retryBaseMs: number;
    retryMaxMs: number;
    concurrency: number;
    batchSize: number;
    heartbeatTimeoutMs: number;
    reconcileIntervalMs: number;
    leaseMs: number;
    reconcilerEnabled: boolean;
  };
}

/** How long the service waits on the database before giving up (both drivers; the pool only on MySQL). */
export interface DatabaseLimits {
  queryTimeoutMs: number;
  acquireTimeoutMs: number;
  migrationLockTimeoutMs: number;
}

// --- Event journal ---
export interface EventsConfig {
  journalEnabled: boolean;
  tickMs: number;
  streamBuffer: number;
  keepAliveMs: number;
  retentionDays: number;
  pruneIntervalMs: number;
}

// --- HTTP edge ---
export interface EdgeConfig {
  corsOrigins: string[];
  /** As Fastify's `trustProxy` takes it. */
  trustProxy: boolean | number | string;
  jsonMaxDepth: number;
  headersTimeoutMs: number;
  requestTimeoutMs: number;
  keepAliveTimeoutMs: number;
  maxConnections: number;
  rateLimitPerMinute: number;
  rateLimitReportsPerMinute: number;
}

export const APP_CONFIG = Symbol('APP_CONFIG');

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  - ${problems.join('\n  - ')}`);
  }
}

/**
 * Built in, outside production only, when neither AUTH_TOKENS nor AUTH_JWT_SECRET is set: known
 * to everyone, so their length does not matter and MIN_TOKEN_LENGTH does not apply to them.
 */
const DEV_TOKENS = 'dev-admin:admin,dev-operator:operator,dev-viewer:viewer';

/** Shortest static token (AUTH_TOKENS entries, INTERNAL_TOKEN) accepted at boot. */
export const MIN_TOKEN_LENGTH = 16;

/** Variables whose values are never printed, not even in part. */
const SECRET_VARIABLES = new Set(['AUTH_TOKENS', 'AUTH_JWT_SECRET', 'INTERNAL_TOKEN', 'DB_PASSWORD']);

/** `NAME="value"` for a config problem, or only the length for a secret. */
export const describeValue = (name: string, value: string | undefined): string =>
  SECRET_VARIABLES.has(name) ? `${name}=(hidden, ${[...(value ?? '')].length} characters)` : `${name}=${JSON.stringify(value ?? '')}`;

/**
 * `token:role,token:role` → token → role. A problem names the entry by its position and never
 * shows the token. `minLength` 0 is for the built-in development tokens only.
 */
export function parseTokens(spec: string, minLength = MIN_TOKEN_LENGTH): Map<string, Role> {
  const tokens = new Map<string, Role>();
  const problems: string[] = [];
  spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .forEach((entry, i) => {
      const sep = entry.lastIndexOf(':');
      const token = entry.slice(0, sep).trim();
      const role = entry.slice(sep + 1).trim();
      if (sep <= 0 || !token || !(ROLES as readonly string[]).includes(role)) {
        problems.push(`AUTH_TOKENS entry ${i + 1}: must be token:role with role one of ${ROLES.join(', ')}`);
      } else if ([...token].length < minLength) {
        problems.push(`AUTH_TOKENS entry ${i + 1} (${role}): the token must be at least ${minLength} characters`);
      } else {
        tokens.set(token, role as Role);
      }
    });
  if (problems.length) throw new ConfigError(problems);
  return tokens;
}

/** Validates the environment once; throws ConfigError listing every bad variable so the app refuses to boot. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const raw: Record<string, string> = {};
  for (const key of Object.keys(new EnvironmentVariables())) {
    const value = env[key];
    if (value !== undefined) raw[key] = value;
  }
  const vars = plainToInstance(EnvironmentVariables, raw);
  const errors = validateSync(vars, { whitelist: true });
  if (errors.length) {
    throw new ConfigError(errors.map((e) => `${describeValue(e.property, raw[e.property])}: ${Object.values(e.constraints ?? {}).join('; ')}`));
  }
  if (!isKnownTimeZone(vars.TIME_ZONE)) {
    throw new ConfigError([`TIME_ZONE=${JSON.stringify(vars.TIME_ZONE)}: not an IANA time zone`]);
  }
  for (const [name, value] of [
    ['OPS_BASE_URL', vars.OPS_BASE_URL],
    ['PUBLIC_BASE_URL', vars.PUBLIC_BASE_URL],
  ] as const) {
    if (value && !isHttpUrl(value)) throw new ConfigError([`${name}=${JSON.stringify(value)}: must be an http(s) URL`]);
  }
  if (vars.NODE_ENV === 'production' && !vars.AUTH_TOKENS && !vars.AUTH_JWT_SECRET) {
    throw new ConfigError(['AUTH_TOKENS or AUTH_JWT_SECRET must be set in production']);
  }
  if (vars.LEASE_MS <= vars.OPS_TIMEOUT_MS * 2) {
    // A claim covers one call and is renewed every third of its length: it must outlive a call
    // with room for a missed renewal, or another replica could take a subtask still being worked on.
    throw new ConfigError([`LEASE_MS=${vars.LEASE_MS}: must exceed 2 × OPS_TIMEOUT_MS (${vars.OPS_TIMEOUT_MS * 2})`]);
  }
  const tokens = vars.AUTH_TOKENS ? parseTokens(vars.AUTH_TOKENS) : parseTokens(vars.AUTH_JWT_SECRET ? '' : DEV_TOKENS, 0);
  if (vars.INTERNAL_TOKEN && [...vars.INTERNAL_TOKEN].length < MIN_TOKEN_LENGTH) {
    throw new ConfigError([`${describeValue('INTERNAL_TOKEN', vars.INTERNAL_TOKEN)}: must be at least ${MIN_TOKEN_LENGTH} characters`]);
  }
  const edge = loadEdgeConfig(vars);
  const dbLimits: DatabaseLimits = {
    queryTimeoutMs: vars.DB_QUERY_TIMEOUT_MS,
    acquireTimeoutMs: vars.DB_ACQUIRE_TIMEOUT_MS,
    migrationLockTimeoutMs: vars.DB_MIGRATION_LOCK_TIMEOUT_MS,
  };

  return {
    env: vars.NODE_ENV as AppConfig['env'],
    http: {
      host: vars.HOST,
      port: vars.PORT,
      bodyLimitBytes: vars.BODY_LIMIT_BYTES,
    },
    validation: { xmlMaxBytes: vars.XML_MAX_BYTES },
    db:
      vars.DB_TYPE !== 'sqlite'
        ? {
            type: 'mysql',
            server: vars.DB_TYPE,
            host: vars.DB_HOST,
            port: vars.DB_PORT,
            user: vars.DB_USER,
            password: vars.DB_PASSWORD,
            database: vars.DB_NAME,
            poolSize: vars.DB_POOL_SIZE,
            migrationsRun: vars.DB_MIGRATIONS_RUN,
            logging: vars.DB_LOGGING,
            ...dbLimits,
          }
        : { type: 'sqlite', path: vars.DB_PATH, migrationsRun: vars.DB_MIGRATIONS_RUN, logging: vars.DB_LOGGING, ...dbLimits },
    i18n: { defaultLanguage: vars.DEFAULT_LANGUAGE },
    time: { zone: vars.TIME_ZONE },
    auth: {
      tokens,
      jwtSecret: vars.AUTH_JWT_SECRET || null,
      jwtMaxTtlSeconds: vars.AUTH_JWT_MAX_TTL_S,
      jwtIssuer: vars.AUTH_JWT_ISSUER || null,
      jwtAudience: vars.AUTH_JWT_AUDIENCE || null,
    },
    log: { level: vars.LOG_LEVEL },
    swagger: { enabled: vars.SWAGGER_ENABLED ?? vars.NODE_ENV !== 'production' },
    runtime: { heapGrowingPercent: vars.GC_HEAP_GROWING_PERCENT },
    edge,
    internal: { token: vars.INTERNAL_TOKEN || null },
    status: { sweepIntervalMs: vars.STATUS_SWEEP_INTERVAL_MS },
    events: {
      journalEnabled: vars.EVENT_JOURNAL_ENABLED,
      tickMs: vars.EVENT_TICK_MS,
      streamBuffer: vars.EVENT_STREAM_BUFFER,
      keepAliveMs: vars.EVENT_KEEPALIVE_MS,
      retentionDays: vars.EVENT_RETENTION_DAYS,
      pruneIntervalMs: vars.EVENT_PRUNE_INTERVAL_MS,
    },
    dispatch: {
      opsBaseUrl: vars.OPS_BASE_URL ? vars.OPS_BASE_URL.replace(/\/+$/, '') : null,
      publicBaseUrl: (vars.PUBLIC_BASE_URL || listenUrl(vars.HOST, vars.PORT)).replace(/\/+$/, ''),
      timeoutMs: vars.OPS_TIMEOUT_MS,
      retryBaseMs: vars.OPS_RETRY_BASE_MS,
      retryMaxMs: vars.OPS_RETRY_MAX_MS,
      concurrency: vars.DISPATCH_CONCURRENCY,
      batchSize: vars.DISPATCH_BATCH_SIZE,
      heartbeatTimeoutMs: vars.HEARTBEAT_TIMEOUT_MS,
      reconcileIntervalMs: vars.RECONCILE_INTERVAL_MS,
      leaseMs: vars.LEASE_MS,
      reconcilerEnabled: vars.RECONCILER_ENABLED,
    },
  };
}

function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

function isHttpUrl(value: string): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value).protocol);
  } catch {
    return false;
  }
}

// --- HTTP edge ---
function loadEdgeConfig(vars: EnvironmentVariables): EdgeConfig {
  const problems: string[] = [];
  const corsOrigins = vars.CORS_ORIGINS.split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const origin of corsOrigins) {
    if (!isOrigin(origin))
      problems.push(
        `CORS_ORIGINS entry ${JSON.stringify(origin)}: must be an origin such as https://admin.example.com (scheme, host, optional port; no path, no wildcard)`,
      );
  }
  const trustProxy = parseTrustProxy(vars.TRUST_PROXY);
  if (trustProxy === null)
    problems.push(`TRUST_PROXY=${JSON.stringify(vars.TRUST_PROXY)}: must be true, false, a hop count, or comma-separated proxy addresses/CIDRs`);
  if (vars.HTTP_HEADERS_TIMEOUT_MS > vars.HTTP_REQUEST_TIMEOUT_MS) {
    problems.push(`HTTP_HEADERS_TIMEOUT_MS=${vars.HTTP_HEADERS_TIMEOUT_MS}: must not exceed HTTP_REQUEST_TIMEOUT_MS (${vars.HTTP_REQUEST_TIMEOUT_MS})`);
  }
  if (problems.length) throw new ConfigError(problems);
  return {
    corsOrigins,
    trustProxy: trustProxy as EdgeConfig['trustProxy'],
    jsonMaxDepth: vars.JSON_MAX_DEPTH,
    headersTimeoutMs: vars.HTTP_HEADERS_TIMEOUT_MS,
    requestTimeoutMs: vars.HTTP_REQUEST_TIMEOUT_MS,
    keepAliveTimeoutMs: vars.HTTP_KEEP_ALIVE_TIMEOUT_MS,
    maxConnections: vars.HTTP_MAX_CONNECTIONS,
    rateLimitPerMinute: vars.RATE_LIMIT_PER_MINUTE,
    rateLimitReportsPerMinute: vars.RATE_LIMIT_REPORTS_PER_MINUTE,
  };
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return ['http:', 'https:'].includes(url.protocol) && url.origin === value;
  } catch {
    return false;
  }
}

/** `true`/`false`, a hop count, or addresses and CIDRs (IPv4 or IPv6); null when none of these. */
export function parseTrustProxy(value: string): boolean | number | string | null {
  const v = value.trim().toLowerCase();
  if (['false', '0', 'no', 'off', ''].includes(v)) return false;
  if (['true', 'yes', 'on'].includes(v)) return true;
  if (/^[1-9]\d{0,2}$/.test(v)) return Number(v);
  const entries = v.split(',').map((s) => s.trim());
  const valid = entries.every((entry) => {
    const [address, prefix, ...rest] = entry.split('/');
    const family = isIP(address);
    if (!family || rest.length) return false;
    return prefix === undefined || (/^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128));
  });
  return valid ? entries.join(',') : null;
}
