import { createHash } from 'node:crypto';

/** How long a key's first answer is replayed. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;
/** An in-flight claim older than this was left by a replica that died mid-request: another may take it over. */
export const IDEMPOTENCY_STALE_CLAIM_MS = 60 * 1000;

/** 1..255 printable ASCII characters (space to tilde). */
const KEY_PATTERN = /^[\x20-\x7e]{1,255}$/;

/** The key of an Idempotency-Key header: null when absent, `{ valid: false }` when it breaks the rule (or is repeated). */
export function parseIdempotencyKey(header: string | string[] | undefined): { valid: true; key: string } | { valid: false } | null {
  if (header === undefined) return null;
  if (Array.isArray(header) || !KEY_PATTERN.test(header)) return { valid: false };
  return { valid: true, key: header };
}

/** JSON with every object's keys sorted, so two bodies that differ only in key order are one request. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  const entries = Object.keys(value as Record<string, unknown>)
    .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`);
  return `{${entries.join(',')}}`;
}

/** What identifies a request for its key: method, path with query, and canonical body (SHA-256, hex). */
export function requestFingerprint(method: string, url: string, body: unknown): string {
  return createHash('sha256')
    .update(`${method.toUpperCase()}\n${url}\n${canonicalJson(body)}`)
    .digest('hex');
}

export interface StoredClaim {
  state: 'pending' | 'done';
  request_hash: string;
  claimed_at: Date;
  expires_at: Date;
}

export type ClaimDecision = 'replay' | 'reused' | 'in_progress' | 'take_over';

/**
 * What a request does when its key is already claimed: an expired key is claimed anew; another
 * request under the key is refused (422); the same request gets the stored answer once there is
 * one, waits its turn while the first is in flight (409), or takes over a claim abandoned for
 * longer than `staleAfterMs`.
 */
export function decideClaim(existing: StoredClaim, fingerprint: string, now: Date, staleAfterMs = IDEMPOTENCY_STALE_CLAIM_MS): ClaimDecision {
  if (existing.expires_at.getTime() <= now.getTime()) return 'take_over';
  if (existing.request_hash !== fingerprint) return 'reused';
  if (existing.state === 'done') return 'replay';
  return now.getTime() - existing.claimed_at.getTime() >= staleAfterMs ? 'take_over' : 'in_progress';
}

/** Only answers that a retry would get again are kept: successes and client errors, never 5xx. */
export function isStorableStatus(status: number): boolean {
  return status >= 200 && status < 500;
}
