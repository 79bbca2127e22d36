import { ExecutionContext, Inject, Injectable, OnApplicationShutdown, Optional, Provider } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import {
  getOptionsToken,
  getStorageToken,
  normalizeIp,
  ThrottlerGuard,
  ThrottlerLimitDetail,
  ThrottlerModuleOptions,
  ThrottlerStorage,
} from '@nestjs/throttler';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import type { Principal } from '../auth/roles';
import { extractToken } from '../auth/token-verifier';
import { AppException } from '../errors/app.exception';
import { CLOCK, Clock, systemClock } from '../time/clock';

const MINUTE_MS = 60_000;
/** Above this many tracked keys, idle ones are swept at once rather than at the next minute. */
const SWEEP_ABOVE_KEYS = 100_000;
const REPORTS_ROUTE = '/internal/subtask-reports';

interface Window {
  startedAt: number;
  hits: number;
}

export interface RateLimitHit {
  blocked: boolean;
  /** Whole seconds until the window resets (at least 1). */
  retryAfterSeconds: number;
  hits: number;
}

/**
 * A fixed one-window counter per key: O(1) time and memory per request, where the library's own
 * storage keeps (and filters) one timestamp per hit. It lives in the replica's memory, so behind a
 * load balancer each replica counts on its own. "Now" comes from the injected clock.
 */
@Injectable()
export class FixedWindowStorage implements ThrottlerStorage, OnApplicationShutdown {
  private readonly windows = new Map<string, Window>();
  private readonly sweeper: NodeJS.Timeout;
  private readonly clock: Clock;

  constructor(@Optional() @Inject(CLOCK) clock?: Clock) {
    this.clock = clock ?? systemClock;
    this.sweeper = setInterval(() => this.sweep(), MINUTE_MS);
    this.sweeper.unref();
  }

  hit(key: string, ttlMs: number, limit: number): RateLimitHit {
    const now = this.clock.now().getTime();
    let window = this.windows.get(key);
    if (!window || now - window.startedAt >= ttlMs) {
      if (!window && this.windows.size >= SWEEP_ABOVE_KEYS) this.sweep(now, ttlMs);
      window = { startedAt: now, hits: 0 };
      this.windows.set(key, window);
    }
    const blocked = window.hits >= limit;
    if (!blocked) window.hits++;
    return { blocked, retryAfterSeconds: Math.max(1, Math.ceil((window.startedAt + ttlMs - now) / 1000)), hits: window.hits };
  }

  increment(key: string, ttl: number, limit: number): ReturnType<ThrottlerStorage['increment']> {
    const { blocked, retryAfterSeconds, hits } = this.hit(key, ttl, limit);
    return Promise.resolve({ totalHits: hits, timeToExpire: retryAfterSeconds, isBlocked: blocked, timeToBlockExpire: blocked ? retryAfterSeconds : 0 });
  }

  private sweep(now = this.clock.now().getTime(), ttlMs = MINUTE_MS): void {
    for (const [key, window] of this.windows) if (now - window.startedAt >= ttlMs) this.windows.delete(key);
  }

  onApplicationShutdown(): void {
    clearInterval(this.sweeper);
    this.windows.clear();
  }
}

type LimitedRequest = FastifyRequest & { principal?: Principal };

/**
 * Who a request counts against: the static token itself, a JWT's subject, or, without a
 * principal, the client address (IPv6 by /64; behind proxies only with TRUST_PROXY).
 */
export function trackerOf(request: LimitedRequest, config: AppConfig): string {
  const principal = request.principal;
  if (!principal) return `ip:${normalizeIp(request.ip)}`;
  if (principal.subject === 'internal') return 'internal';
  // A static token is its own identity, whatever subject it is logged under.
  const token = extractToken(request.headers.authorization);
  if (token && config.auth.tokens.has(token)) return `token:${token}`;
  return `sub:${principal.subject}`;
}

const isReports = (request: FastifyRequest) => request.method === 'POST' && request.routeOptions.url === REPORTS_ROUTE;

/**
 * @nestjs/throttler's guard, run after the auth guard so the principal is known: one budget per
 * tracker across every route (the library's default is one per route), the report endpoint on a
 * budget of its own, /health and /docs never limited. Over the limit: 429 RATE_LIMITED with
 * Retry-After, in the standard envelope.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  @Inject(APP_CONFIG) private readonly config!: AppConfig;

  protected override shouldSkip(context: ExecutionContext): Promise<boolean> {
    const url = context.switchToHttp().getRequest<FastifyRequest>().routeOptions.url ?? '';
    return Promise.resolve(url === '/health' || url.startsWith('/health/') || url === '/docs' || url.startsWith('/docs/'));
  }

  protected override getTracker(request: Record<string, unknown>): Promise<string> {
    return Promise.resolve(trackerOf(request as unknown as LimitedRequest, this.config));
  }

  protected override generateKey(_context: ExecutionContext, tracker: string, name: string): string {
    return `${name}:${tracker}`;
  }

  protected override throwThrottlingException(context: ExecutionContext, detail: ThrottlerLimitDetail): Promise<void> {
    void context.switchToHttp().getResponse<FastifyReply>().header('retry-after', String(detail.timeToBlockExpire));
    return Promise.reject(new AppException('RATE_LIMITED', { seconds: detail.timeToBlockExpire }));
  }
}

export function rateLimitOptions(config: AppConfig): ThrottlerModuleOptions {
  const { rateLimitPerMinute, rateLimitReportsPerMinute } = config.edge;
  const request = (context: ExecutionContext) => context.switchToHttp().getRequest<FastifyRequest>();
  const throttlers: Exclude<ThrottlerModuleOptions, unknown[]>['throttlers'] = [];
  if (rateLimitPerMinute > 0) {
    throttlers.push({ name: 'default', limit: rateLimitPerMinute, ttl: MINUTE_MS, skipIf: (c) => isReports(request(c)) });
  }
  if (rateLimitReportsPerMinute > 0) {
    throttlers.push({ name: 'reports', limit: rateLimitReportsPerMinute, ttl: MINUTE_MS, skipIf: (c) => !isReports(request(c)) });
  }
  return { throttlers, setHeaders: false };
}

/**
 * The rate limiter's providers, to be listed after the auth guard (global guards run in the order
 * they are provided). With both limits at 0 there is no guard at all.
 */
export function rateLimitProviders(config: AppConfig): Provider[] {
  const enabled = config.edge.rateLimitPerMinute > 0 || config.edge.rateLimitReportsPerMinute > 0;
  return [
    { provide: getOptionsToken(), useValue: rateLimitOptions(config) },
    { provide: getStorageToken(), useClass: FixedWindowStorage },
    ...(enabled ? [{ provide: APP_GUARD, useClass: RateLimitGuard }] : []),
  ];
}

/**
 * Charges a request refused with 401 to its client address, the budget unauthenticated requests
 * share, so guessing tokens is limited too; true when that budget is spent.
 */
export function chargeUnauthenticated(storage: FixedWindowStorage, request: FastifyRequest, config: AppConfig): RateLimitHit | null {
  if (config.edge.rateLimitPerMinute <= 0) return null;
  return storage.hit(`default:ip:${normalizeIp(request.ip)}`, MINUTE_MS, config.edge.rateLimitPerMinute);
}
