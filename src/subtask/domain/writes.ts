import type { DesiredState, SubtaskState } from './states';

/** The report columns of a subtask as a batch of reports leaves them. */
export interface ReportWrite {
  id: string;
  state: SubtaskState;
  status_reason: string | null;
  progress: number | null;
  reported_at: Date;
  next_attempt_at: Date | null;
}

/** What a heartbeat writes to its subtask, and what the row must still match (generation, state) for it to apply. */
export interface HeartbeatWrite {
  id: string;
  generation: number;
  state: string;
  status_reason: string | null;
  progress: number | null;
  reported_at: Date;
}

/** What a start or stop writes to subtasks; `bumpGeneration` starts a new dispatch generation. */
export interface ControlWrite {
  desired_state: DesiredState;
  state: SubtaskState;
  bumpGeneration: boolean;
  next_attempt_at: Date | null;
  /** Why it waits, when a schedule holds it (the next opening). */
  status_reason?: string;
}

/** The subtask columns a reconciler outcome may write. */
export interface OutcomeWrite {
  state?: SubtaskState;
  generation?: number;
  status_reason?: string | null;
  last_error?: string | null;
  attempts?: number;
  next_attempt_at?: Date | null;
  heartbeat_at?: Date | null;
  reported_at?: Date | null;
  progress?: number | null;
}

/** A reconciler outcome to write under the claim it was worked on. */
export interface ClaimedOutcome {
  id: string;
  /** The claim token the work holds. */
  token: string;
  /** The generation and the states the work was decided for. */
  generation: number;
  expected: readonly SubtaskState[];
  patch: OutcomeWrite;
  /** Keep the lease (the work goes on: a call to the ops service follows). */
  keepLease: boolean;
}

/** The subtask row as it is when its outcome is written, read under its lock. */
export interface ClaimedRow {
  lease_owner: string | null;
  generation: number;
  state: SubtaskState;
}

/**
 * Whether an outcome still applies: the claim holds the subtask, and neither a new start (the
 * generation) nor a report or control write (the state) has moved it since the work was decided.
 */
export function outcomeApplies(row: ClaimedRow | undefined, outcome: Pick<ClaimedOutcome, 'token' | 'generation' | 'expected'>): boolean {
  return row !== undefined && row.lease_owner === outcome.token && row.generation === outcome.generation && outcome.expected.includes(row.state);
}
