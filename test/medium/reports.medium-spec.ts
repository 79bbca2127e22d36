import { ReportsService } from '../../src/dispatch/reports.service';
import { DATABASE_KINDS, storedInstant } from '../support/databases';
import { reportDto } from './factory';
import { MediumApp, T0 } from './medium-app';

/** ReportsService.ingest on a real database, without HTTP: what each batch writes, event and mark included. */
describe.each(DATABASE_KINDS)('report ingestion (%s)', (kind) => {
  let app: MediumApp;
  let reports: ReportsService;

  beforeAll(async () => {
    app = await MediumApp.start(kind);
    reports = app.get(ReportsService);
  });
  afterAll(async () => {
    await app?.close();
  });
  afterEach(async () => {
    await app.reset();
  });

  it('reports of one batch are judged oldest first, whatever their order in it', async () => {
    const s = await app.factory.subtask({ state: 'running' });

    const results = await reports.ingest([reportDto(s.id, 'completed', T0 - 1000, { progress: 100 }), reportDto(s.id, 'running', T0 - 2000, { progress: 50 })]);

    expect(results).toEqual([
      { subtask_id: s.id, applied: true },
      { subtask_id: s.id, applied: true },
    ]);
    const row = await app.subtask(s.id);
    expect(row).toMatchObject({ state: 'completed', progress: 100 });
    expect(storedInstant(row.reported_at)).toBe(T0 - 1000);
  });

  it('a report older than the last applied one is ignored as stale', async () => {
    const s = await app.factory.subtask({ state: 'running' });
    await reports.ingest([reportDto(s.id, 'running', T0 - 1000, { progress: 60 })]);

    const results = await reports.ingest([reportDto(s.id, 'failed', T0 - 2000, { status_reason: 'late' })]);

    expect(results).toEqual([{ subtask_id: s.id, applied: false, reason: 'stale' }]);
    expect(await app.subtask(s.id)).toMatchObject({ state: 'running', progress: 60 });
    expect(await app.events(s.id)).toEqual([]);
  });

  it('a report of an older generation is refused and writes nothing', async () => {
    const s = await app.factory.subtask({ state: 'dispatching', generation: 2 });

    const results = await reports.ingest([reportDto(s.id, 'running', T0 - 1000, { generation: 1 })]);

    expect(results).toEqual([{ subtask_id: s.id, applied: false, reason: 'stale_generation' }]);
    expect(await app.subtask(s.id)).toMatchObject({ state: 'dispatching', generation: 2 });
    expect(await app.events(s.id)).toEqual([]);
    expect(await app.marks()).toEqual([]);
  });

  it('one batch journals the net change per subtask: one event for a real change, none for a round trip', async () => {
    const { task, subtasks } = await app.factory.taskWithSubtasks(2, { state: 'running' });
    const [a, b] = subtasks;

    await reports.ingest([
      reportDto(a.id, 'failed', T0 - 3000, { status_reason: 'decoder crashed' }),
      reportDto(b.id, 'failed', T0 - 3000, { status_reason: 'blip' }),
      reportDto(a.id, 'running', T0 - 2000),
      reportDto(b.id, 'running', T0 - 2000),
      reportDto(a.id, 'completed', T0 - 1000, { progress: 100 }),
    ]);

    expect(await app.events(a.id)).toEqual([{ kind: 'subtask.state', from_value: 'running', to_value: 'completed', actor_type: 'ops', reason: null, at: T0 }]);
    expect(await app.events(b.id)).toEqual([]);
    expect(await app.subtask(b.id)).toMatchObject({ state: 'running' });
    expect(await app.marks()).toEqual([{ task_id: task.id, marked_at: T0 }]);
  });

  it('a heartbeat-only batch refreshes heartbeat and progress, and writes no event and no mark', async () => {
    const { subtasks } = await app.factory.taskWithSubtasks(3, { state: 'running', heartbeat_at: new Date(T0 - 30_000) });

    const results = await reports.ingest(subtasks.map((s, i) => reportDto(s.id, 'running', T0 - 500, { progress: 10 * (i + 1) })));

    expect(results.every((r) => r.applied)).toBe(true);
    for (const [i, s] of subtasks.entries()) {
      const row = await app.subtask(s.id);
      expect(row).toMatchObject({ state: 'running', progress: 10 * (i + 1) });
      expect(storedInstant(row.heartbeat_at)).toBe(T0);
    }
    expect(await app.rows('SELECT seq FROM tb_event')).toEqual([]);
    expect(await app.marks()).toEqual([]);
  });

  it("a batch's state change leaves its task marked; the next sweep re-derives the status and the mark goes with it", async () => {
    const { task, subtasks } = await app.factory.taskWithSubtasks(1, { state: 'running' }, { status: 'running' });

    await reports.ingest([reportDto(subtasks[0].id, 'failed', T0 - 1000, { status_reason: 'decoder crashed' })]);
    expect((await app.marks()).map((m) => m.task_id)).toEqual([task.id]);
    const stale = await app.rows<{ status: string }>('SELECT status FROM tb_task WHERE id = ?', [task.id]);
    expect(stale[0].status).toBe('running');

    await app.sweep();
    expect(await app.marks()).toEqual([]);
    const [row] = await app.rows<{ status: string }>('SELECT status FROM tb_task WHERE id = ?', [task.id]);
    expect(row.status).toBe('failed');
  });
});
