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
