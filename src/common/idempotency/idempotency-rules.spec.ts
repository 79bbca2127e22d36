import { canonicalJson, decideClaim, isStorableStatus, parseIdempotencyKey, requestFingerprint, StoredClaim } from './idempotency-rules';

describe('parseIdempotencyKey', () => {
  it.each([
    [undefined, null],
    ['k', { valid: true, key: 'k' }],
    ['order 42 / retry', { valid: true, key: 'order 42 / retry' }],
    ['x'.repeat(255), { valid: true, key: 'x'.repeat(255) }],
    ['x'.repeat(256), { valid: false }],
    ['', { valid: false }],
    ['tab\there', { valid: false }],
    ['ключ', { valid: false }],
    [['a', 'b'], { valid: false }],
  ])('%j → %j', (header, expected) => {
    expect(parseIdempotencyKey(header)).toEqual(expected);
  });
});

describe('canonicalJson and requestFingerprint', () => {
  it('ignore key order and undefined members, keep array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, 1], c: null }, e: undefined })).toBe('{"a":{"c":null,"d":[2,1]},"b":1}');
    expect(requestFingerprint('post', '/tasks', { a: 1, b: 2 })).toBe(requestFingerprint('POST', '/tasks', { b: 2, a: 1 }));
  });
  it.each([
    ['method', 'PUT', '/tasks', { a: 1 }],
    ['path', 'POST', '/tasks?dry_run=true', { a: 1 }],
    ['body', 'POST', '/tasks', { a: 2 }],
    ['array order', 'POST', '/tasks', { a: [1, 2] }],
  ])('differ with the %s', (_what, method, url, body) => {
    expect(requestFingerprint(method, url, body)).not.toBe(requestFingerprint('POST', '/tasks', { a: 1 }));
  });
});

describe('decideClaim', () => {
  const now = new Date(Date.UTC(2026, 0, 1, 12));
  const claim = (overrides: Partial<StoredClaim> = {}): StoredClaim => ({
    state: 'pending',
    request_hash: 'h',
    claimed_at: new Date(now.getTime() - 1000),
    expires_at: new Date(now.getTime() + 1000),
    ...overrides,
  });
  it.each([
    ['the same request, answered', claim({ state: 'done' }), 'h', 'replay'],
    ['another request, answered', claim({ state: 'done' }), 'x', 'reused'],
    ['another request, in flight', claim(), 'x', 'reused'],
    ['the same request, in flight', claim(), 'h', 'in_progress'],
    ['the same request, claim abandoned 60 s ago', claim({ claimed_at: new Date(now.getTime() - 60_000) }), 'h', 'take_over'],
    ['an expired key, answered', claim({ state: 'done', expires_at: now }), 'x', 'take_over'],
  ])('%s → %s', (_name, existing, fingerprint, expected) => {
    expect(decideClaim(existing, fingerprint, now)).toBe(expected);
  });
});

describe('isStorableStatus', () => {
  it.each([
    [200, true],
    [404, true],
    [409, true],
    [499, true],
    [500, false],
    [503, false],
  ])('%d → %s', (status, expected) => {
    expect(isStorableStatus(status)).toBe(expected);
  });
});
