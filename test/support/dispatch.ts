import { OpsSimulator } from '../../tools/ops-sim/ops-simulator';
import { INTERNAL_TOKEN, TestApp } from './app';
import { DatabaseKind, TestDatabase } from './databases';
import { eventually } from './eventually';
import { videoTask } from './fixtures';

/** Fast settings so retries, leases and heartbeats play out in seconds. */
export const FAST_DISPATCH_ENV = {
  RECONCILER_ENABLED: 'true',
  RECONCILE_INTERVAL_MS: '50',
  OPS_TIMEOUT_MS: '300',
  OPS_RETRY_BASE_MS: '20',
  OPS_RETRY_MAX_MS: '100',
  LEASE_MS: '1500',
  HEARTBEAT_TIMEOUT_MS: '1000',
  DISPATCH_CONCURRENCY: '8',
};

export interface DispatchRig {
  t: TestApp;
  sim: OpsSimulator;
  close(options?: { keepDatabase?: boolean }): Promise<void>;
}

/** The app listening on loopback with its reconciler on, and an ops simulator reporting back to it. */
export async function startRig(
  kind: DatabaseKind,
  env: Record<string, string> = {},
  db?: TestDatabase,
  simOptions: Parameters<typeof OpsSimulator.start>[0] = {},
): Promise<DispatchRig> {
  const sim = await OpsSimulator.start({ reportIntervalMs: 100, reportToken: INTERNAL_TOKEN, ...simOptions });
  const t = await TestApp.start(kind, { ...FAST_DISPATCH_ENV, OPS_BASE_URL: sim.url, ...env }, db);
  const url = await t.listen();
  sim.setOptions({ reportUrl: `${url}/internal/subtask-reports` });
  return {
    t,
    sim,
    close: async (options) => {
      await t.close(options);
      await sim.close();
    },
  };
}

export async function createConfiguredTask(
  t: TestApp,
  channels: number,
  overrides: Record<string, unknown> = {},
): Promise<{ taskId: string; subtaskIds: string[] }> {
  const created = await t.request('POST', '/tasks', { body: videoTask(overrides, channels) });
  if (created.status !== 200) throw new Error(`create failed: ${created.text}`);
  const taskId = created.body.task_id as string;
  const subtasks = await t.request('GET', `/tasks/${taskId}/subtasks`);
  const subtaskIds = subtasks.body.list_data.map((s: { subtask_id: string }) => s.subtask_id) as string[];
  for (const id of subtaskIds) {
    const done = await t.request('POST', `/subtasks/${id}/config-complete`);
    if (done.status !== 200) throw new Error(`config-complete failed: ${done.text}`);
  }
  return { taskId, subtaskIds };
}

export interface SubtaskView {
  subtask_id: string;
  state: string;
  desired_state: string;
  generation: number;
  status_reason: string | null;
  attempts: number;
  next_attempt_at: string | null;
  last_error: string | null;
  lease_owner: string | null;
}

export async function subtasksOf(t: TestApp, taskId: string): Promise<SubtaskView[]> {
  return (await t.request('GET', `/tasks/${taskId}/subtasks`)).body.list_data;
}

export async function waitForStates(t: TestApp, taskId: string, expected: (states: string[]) => boolean, timeoutMs = 15_000): Promise<SubtaskView[]> {
  return eventually(async () => {
    const list = await subtasksOf(t, taskId);
    const states = list.map((s) => s.state);
    if (!expected(states)) throw new Error(`states are ${states.join(',')}`);
    return list;
  }, timeoutMs);
}

export const all = (state: string) => (states: string[]) => states.length > 0 && states.every((s) => s === state);

/** How many start POSTs reached the ops service per `subtask_id:generation` (replays included). */
export function postsPerKey(sim: OpsSimulator, keys?: readonly string[]): number[] {
  const posts = sim.stats().startPostsByKey;
  return (keys ?? [...posts.keys()]).map((key) => posts.get(key) ?? 0);
}

/** Start the task and wait until every subtask runs. */
export async function startAndWait(t: TestApp, taskId: string): Promise<SubtaskView[]> {
  await t.request('POST', `/tasks/${taskId}/start`);
  return waitForStates(t, taskId, all('running'));
}

/** Stop the task and wait until every subtask has stopped. */
export async function stopAndWait(t: TestApp, taskId: string): Promise<SubtaskView[]> {
  await t.request('POST', `/tasks/${taskId}/stop`);
  return waitForStates(t, taskId, all('stopped'));
}
