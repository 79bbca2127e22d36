import { Injectable } from '@nestjs/common';
import { EntityManager, LessThan } from 'typeorm';
import { isUniqueViolation } from '../../database/driver-errors';
import { IdempotencyKeyEntity } from './idempotency-key.entity';

/** tb_idempotency_key's owner. Each call runs in the caller's transaction (the runner's, so SQLite's writes queue). */
@Injectable()
export class IdempotencyRepository {
  /** Claims the key: the primary key lets exactly one of any number of racing requests (on any replica) insert it. */
  async insertClaim(em: EntityManager, row: IdempotencyKeyEntity): Promise<boolean> {
    try {
      await em.createQueryBuilder().insert().into(IdempotencyKeyEntity).values(row).updateEntity(false).execute();
      return true;
    } catch (error) {
      if (isUniqueViolation(error)) return false;
      throw error;
    }
  }

  find(em: EntityManager, subject: string, key: string): Promise<IdempotencyKeyEntity | null> {
    return em.findOne(IdempotencyKeyEntity, { where: { subject, idem_key: key } });
  }

  /** Takes over a claim still held by `previousToken`: one racer wins, the others see 0 rows changed. */
  async takeOver(em: EntityManager, previousToken: string, row: IdempotencyKeyEntity): Promise<boolean> {
    const result = await em.update(
      IdempotencyKeyEntity,
      { subject: row.subject, idem_key: row.idem_key, claim_token: previousToken },
      {
        request_hash: row.request_hash,
        claim_token: row.claim_token,
        state: 'pending',
        status_code: null,
        response_body: null,
        claimed_at: row.claimed_at,
        expires_at: row.expires_at,
      },
    );
    return (result.affected ?? 0) > 0;
  }

  /** Stores the answer, if the claim is still this request's. */
  async complete(em: EntityManager, subject: string, key: string, token: string, statusCode: number, body: string): Promise<void> {
    await em.update(IdempotencyKeyEntity, { subject, idem_key: key, claim_token: token }, { state: 'done', status_code: statusCode, response_body: body });
  }

  /** Gives the key up (the request failed in a way a retry may not), if the claim is still this request's. */
  async release(em: EntityManager, subject: string, key: string, token: string): Promise<void> {
    await em.delete(IdempotencyKeyEntity, { subject, idem_key: key, claim_token: token });
  }

  /** Removes expired keys (on the expires_at index). */
  async pruneExpired(em: EntityManager, now: Date): Promise<number> {
    const result = await em.delete(IdempotencyKeyEntity, { expires_at: LessThan(now) });
    return result.affected ?? 0;
  }
}
