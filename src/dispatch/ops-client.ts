import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import {
  BrokenCircuitError,
  bulkhead,
  circuitBreaker,
  ConsecutiveBreaker,
  handleWhen,
  IPolicy,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import { Pool } from 'undici';
import { CLOCK, Clock } from '../common/time/clock';
import { MetricsService } from '../common/observability/metrics.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';

export type OpsOperation = 'start' | 'stop' | 'get';

export interface OpsAnswer {
  status: number;
  body: unknown;
}

/** A failure worth another attempt: 5xx, 429, a refused connection, a timeout. */
class RetryableOpsError extends Error {}

/** The ops service could not be reached or could not answer; `reason` names the real cause. */
export class OpsUnavailableError extends Error {
  constructor(readonly reason: string) {
    super(reason);
  }
}

/**
 * The breaker is open: no call was made, so no attempt is used up. `retryAt` is when the breaker
 * lets a trial call through; `reason` is the failure that opened it.
 */
export class OpsCircuitOpenError extends Error {
  constructor(
    readonly reason: string,
    readonly retryAt: Date,
  ) {
    super(`circuit open: ${reason}`);
  }
}

/** Consecutive failures that open the breaker, and how long it stays open before a trial call. */
const BREAKER_THRESHOLD = 20;
const BREAKER_HALF_OPEN_MS = 5_000;

const isRetryable = (error: Error): boolean => error instanceof RetryableOpsError || error instanceof TaskCancelledError;

/**
 * The outbound side of API.md section 6, one try per call: a timeout per try, a circuit breaker
 * so a dead ops service is not hammered by every subtask, and a bulkhead bounding the calls in
 * flight from this instance. Retrying is the reconciler's, with a durable backoff in the database,
 * so no lease is held across sleeps and a restart loses no schedule.
 */
@Injectable()
export class OpsClient implements OnApplicationShutdown {
  readonly baseUrl: string | null;
  private readonly logger = new Logger(OpsClient.name);
  private readonly perTry: IPolicy;
  private readonly breaker = circuitBreaker(handleWhen(isRetryable), {
    halfOpenAfter: BREAKER_HALF_OPEN_MS,
    breaker: new ConsecutiveBreaker(BREAKER_THRESHOLD),
  });
  /**
   * Kept-alive connections to the ops service, at most one per call in flight. undici's request
   * API rather than fetch: at a window's opening thousands of calls go out together, and fetch's
   * web streams and per-call signals cost several times the CPU of the call itself.
   */
  private readonly pool: Pool | undefined;
  private readonly basePath: string = '';
  private lastFailure = 'no answer';
  private openedAt = 0;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly metrics: MetricsService,
  ) {
    this.baseUrl = config.dispatch.opsBaseUrl;
    if (this.baseUrl) {
      const url = new URL(this.baseUrl);
      this.pool = new Pool(url.origin, { connections: config.dispatch.concurrency });
      this.basePath = url.pathname.replace(/\/+$/, '');
    }
    this.perTry = wrap(
      bulkhead(config.dispatch.concurrency, Number.MAX_SAFE_INTEGER),
      this.breaker,
      // The answer is read whole before a try returns, so nothing is left to abort then.
      timeout(config.dispatch.timeoutMs, { strategy: TimeoutStrategy.Aggressive, abortOnReturn: false }),
    );
    this.breaker.onBreak(() => {
      this.openedAt = this.clock.now().getTime();
      this.logger.warn({ ops_base_url: this.baseUrl, cause: this.lastFailure }, `ops service circuit opened after ${BREAKER_THRESHOLD} consecutive failures`);
    });
    this.breaker.onReset(() => this.logger.warn({ ops_base_url: this.baseUrl }, 'ops service circuit closed: calls succeed again'));
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool?.destroy();
  }

  /** One try. Throws OpsUnavailableError (worth another attempt later) or OpsCircuitOpenError (no attempt made). */
  async call(
    operation: OpsOperation,
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
    signal?: AbortSignal,
  ): Promise<OpsAnswer> {
    if (!this.pool) throw new OpsUnavailableError('OPS_BASE_URL is not configured');
    try {
      // The try's signal derives from the caller's (shutdown): either one aborts the request.
      const answer = await this.perTry.execute(({ signal: trySignal }) => this.send(method, path, body, headers, trySignal), signal);
      this.metrics.dispatchAttempts.inc({ operation, outcome: answer.status < 400 ? 'ok' : 'answered_4xx' });
      return answer;
    } catch (error) {
      if (error instanceof BrokenCircuitError) {
        this.metrics.dispatchAttempts.inc({ operation, outcome: 'circuit_open' });
        throw new OpsCircuitOpenError(this.lastFailure, new Date(Math.max(this.openedAt + BREAKER_HALF_OPEN_MS, this.clock.now().getTime() + 1_000)));
      }
      if (error instanceof TaskCancelledError || error instanceof RetryableOpsError) {
        this.lastFailure = error instanceof TaskCancelledError ? `no answer within ${this.config.dispatch.timeoutMs} ms` : error.message;
        this.metrics.dispatchAttempts.inc({ operation, outcome: error instanceof TaskCancelledError ? 'timeout' : 'error' });
        throw new OpsUnavailableError(this.lastFailure);
      }
      throw error;
    }
  }

  private async send(method: 'GET' | 'POST', path: string, body: unknown, headers: Record<string, string>, signal: AbortSignal): Promise<OpsAnswer> {
    let status: number;
    let text: string;
    try {
      const response = await this.pool!.request({
        method,
        path: `${this.basePath}${path}`,
        headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
      status = response.statusCode;
      text = await response.body.text();
    } catch (error) {
      if (signal.aborted) throw new TaskCancelledError();
      const { code, message } = error as { code?: string; message?: string };
      throw new RetryableOpsError(`cannot reach ${this.baseUrl}: ${code ?? message ?? String(error)}`);
    }
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON: keep the text as the reason.
    }
    if (status >= 500 || status === 429) {
      const detail = parsed && typeof parsed === 'object' ? JSON.stringify(parsed).slice(0, 200) : String(parsed).slice(0, 200);
      throw new RetryableOpsError(`HTTP ${status} ${detail}`.trim());
    }
    return { status, body: parsed };
  }
}
