import '../http/request-language';
import {
  ArgumentsHost,
  CallHandler,
  Catch,
  ExceptionFilter,
  ExecutionContext,
  HttpException,
  Inject,
  Injectable,
  Logger,
  Module,
  NestInterceptor,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { from, mergeMap, Observable, throwError, catchError, switchMap } from 'rxjs';
import type { EntityManager } from 'typeorm';
import { v4 as uuidv4 } from 'uuid';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { TransactionRunner } from '../../database/transaction.runner';
import { outsideDryRun } from '../../database/dry-run';
import type { Principal } from '../auth/roles';
import { AppException } from '../errors/app.exception';
import { ErrorResponder } from '../errors/error-response';
import { CLOCK, Clock } from '../time/clock';
import { IdempotencyKeyEntity } from './idempotency-key.entity';
import { IdempotencyRepository } from './idempotency.repository';
import { decideClaim, IDEMPOTENCY_TTL_MS, isStorableStatus, parseIdempotencyKey, requestFingerprint } from './idempotency-rules';

/** How often a replica prunes expired keys, at most. */
const PRUNE_EVERY_MS = 10 * 60 * 1000;
/** Claims tried before giving up on a key that keeps changing hands. */
const CLAIM_ATTEMPTS = 3;

/** The stored first answer to a repeated request; sent by IdempotentReplayFilter as it was. */
export class IdempotentReplay extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super('idempotent replay');
  }
}

/** Sends a replayed answer with its first status and body, marked `Idempotent-Replayed: true`. */
@Catch(IdempotentReplay)
export class IdempotentReplayFilter implements ExceptionFilter {
  catch(replay: IdempotentReplay, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    void reply.status(replay.status).header('idempotent-replayed', 'true').header('content-type', 'application/json; charset=utf-8').send(replay.body);
  }
}

interface Claim {
  subject: string;
  key: string;
  token: string;
}

/**
 * Idempotency-Key on the routes it decorates (Stripe's semantics, API.md section 9): the first
 * request under a key claims it in tb_idempotency_key, which only one request on any replica can
 * win; its answer (2xx or 4xx) is stored and replayed for 24 h to the same request, another request
 * under the key is 422 IDEMPOTENCY_KEY_REUSED, and a repeat while the first runs is 409
 * IDEMPOTENCY_IN_PROGRESS. Keys are per token subject. A 5xx or a lost connection releases the key.
 * Route-scoped on purpose: see app.module.ts on global interceptors.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  private readonly logger = new Logger('Idempotency');
  private lastPrune = 0;

  constructor(
    private readonly keys: IdempotencyRepository,
    private readonly tx: TransactionRunner,
    private readonly responder: ErrorResponder,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest & { principal?: Principal }>();
    const reply = http.getResponse<FastifyReply>();
    const parsed = parseIdempotencyKey(request.headers['idempotency-key']);
    if (parsed === null) return next.handle();
    if (!parsed.valid) {
      return throwError(() =>
        AppException.validation([{ field: 'Idempotency-Key', rule: 'idempotencyKey', fallback: 'must be 1 to 255 printable ASCII characters' }]),
      );
    }
    const key = parsed.key;
    const subject = request.principal?.subject ?? 'anonymous';
    const fingerprint = requestFingerprint(request.method, request.url, request.body);
    return from(this.claim(subject, key, fingerprint)).pipe(
      switchMap((claim) =>
        next.handle().pipe(
          mergeMap(async (body: unknown) => {
            await this.finish(claim, reply.statusCode, body);
            return body;
          }),
          catchError((error: unknown) => from(this.settleError(claim, error, request)).pipe(mergeMap(() => throwError(() => error)))),
        ),
      ),
    );
  }

  private write<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    // The key's bookkeeping persists even when the request itself is a dry run.
    return outsideDryRun(() => this.tx.run(work));
  }

  private async claim(subject: string, key: string, fingerprint: string): Promise<Claim> {
    const now = this.clock.now();
    this.pruneNowAndThen(now);
    const row: IdempotencyKeyEntity = {
      subject,
      idem_key: key,
      request_hash: fingerprint,
      claim_token: uuidv4(),
      state: 'pending',
      status_code: null,
      response_body: null,
      claimed_at: now,
      expires_at: new Date(now.getTime() + IDEMPOTENCY_TTL_MS),
    };
    for (let attempt = 0; attempt < CLAIM_ATTEMPTS; attempt++) {
      if (await this.write((em) => this.keys.insertClaim(em, row))) return { subject, key, token: row.claim_token };
      const existing = await this.write((em) => this.keys.find(em, subject, key));
      if (!existing) continue; // released in between: claim it again
      switch (decideClaim(existing, fingerprint, now)) {
        case 'replay':
          throw new IdempotentReplay(existing.status_code ?? 200, JSON.parse(existing.response_body ?? 'null'));
        case 'reused':
          throw new AppException('IDEMPOTENCY_KEY_REUSED');
        case 'in_progress':
          throw new AppException('IDEMPOTENCY_IN_PROGRESS');
        case 'take_over':
          if (await this.write((em) => this.keys.takeOver(em, existing.claim_token, row))) return { subject, key, token: row.claim_token };
      }
    }
    throw new AppException('IDEMPOTENCY_IN_PROGRESS');
  }

  private async finish(claim: Claim, status: number, body: unknown): Promise<void> {
    if (isStorableStatus(status)) await this.write((em) => this.keys.complete(em, claim.subject, claim.key, claim.token, status, JSON.stringify(body)));
    else await this.write((em) => this.keys.release(em, claim.subject, claim.key, claim.token));
  }

  /** A client error is the answer a retry would get too, so it is stored; anything else frees the key. */
  private async settleError(claim: Claim, error: unknown, request: FastifyRequest): Promise<void> {
    try {
      const known = error instanceof AppException || error instanceof HttpException ? this.responder.toAppException(error) : null;
      if (known && isStorableStatus(known.status)) {
        const lang = request.lang ?? this.config.i18n.defaultLanguage;
        const body = this.responder.build(known, lang, String(request.id));
        await this.write((em) => this.keys.complete(em, claim.subject, claim.key, claim.token, known.status, JSON.stringify(body)));
      } else {
        await this.write((em) => this.keys.release(em, claim.subject, claim.key, claim.token));
      }
    } catch (bookkeeping) {
      // The request's own error is what the client must see; an unreleased key lapses after IDEMPOTENCY_STALE_CLAIM_MS.
      this.logger.warn({ err: bookkeeping }, 'could not settle an idempotency key');
    }
  }

  private pruneNowAndThen(now: Date): void {
    if (now.getTime() - this.lastPrune < PRUNE_EVERY_MS) return;
    this.lastPrune = now.getTime();
    this.write((em) => this.keys.pruneExpired(em, now)).catch((err: unknown) => this.logger.warn({ err }, 'could not prune idempotency keys'));
  }
}

/** The idempotency key store and interceptor, for the modules whose controllers use @UseInterceptors(IdempotencyInterceptor). */
@Module({ providers: [IdempotencyRepository, IdempotencyInterceptor], exports: [IdempotencyRepository, IdempotencyInterceptor] })
export class IdempotencyModule {}
