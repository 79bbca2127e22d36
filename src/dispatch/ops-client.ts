import { Inject, Injectable } from '@nestjs/common';
import {
  BrokenCircuitError,
  bulkhead,
  circuitBreaker,
  ConsecutiveBreaker,
  ExponentialBackoff,
  handleWhen,
  IPolicy,
  retry,
  TaskCancelledError,
  timeout,
  TimeoutStrategy,
  wrap,
} from 'cockatiel';
import { MetricsService } from '../common/observability/metrics.service';
import { APP_CONFIG, AppConfig } from '../config/app-config';

export type OpsOperation = 'start' | 'stop' | 'get';

export interface OpsAnswer {
  status: number;
  body: unknown;
}

/** A failure worth another try: 5xx, 429, a refused connection, a timeout. */
class RetryableOpsError extends Error {}

/** Every try failed; `reason` is written for the operator who reads the subtask's status_reason. */
export class OpsUnavailableError extends Error {
  constructor(
    readonly attempts: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export interface CallOptions {
  /** Called before each retry (attempt ≥ 1), e.g. to extend the lease on the subtask. */
  beforeRetry?: (attempt: number) => Promise<void>;
  /** Retries for this call; the configured limit when absent. */
  maxRetries?: number;
}

const isRetryable = (error: Error): boolean =>
  error instanceof RetryableOpsError || error instanceof TaskCancelledError || error instanceof BrokenCircuitError;

/**
 * The outbound side of API.md section 6, with cockatiel's policies: a timeout per try, retries with
 * exponential backoff and decorrelated jitter, a circuit breaker so a dead ops service is not
 * hammered by every subtask, and a bulkhead bounding the calls in flight from this instance.
 */
@Injectable()
export class OpsClient {
  readonly baseUrl: string | null;
  private readonly perTry: IPolicy;
  private readonly breaker = circuitBreaker(handleWhen(isRetryable), {
    halfOpenAfter: 5_000,
    breaker: new ConsecutiveBreaker(20),
  });

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: MetricsService,
  ) {
    this.baseUrl = config.dispatch.opsBaseUrl;
    this.perTry = wrap(
      bulkhead(config.dispatch.concurrency, Number.MAX_SAFE_INTEGER),
      this.breaker,
      timeout(config.dispatch.timeoutMs, TimeoutStrategy.Aggressive),
    );
  }

  async call(operation: OpsOperation, method: 'GET' | 'POST', path: string, body?: unknown, headers: Record<string, string> = {}, options: CallOptions = {}): Promise<OpsAnswer> {
    if (!this.baseUrl) throw new OpsUnavailableError(0, 'OPS_BASE_URL is not configured');
    const { dispatch } = this.config;
    const policy = retry(handleWhen(isRetryable), {
      maxAttempts: options.maxRetries ?? dispatch.maxRetries,
      backoff: new ExponentialBackoff({ initialDelay: dispatch.retryBaseMs, maxDelay: dispatch.retryMaxMs }),
    });
    let attempts = 0;
    let lastReason = 'no answer';
    try {
      return await policy.execute(async ({ attempt }) => {
        attempts = attempt + 1;
        if (attempt > 0) await options.beforeRetry?.(attempt);
        try {
          const answer = await this.perTry.execute(({ signal }) => this.send(method, path, body, headers, signal));
          this.metrics.dispatchAttempts.inc({ operation, outcome: answer.status < 400 ? 'ok' : 'answered_4xx' });
          return answer;
        } catch (error) {
          lastReason = this.describe(error);
          this.metrics.dispatchAttempts.inc({ operation, outcome: error instanceof TaskCancelledError ? 'timeout' : 'error' });
          throw error;
        }
      });
    } catch (error) {
      if (!(error instanceof Error) || !isRetryable(error)) throw error;
      throw new OpsUnavailableError(attempts, `ops service unavailable after ${attempts} attempt(s): ${lastReason}`);
    }
  }

  private async send(method: string, path: string, body: unknown, headers: Record<string, string>, signal: AbortSignal): Promise<OpsAnswer> {
    let response: Response;
    try {
      response = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (error) {
      if (signal.aborted) throw new TaskCancelledError();
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new RetryableOpsError(`cannot reach ${this.baseUrl}: ${cause?.code ?? cause?.message ?? String(error)}`);
    }
    const text = await response.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      // Not JSON: keep the text as the reason.
    }
    if (response.status >= 500 || response.status === 429) {
      const detail = parsed && typeof parsed === 'object' ? JSON.stringify(parsed).slice(0, 200) : String(parsed).slice(0, 200);
      throw new RetryableOpsError(`HTTP ${response.status} ${detail}`.trim());
    }
    return { status: response.status, body: parsed };
  }

  private describe(error: unknown): string {
    if (error instanceof TaskCancelledError) return `no answer within ${this.config.dispatch.timeoutMs} ms`;
    if (error instanceof BrokenCircuitError) return 'circuit open after repeated failures';
    return error instanceof Error ? error.message : String(error);
  }
}
