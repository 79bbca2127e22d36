/**
 * An event's cursor (`event_id`, API.md section 7): its commit-order number, zero-padded to 20
 * digits, so that later events compare greater as strings too.
 */
export const EVENT_ID_DIGITS = 20;

export function formatEventId(seq: number): string {
  return String(seq).padStart(EVENT_ID_DIGITS, '0');
}

/**
 * The number a cursor stands for: 1 to 20 digits (padding optional, `0` = before every event);
 * null for anything else or a number past what the service can hand out exactly.
 */
export function parseEventId(value: string | null | undefined): number | null {
  if (typeof value !== 'string' || !/^\d{1,20}$/.test(value)) return null;
  const seq = Number(value);
  return Number.isSafeInteger(seq) ? seq : null;
}

/**
 * Whether resuming after `after` would miss pruned events: seqs are given without gaps, so with
 * `oldest` the oldest seq still kept, every event between the two was deleted.
 */
export const afterIsExpired = (after: number, oldest: number): boolean => after < oldest - 1;

/** Whether a page of events before `before` (newest first) reaches back past what was pruned. */
export const beforeIsExpired = (before: number, oldest: number): boolean => oldest > 1 && before <= oldest;
