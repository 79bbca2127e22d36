import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * An Idempotency-Key claimed by one token subject: in flight while its request runs (`pending`),
 * then the answer it gave (`done`), replayed to a repeat of the same request until `expires_at`.
 */
@Entity('tb_idempotency_key')
@Index('IDX_idempotency_expires', ['expires_at'])
export class IdempotencyKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 128 }) subject: string;
  @PrimaryColumn({ type: 'varchar', length: 255 }) idem_key: string;
  /** SHA-256 (hex) of method, path and canonical body. */
  @Column({ type: 'varchar', length: 64 }) request_hash: string;
  /** Who holds the claim: only its holder may store the answer or release it. */
  @Column({ type: 'varchar', length: 36 }) claim_token: string;
  @Column({ type: 'varchar', length: 8 }) state: 'pending' | 'done';
  @Column({ type: 'int', nullable: true }) status_code: number | null;
  @Column({ type: 'text', nullable: true }) response_body: string | null;
  @Column({ type: 'datetime', precision: 3 }) claimed_at: Date;
  @Column({ type: 'datetime', precision: 3 }) expires_at: Date;
}
