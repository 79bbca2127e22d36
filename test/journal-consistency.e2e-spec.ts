import type { ChildProcess } from 'node:child_process';
import { DataSource } from 'typeorm';
import { OpsSimulator } from '../tools/ops-sim/ops-simulator';
import { INTERNAL_TOKEN, TestApp, type TestResponse } from './support/app';
import { killed, sleep, spawnService as spawnServiceProcess } from './support/service-process';
import { createTestDatabase, TestDatabase } from './support/databases';
import { FAST_DISPATCH_ENV } from './support/dispatch';
import { eventually } from './support/eventually';
import { videoTask } from './support/fixtures';

/**
 * No change without its event, no event without its change: the service is killed with SIGKILL at
 * random moments of a busy workload (creates, 配置完成, starts, reports from a flaky ops service,
 * stops), and the journal is then compared with the rows it describes.
 */
const OPERATOR = 'journal-operator-token-0001';
const spawnService = (env: Record<string, string>) => spawnServiceProcess({ AUTH_TOKENS: `${OPERATOR}:operator`, ...env });
const kill9 = (child: ChildProcess) => killed(child, 'SIGKILL');

/** Requests to the service; a request cut off by the kill is simply lost, as a client's would be. */
function client(url: string) {
  return async (method: string, path: string, body?: unknown): Promise<{ status: number; body: TestResponse['body'] }> => {
    try {
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: OPERATOR, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return { status: res.status, body: await res.json().catch(() => null) };
    } catch {
      return { status: 0, body: null };
    }
  };
}

interface EventRow {
  seq: string | number;
  kind: string;
  task_id: string;
  subtask_id: string | null;
  from_value: string | null;
  to_value: string | null;
}

/**
 * Every subtask's state and config events form one chain from `unconfigured` to its stored state;
 * every task's status events end at its stored status; the positions run 1, 2, … without a gap and
 * the sequence row is past the last (a killed transaction gave its positions back with its rows).
 */
async function expectJournalMatchesRows(ds: DataSource): Promise<{ events: number; subtasks: number }> {
  const events: EventRow[] = await ds.query('SELECT seq, kind, task_id, subtask_id, from_value, to_value FROM tb_event ORDER BY seq');
  const subtasks: { id: string; state: string }[] = await ds.query('SELECT id, state FROM tb_subtask');
  const tasks: { id: string; status: string }[] = await ds.query('SELECT id, status FROM tb_task');
  const chains = new Map<string, EventRow[]>();
  const statuses = new Map<string, EventRow[]>();
  for (const e of events) {
    if ((e.kind === 'subtask.state' || e.kind === 'subtask.config') && e.subtask_id) chains.set(e.subtask_id, [...(chains.get(e.subtask_id) ?? []), e]);
    if (e.kind === 'task.status') statuses.set(e.task_id, [...(statuses.get(e.task_id) ?? []), e]);
  }
  const broken: string[] = [];
  for (const subtask of subtasks) {
    let state = 'unconfigured';
    for (const e of chains.get(subtask.id) ?? []) {
      // A draft saved on an unconfigured subtask keeps it unconfigured: the only event whose from may equal its to.
      if (e.from_value !== state) broken.push(`${subtask.id}: event ${e.seq} ${e.kind} from ${e.from_value}, but the subtask was ${state}`);
      state = e.to_value!;
    }
    if (state !== subtask.state) broken.push(`${subtask.id}: journal ends at ${state}, row is ${subtask.state}`);
  }
  const created = new Map(events.filter((e) => e.kind === 'task.created').map((e) => [e.task_id, e.to_value]));
  for (const task of tasks) {
    let status = created.get(task.id);
    if (status === undefined) broken.push(`${task.id}: no task.created event`);
    for (const e of statuses.get(task.id) ?? []) {
      if (e.from_value !== status) broken.push(`${task.id}: task.status ${e.seq} from ${e.from_value}, but the stored status was ${status}`);
      status = e.to_value;
    }
    if (status !== task.status) broken.push(`${task.id}: journal ends at ${status}, stored status is ${task.status}`);
  }
  expect(broken).toEqual([]);
  const gaps = events.filter((e, i) => Number(e.seq) !== i + 1).map((e) => Number(e.seq));
  expect(gaps.slice(0, 5)).toEqual([]);
  const [{ next_seq }]: { next_seq: string | number }[] = await ds.query('SELECT next_seq FROM tb_event_sequence WHERE id = 1');
  expect(Number(next_seq)).toBe(events.length + 1);
  return { events: events.length, subtasks: subtasks.length };
}

describe('the journal against the rows, through SIGKILL at random moments (MariaDB)', () => {
  let db: TestDatabase;
  let sim: OpsSimulator;
  let child: ChildProcess | undefined;

  beforeAll(async () => {
    db = await createTestDatabase('mysql');
    sim = await OpsSimulator.start({ latencyMs: 20, errorRate: 0.2, crashProbability: 0.05, reportIntervalMs: 100, reportToken: INTERNAL_TOKEN });
  });

  afterAll(async () => {
    if (child) await kill9(child);
    await sim.close();
    await db.drop();
  });

  it('holds after every kill, and the next boot derives every status from the rows', async () => {
    const env = { ...FAST_DISPATCH_ENV, ...db.env, OPS_BASE_URL: sim.url, HEARTBEAT_TIMEOUT_MS: '1500' };
    const boot = async () => {
      const started = await spawnService(env);
      child = started.child;
      sim.setOptions({ reportUrl: `${started.url}/internal/subtask-reports` });
      return client(started.url);
    };
    const seed = Number(process.env.JOURNAL_SEED ?? Date.now() % 100_000);
    let state = seed;
    const random = () => (state = (state * 48271) % 2147483647) / 2147483647;

    // Round 1: create and configure, killed while the starts are being dispatched.
    let call = await boot();
    const taskIds: string[] = [];
    for (let i = 0; i < 4; i++) {
      const created = await call('POST', '/tasks', videoTask({ task_name: `journal ${i}` }, 6));
      expect(created.status).toBe(200);
      taskIds.push(created.body.task_id);
      const subtasks = await call('GET', `/tasks/${created.body.task_id}/subtasks`);
      for (const s of subtasks.body.list_data) expect((await call('POST', `/subtasks/${s.subtask_id}/config-complete`)).status).toBe(200);
    }
    await Promise.all(taskIds.map((id) => call('POST', `/tasks/${id}/start`)));
    await sleep(100 + random() * 600);
    await kill9(child!);
    await expectJournalMatchesRows(await reader(db));

    // Rounds 2–4: restart, stop and start some, killed at random moments while reports flow.
    for (let round = 0; round < 3; round++) {
      call = await boot();
      const pick = taskIds[Math.floor(random() * taskIds.length)];
      const actions = [call('POST', `/tasks/${pick}/stop`), call('POST', `/tasks/${taskIds[(round + 1) % taskIds.length]}/start`)];
      await sleep(random() * 800);
      await kill9(child!);
      await Promise.all(actions);
      await expectJournalMatchesRows(await reader(db));
    }

    // A last boot repairs what the kills left: every stored status equals the one derived from its rows.
    const t = await TestApp.start('mysql', { ...env, RECONCILER_ENABLED: 'false' }, db);
    try {
      await eventually(async () => {
        const marks = await t.count('tb_task_status_mark');
        expect(marks).toBe(0);
      });
      for (const id of taskIds) {
        const detail = (await t.request('GET', `/tasks/${id}`)).body;
        const [row] = await t.dataSource.query('SELECT status FROM tb_task WHERE id = ?', [id]);
        expect(row.status).toBe(detail.status);
      }
      const totals = await expectJournalMatchesRows(t.dataSource);
      expect(totals.subtasks).toBe(24);
      expect(totals.events).toBeGreaterThan(24 * 2);
    } finally {
      await t.close({ keepDatabase: true });
      await closeReader();
    }
  }, 120_000);
});

let plain: DataSource | undefined;

/** A plain connection to the suite's database, for reading the rows while no service runs. */
async function reader(db: TestDatabase): Promise<DataSource> {
  if (!plain) {
    plain = new DataSource({
      type: 'mariadb',
      host: db.env.DB_HOST,
      port: Number(db.env.DB_PORT),
      username: db.env.DB_USER,
      password: db.env.DB_PASSWORD,
      database: db.env.DB_NAME,
    });
    await plain.initialize();
  }
  return plain;
}

async function closeReader(): Promise<void> {
  await plain?.destroy();
  plain = undefined;
}
