import { ReportsService } from '../../src/dispatch/reports.service';
import { DATABASE_KINDS } from '../support/databases';
import { MediumApp, T0 } from './medium-app';

/**
 * EVENT_JOURNAL_ENABLED=false: the same changes are made, marked and re-derived, and nothing is
 * journalled. A report batch and a reconciler outcome, each of which writes events when it is on.
 */
describe.each(DATABASE_KINDS)('journal switched off (%s)', (kind) => {
  let app: MediumApp;

  beforeAll(async () => {
    app = await MediumApp.start(kind, { EVENT_JOURNAL_ENABLED: 'false' });
  });
  afterAll(async () => {
    await app?.close();
  });
  afterEach(async () => {
    await app.reset();
  });

  it('a report that changes state changes it, marks the task, and writes no event', async () => {
    const s = await app.factory.subtask({ state: 'running' });

    const results = await app
      .get(ReportsService)
      .ingest([{ subtask_id: s.id, generation: 1, state: 'failed', reported_at: new Date(T0 - 1000).toISOString() }]);

    expect(results).toEqual([{ subtask_id: s.id, applied: true }]);
    expect((await app.subtask(s.id)).state).toBe('failed');
    expect(await app.marks()).toEqual([{ task_id: s.task_id, marked_at: T0 }]);
    expect(await app.rows('SELECT seq FROM tb_event')).toEqual([]);
  });

  it('a dispatch is made and written, and writes no event', async () => {
    const { task, subtasks } = await app.factory.taskWithSubtasks(1, { state: 'dispatching' });
    await app.factory.scenes(task.id);

    await app.pass();

    expect((await app.subtask(subtasks[0].id)).state).toBe('running');
    expect(app.ops.callsOf('start')).toHaveLength(1);
    expect(await app.rows('SELECT seq FROM tb_event')).toEqual([]);
  });
});
