import { DESIRED_STATES, type DesiredState, SUBTASK_STATES, type SubtaskState } from '../../subtask/domain/states';
/**
 * Availability of a subtask over a window [from, to) (API.md section 7), from its state and desired
 * state at `from` and its changes inside the window. Pure: no clock, no I/O.
 *
 * Only time when the subtask should run (desired `run`) counts. Each stretch of it is one of:
 * - up: `running`;
 * - down: `failed` or `lost`; and any other state once the subtask has run (or failed) since its
 *   latest start: a re-dispatch, a stop it did not ask for, a recovery under way;
 * - neither: the start-up stretch from a start to its first `running` (`configured`, `dispatching`
 *   before it ever ran); `scheduled` (waiting on purpose for `run_dt` or its schedule window);
 *   `completed` (finished picture / batch work is not an outage, and the time after it is not counted).
 * Time with desired `stop` or `idle` (stopped on purpose, never started) is neither.
 *
 * A start is desired becoming `run` from `stop`/`idle`; it opens a new start-up stretch. A repeated
 * start while already wanted running does not, so it cannot hide an outage under way. `scheduled` and
 * `completed` also end the run: what follows them is a fresh start-up (a schedule window's open is a
 * new dispatch, a finished job restarted is a new job).
 *
 *   uptime_ratio = running_ms / (running_ms + down_ms), null when both are 0 (nothing should have run)
 *   outage       = one unbroken stretch of downtime, cut by the window's edges: one under way at `from`
 *                  counts from `from`, one still open at `to` counts until `to`; both are outages and
 *                  enter mttr with their length inside the window
 *   mttr_ms      = mean outage length = down_ms / outages, null without outages
 *
 * Downtime consists of the outages, so down_ms is the sum of their lengths. Consecutive down states
 * merge into one outage (failed → dispatching → lost); a zero-length stretch neither breaks an
 * outage nor makes one.
 */

/** The subtask's states and wishes, as the state machine names them. */
export const AVAILABILITY_STATES = SUBTASK_STATES;
export type AvailabilityState = SubtaskState;

export const AVAILABILITY_DESIRED = DESIRED_STATES;
export type AvailabilityDesired = DesiredState;

export interface AvailabilityInitial {
  state: AvailabilityState;
  desired: AvailabilityDesired;
  /**
   * Whether the subtask had run (or failed) since its latest start before `from`: it decides whether a
   * `dispatching`/`stopped`/… at `from` is a start-up or a recovery. Default false (start-up); it is
   * implied by `running`, `failed` and `lost`. `availabilityInputFromJournal` computes it.
   */
  ran_since_start?: boolean;
}

/** One change inside the window; with both fields, the desired state applies first. */
export interface AvailabilityChange {
  at: Date;
  state?: AvailabilityState;
  desired?: AvailabilityDesired;
}

export interface AvailabilityInput {
  initial: AvailabilityInitial;
  /** In time order; equal timestamps apply in the order given. Each must lie in [from, to). */
  changes: readonly AvailabilityChange[];
  from: Date;
  to: Date;
}

export interface Outage {
  start: Date;
  end: Date;
  ms: number;
}

export interface AvailabilityFigures {
  uptime_ratio: number | null;
  running_ms: number;
  down_ms: number;
  outages: number;
  longest_outage_ms: number;
  mttr_ms: number | null;
}

export interface SubtaskAvailability extends AvailabilityFigures {
  outage_list: Outage[];
}

type Stretch = 'up' | 'down' | 'neither';

interface Cursor {
  state: AvailabilityState;
  desired: AvailabilityDesired;
  ran: boolean;
}

function classify({ state, desired, ran }: Cursor): Stretch {
  if (desired !== 'run') return 'neither';
  switch (state) {
    case 'running':
      return 'up';
    case 'failed':
    case 'lost':
      return 'down';
    case 'scheduled':
    case 'completed':
      return 'neither';
    default:
      return ran ? 'down' : 'neither';
  }
}

/** What a state says about "has run since the latest start"; undefined: it says nothing. */
function ranAfter(state: AvailabilityState): boolean | undefined {
  if (state === 'running' || state === 'failed' || state === 'lost') return true;
  if (state === 'scheduled' || state === 'completed') return false;
  return undefined;
}

function checkState(state: string, where: string): void {
  if (!(AVAILABILITY_STATES as readonly string[]).includes(state)) throw new RangeError(`${where}: unknown subtask state '${state}'`);
}

function checkDesired(desired: string, where: string): void {
  if (!(AVAILABILITY_DESIRED as readonly string[]).includes(desired)) throw new RangeError(`${where}: unknown desired state '${desired}'`);
}

function checkChange(change: Omit<AvailabilityChange, 'at'>, where: string): void {
  if (change.state !== undefined) checkState(change.state, where);
  if (change.desired !== undefined) checkDesired(change.desired, where);
}

function checkTime(date: Date, where: string): number {
  const ms = date instanceof Date ? date.getTime() : NaN;
  if (Number.isNaN(ms)) throw new RangeError(`${where}: not a valid date`);
  return ms;
}

function start(initial: AvailabilityInitial): Cursor {
  checkState(initial.state, 'initial');
  checkDesired(initial.desired, 'initial');
  return { state: initial.state, desired: initial.desired, ran: ranAfter(initial.state) ?? initial.ran_since_start ?? false };
}

function apply(cursor: Cursor, change: Omit<AvailabilityChange, 'at'>): Cursor {
  let { state, desired, ran } = cursor;
  if (change.desired !== undefined) {
    if (change.desired === 'run' && desired !== 'run') ran = false;
    desired = change.desired;
  }
  if (change.state !== undefined) {
    state = change.state;
    ran = ranAfter(state) ?? ran;
  }
  return { state, desired, ran };
}

function figures(running_ms: number, down_ms: number, outages: number, longest_outage_ms: number): AvailabilityFigures {
  return {
    uptime_ratio: running_ms + down_ms > 0 ? running_ms / (running_ms + down_ms) : null,
    running_ms,
    down_ms,
    outages,
    longest_outage_ms,
    mttr_ms: outages > 0 ? down_ms / outages : null,
  };
}

/**
 * A subtask's availability over [from, to). A change outside the window or out of time order is the
 * caller's bug and is refused (RangeError) rather than clamped: clamping would silently count a change
 * that belongs in `initial`. A window with `to` before `from` is refused too; `from` = `to` is an empty
 * window (all zero, uptime_ratio null).
 */
export function subtaskAvailability(input: AvailabilityInput): SubtaskAvailability {
  const t0 = checkTime(input.from, 'from');
  const t1 = checkTime(input.to, 'to');
  if (t1 < t0) throw new RangeError(`window ends (${input.to.toISOString()}) before it starts (${input.from.toISOString()})`);

  let cursor = start(input.initial);
  let running_ms = 0;
  let down_ms = 0;
  let longest = 0;
  const outage_list: Outage[] = [];
  let outageStart: number | null = null;

  const close = (end: number) => {
    if (outageStart === null) return;
    const ms = end - outageStart;
    outage_list.push({ start: new Date(outageStart), end: new Date(end), ms });
    down_ms += ms;
    longest = Math.max(longest, ms);
    outageStart = null;
  };
  const stretch = (begin: number, end: number) => {
    if (end === begin) return;
    const kind = classify(cursor);
    if (kind === 'down') {
      outageStart ??= begin;
      return;
    }
    close(begin);
    if (kind === 'up') running_ms += end - begin;
  };

  let at = t0;
  input.changes.forEach((change, i) => {
    const where = `changes[${i}]`;
    const ms = checkTime(change.at, where);
    if (ms < t0 || ms >= t1)
      throw new RangeError(`${where}: ${change.at.toISOString()} is outside the window [${input.from.toISOString()}, ${input.to.toISOString()})`);
    if (ms < at) throw new RangeError(`${where}: ${change.at.toISOString()} is before the change preceding it`);
    checkChange(change, where);
    stretch(at, ms);
    cursor = apply(cursor, change);
    at = ms;
  });
  stretch(at, t1);
  close(t1);

  return { ...figures(running_ms, down_ms, outage_list.length, longest), outage_list };
}

/**
 * A task's availability: its subtasks' figures summed. uptime_ratio comes from the summed times (not
 * the mean of the ratios), outages are counted per subtask (two subtasks down at once are two
 * outages), the longest is the longest of any subtask, mttr the mean over all their outages.
 */
export function sumAvailability(rows: readonly AvailabilityFigures[]): AvailabilityFigures {
  let running_ms = 0;
  let down_ms = 0;
  let outages = 0;
  let longest = 0;
  for (const row of rows) {
    running_ms += row.running_ms;
    down_ms += row.down_ms;
    outages += row.outages;
    longest = Math.max(longest, row.longest_outage_ms);
  }
  return figures(running_ms, down_ms, outages, longest);
}

/** The journal fields the availability reads (API.md section 7); full journal rows fit. */
export interface AvailabilityEvent {
  at: Date;
  kind: string;
  from: string | null;
  to: string | null;
}

export const STATE_EVENT_KIND = 'subtask.state';
export const DESIRED_EVENT_KINDS: readonly string[] = ['task.desired', 'subtask.desired'];

/**
 * The input for `subtaskAvailability` from one subtask's journal: its `subtask.state` events and the
 * desired-state events that concern it, oldest first (events with equal `at` keep their order). Events
 * before `from` fold into `initial` (including whether it had run since its latest start), events in
 * [from, to) become the changes, later ones and other kinds are left out. Before its first event, the
 * subtask is in that event's `from` state. With no event of a kind at all (pruned past retention, or
 * never journalled), it has been in `current` (the row's state and desire now) all along, or
 * `unconfigured` and `idle` without it: pass every event up to now, so that an event after `to`
 * still tells what came before it.
 */
export function availabilityInputFromJournal(
  events: readonly AvailabilityEvent[],
  from: Date,
  to: Date,
  current?: { state: AvailabilityState; desired: AvailabilityDesired },
): AvailabilityInput {
  const t0 = checkTime(from, 'from');
  const t1 = checkTime(to, 'to');
  const changes: AvailabilityChange[] = [];
  const read = (event: AvailabilityEvent): Omit<AvailabilityChange, 'at'> | null => {
    if (event.to === null) return null;
    if (event.kind === STATE_EVENT_KIND) return { state: event.to as AvailabilityState };
    if (DESIRED_EVENT_KINDS.includes(event.kind)) return { desired: event.to as AvailabilityDesired };
    return null;
  };

  const ordered = events.map((event, i) => ({ event, i, ms: checkTime(event.at, `events[${i}]`) })).sort((a, b) => a.ms - b.ms || a.i - b.i);
  const firstFrom = <T extends string>(kinds: readonly string[], values: readonly T[], none: T, unknown: T): T => {
    const first = ordered.find(({ event }) => kinds.includes(event.kind));
    if (!first) return none;
    return values.includes(first.event.from as T) ? (first.event.from as T) : unknown;
  };
  let cursor = start({
    state: firstFrom([STATE_EVENT_KIND], AVAILABILITY_STATES, current?.state ?? 'unconfigured', 'unconfigured'),
    desired: firstFrom(DESIRED_EVENT_KINDS, AVAILABILITY_DESIRED, current?.desired ?? 'idle', 'idle'),
  });
  for (const { event, i, ms } of ordered) {
    if (ms >= t1) break;
    const change = read(event);
    if (change === null) continue;
    checkChange(change, `events[${i}]`);
    if (ms < t0) cursor = apply(cursor, change);
    else changes.push({ at: event.at, ...change });
  }
  return { initial: { state: cursor.state, desired: cursor.desired, ran_since_start: cursor.ran }, changes, from, to };
}
