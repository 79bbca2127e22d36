import { SUBTASK_STATES, type DesiredState, type SubtaskState, type SubtaskStatusInput } from '../../subtask/domain/states';

export type { DesiredState, SubtaskState, SubtaskStatusInput };
export { ACTIVE_STATES, DESIRED_STATES, isActive, SUBTASK_STATES } from '../../subtask/domain/states';

export const TASK_STATUSES = ['unconfigured', 'ready', 'waiting', 'starting', 'running', 'degraded', 'failed', 'stopping', 'stopped', 'completed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];

export type StatusCounts = Record<SubtaskState, number>;

export function emptyStatusCounts(): StatusCounts {
  return Object.fromEntries(SUBTASK_STATES.map((s) => [s, 0])) as StatusCounts;
}

export function countStates(subtasks: readonly SubtaskStatusInput[]): StatusCounts {
  const counts = emptyStatusCounts();
  for (const { state } of subtasks) counts[state] += 1;
  return counts;
}

/** A subtask that should run and is not, for no wish of the operator's. */
const BROKEN: readonly SubtaskState[] = ['failed', 'lost', 'stopped'];
/** On its way to running: waiting for its time, being dispatched, or a restart under way. */
const PENDING: readonly SubtaskState[] = ['scheduled', 'dispatching', 'configured', 'stopping'];

/**
 * The big task's status from its subtasks (API.md section 5), first matching rule wins.
 * Only subtasks that should run (desired `run`) count for and against running: one stopped on
 * purpose is not a fault, and a status that cries wolf is as useless as one that lies.
 * `completed` is tested before `running` because "every subtask completed" also satisfies
 * "every subtask running or completed".
 */
export function deriveTaskStatus(subtasks: readonly SubtaskStatusInput[]): TaskStatus {
  const n = subtasks.length;
  const c = countStates(subtasks);
  if (n === 0 || c.unconfigured > 0) return 'unconfigured';
  if (c.completed === n) return 'completed';

  const shouldRun = subtasks.filter((s) => s.desired_state === 'run');
  if (shouldRun.length === 0) {
    if (subtasks.every((s) => s.desired_state === 'idle')) return 'ready';
    if (c.running + c.stopping + c.dispatching + c.scheduled + c.lost > 0) return 'stopping';
    return 'stopped';
  }

  let running = 0;
  let broken = 0;
  let pending = 0;
  let scheduled = 0;
  for (const { state } of shouldRun) {
    if (state === 'running') running++;
    else if (BROKEN.includes(state)) broken++;
    else if (PENDING.includes(state)) {
      pending++;
      if (state === 'scheduled') scheduled++;
    }
  }
  if (broken === 0) {
    if (pending === 0) return 'running';
    if (running === 0 && scheduled === pending) return 'waiting';
    return 'starting';
  }
  return running > 0 ? 'degraded' : 'failed';
}

/** What the task's reason and next transition are derived from, per subtask. */
export interface SubtaskStatusDetail extends SubtaskStatusInput {
  status_reason: string | null;
  next_attempt_at: Date | null;
}

/** One line of the task's reason: how many subtasks that should run are in a state, and one of their reasons. */
export interface StatusReasonPart {
  state: SubtaskState;
  count: number;
  reason: string | null;
}

/** Why a task is not `running`, before it is put into words (in the reader's language). */
export interface StatusSummary {
  status: TaskStatus;
  counts: StatusCounts;
  /** Subtasks that should run. */
  of: number;
  parts: StatusReasonPart[];
  /** When a subtask waiting for its time is due next (run_dt, a schedule window, a retry). */
  next_transition_at: Date | null;
}

/** The order in which the reason names what is wrong: faults first, then what is still on its way. */
const REASON_ORDER: readonly SubtaskState[] = ['failed', 'lost', 'stopped', 'dispatching', 'scheduled', 'stopping', 'configured'];

/** Status, counts, the parts of the reason and the next transition, from the same subtask rows. */
export function summarizeTaskStatus(subtasks: readonly SubtaskStatusDetail[]): StatusSummary {
  const status = deriveTaskStatus(subtasks);
  const counts = countStates(subtasks);
  const shouldRun = subtasks.filter((s) => s.desired_state === 'run');
  const parts: StatusReasonPart[] = [];
  const showsReason = status === 'waiting' || status === 'starting' || status === 'degraded' || status === 'failed';
  if (showsReason) {
    for (const state of REASON_ORDER) {
      const inState = shouldRun.filter((s) => s.state === state);
      if (inState.length === 0) continue;
      parts.push({ state, count: inState.length, reason: inState.find((s) => s.status_reason)?.status_reason ?? null });
    }
  }
  let next: number | null = null;
  if (status === 'waiting' || status === 'starting') {
    for (const s of shouldRun) {
      if ((s.state === 'scheduled' || s.state === 'dispatching') && s.next_attempt_at) {
        const at = s.next_attempt_at.getTime();
        if (next === null || at < next) next = at;
      }
    }
  }
  return { status, counts, of: shouldRun.length, parts, next_transition_at: next === null ? null : new Date(next) };
}

const STATE_WORDS = {
  en: {
    failed: 'failed',
    lost: 'lost',
    stopped: 'stopped unexpectedly',
    dispatching: 'dispatching',
    scheduled: 'waiting for their time',
    stopping: 'restarting',
    configured: 'about to be dispatched',
  },
  'zh-CN': {
    failed: '失败',
    lost: '失联',
    stopped: '意外停止',
    dispatching: '下发中',
    scheduled: '等待运行时间',
    stopping: '重启中',
    configured: '即将下发',
  },
} as const;

/**
 * The task's `status_reason` in words, e.g. "2 of 16 subtasks failed: HTTP 400 from the ops
 * service: unsupported codec; 1 lost: no report for 62 s". Null when there is nothing to explain.
 * The subtasks' own reasons are quoted as they were written.
 */
export function formatStatusReason(summary: StatusSummary, lang: 'en' | 'zh-CN'): string | null {
  if (summary.parts.length === 0) return null;
  const words = STATE_WORDS[lang];
  const text = summary.parts
    .map((part, i) => {
      const word = words[part.state as keyof typeof words] ?? part.state;
      const head =
        lang === 'en'
          ? i === 0
            ? `${part.count} of ${summary.of} subtask${summary.of === 1 ? '' : 's'} ${word}`
            : `${part.count} ${word}`
          : i === 0
            ? `${summary.of} 个子任务中 ${part.count} 个${word}`
            : `${part.count} 个${word}`;
      return part.reason ? `${head}: ${part.reason}` : head;
    })
    .join('; ');
  return text.length > 1024 ? `${text.slice(0, 1023)}…` : text;
}
