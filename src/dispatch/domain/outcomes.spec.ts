import {
  dispatchAccepted,
  dispatchDue,
  dispatchRefused,
  lostForgotten,
  lostObserved,
  retryLater,
  stopConfirmed,
  stopRefused,
  taskGone,
  waitForCircuit,
} from './outcomes';

const now = new Date('2026-12-01T00:00:00.000Z');
const policy = { baseMs: 1_000, capMs: 30_000 };
const claimed = (
  over: Partial<{ state: 'dispatching' | 'stopping' | 'lost' | 'scheduled'; generation: number; attempts: number; progress: number | null }> = {},
) => ({
  state: 'dispatching' as const,
  generation: 3,
  attempts: 0,
  progress: 40,
  ...over,
});

describe('reconciler outcomes', () => {
  it('an accepted dispatch is running, with a fresh heartbeat and no reason', () => {
    expect(dispatchAccepted(now)).toEqual({
      expected: ['dispatching'],
      patch: { state: 'running', heartbeat_at: now, status_reason: null, attempts: 0, next_attempt_at: null },
    });
  });

  it('a refusal fails the subtask with the reason, and is worth a warning', () => {
    const outcome = dispatchRefused('HTTP 400: unsupported codec');
    expect(outcome.patch).toMatchObject({
      state: 'failed',
      status_reason: 'the ops service refused the subtask (HTTP 400: unsupported codec)',
      last_error: 'HTTP 400: unsupported codec',
    });
    expect(outcome.warn).toContain('unsupported codec');
  });

  it.each(['dispatching', 'stopping', 'lost'] as const)('unavailability keeps a %s subtask where it is and schedules the next attempt', (state) => {
    const outcome = retryLater(
      claimed({ state, attempts: 2 }),
      'dispatch',
      'ops service unavailable: cannot reach http://ops: ECONNREFUSED',
      now,
      policy,
      () => 1,
    );
    expect(outcome.expected).toEqual([state]);
    expect(outcome.patch.state).toBeUndefined();
    expect(outcome.patch.attempts).toBe(3);
    expect(outcome.patch.next_attempt_at).toEqual(new Date('2026-12-01T00:00:04.000Z'));
    expect(outcome.patch.last_error).toBe('ops service unavailable: cannot reach http://ops: ECONNREFUSED');
    expect(outcome.patch.status_reason).toBe(
      'dispatch: ops service unavailable: cannot reach http://ops: ECONNREFUSED; attempt 3, next attempt at 2026-12-01T00:00:04.000Z',
    );
    expect(outcome.warn).toBeDefined();
  });

  it('retries are capped in time but never in number', () => {
    const outcome = retryLater(claimed({ attempts: 10_000 }), 'dispatch', 'HTTP 503', now, policy, () => 1);
    expect(outcome.patch.attempts).toBe(10_001);
    expect(outcome.patch.next_attempt_at!.getTime() - now.getTime()).toBe(30_000);
    expect(outcome.patch.state).toBeUndefined();
  });

  it('an open breaker delays the attempt without using one up', () => {
    const retryAt = new Date('2026-12-01T00:00:05.000Z');
    const outcome = waitForCircuit(claimed({ attempts: 4 }), 'dispatch', 'cannot reach http://ops: ECONNREFUSED', retryAt);
    expect(outcome.patch).toEqual({
      next_attempt_at: retryAt,
      status_reason:
        'dispatch: waiting for the ops service to recover (cannot reach http://ops: ECONNREFUSED); attempt 4, next attempt at 2026-12-01T00:00:05.000Z',
    });
    expect(outcome.patch.attempts).toBeUndefined();
  });

  it('a confirmed stop is stopped; a refused one is asked again', () => {
    expect(stopConfirmed()).toEqual({ expected: ['stopping'], patch: { state: 'stopped', status_reason: null, attempts: 0, next_attempt_at: null } });
    const refused = stopRefused(claimed({ state: 'stopping' }), 'HTTP 400: busy', now, policy, () => 0);
    expect(refused.expected).toEqual(['stopping']);
    expect(refused.patch.state).toBeUndefined();
    expect(refused.patch.status_reason).toContain('the ops service refused the stop: HTTP 400: busy');
  });

  it('a lost subtask the ops service forgot is dispatched again under the next generation', () => {
    const outcome = lostForgotten(claimed({ state: 'lost', generation: 7 }), now);
    expect(outcome.expected).toEqual(['lost']);
    expect(outcome.patch).toMatchObject({ state: 'dispatching', generation: 8, next_attempt_at: now, attempts: 0, reported_at: null, progress: null });
  });

  it('a lost subtask converges on what the ops service says', () => {
    expect(lostObserved(claimed({ state: 'lost' }), 'running', 'ignored', null, now).patch).toMatchObject({
      state: 'running',
      status_reason: null,
      progress: 40,
      heartbeat_at: now,
    });
    expect(lostObserved(claimed({ state: 'lost' }), 'failed', 'decoder crashed', 55, now).patch).toMatchObject({
      state: 'failed',
      status_reason: 'decoder crashed',
      progress: 55,
    });
  });

  it('a due scheduled subtask is dispatched; a vanished task fails it', () => {
    expect(dispatchDue()).toEqual({ expected: ['scheduled'], patch: { state: 'dispatching', status_reason: null } });
    expect(taskGone().patch).toMatchObject({ state: 'failed', status_reason: 'the task no longer exists' });
  });

  it('keeps reasons within the column', () => {
    const outcome = retryLater(claimed(), 'dispatch', 'x'.repeat(5000), now, policy);
    expect(outcome.patch.status_reason!.length).toBe(1024);
    expect(outcome.patch.last_error!.length).toBe(1024);
  });
});
