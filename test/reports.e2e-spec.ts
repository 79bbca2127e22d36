import { SubtaskEntity } from '../src/subtask/subtask.entity';
import { INTERNAL_TOKEN, TestApp } from './support/app';
import { DATABASE_KINDS, storedInstant } from './support/databases';
import { pictureTask } from './support/fixtures';

/** The ops service's report batches at their largest: every report must land on its own subtask. */
describe.each(DATABASE_KINDS)('subtask report batches on %s', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('applies a batch of 1,000 reports, each outcome to its own subtask and only to it', async () => {
    const created = await t.request('POST', '/tasks', { body: pictureTask('push_pic_files', 1_000) });
    expect(created.status).toBe(200);
    const taskId = created.body.task_id as string;
    const bystander = await t.request('POST', '/tasks', { body: pictureTask('push_pic_files', 2) });
    await t.dataSource.query("UPDATE tb_subtask SET state = 'running', desired_state = 'run', generation = 1 WHERE task_id IN (?, ?)", [
      taskId,
      bystander.body.task_id,
    ]);
    const ids = (await t.dataSource.query<{ id: string }[]>('SELECT id FROM tb_subtask WHERE task_id = ? ORDER BY position', [taskId])).map((r) => r.id);
    expect(ids).toHaveLength(1_000);
    // A retry time on every fifth subtask: a running report keeps it, so it must come back in its own row.
    const retryAt = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
    const fifth = ids.filter((_, i) => i % 5 === 0);
    await t.dataSource
      .createQueryBuilder()
      .update(SubtaskEntity)
      .set({ next_attempt_at: new Date(retryAt) })
      .where('id IN (:...ids)', { ids: fifth })
      .execute();

    const reportedAt = Date.now() - 1_000;
    const reports = ids.map((subtask_id, i) =>
      i % 7 === 0
        ? {
            subtask_id,
            generation: 1,
            state: 'failed',
            status_reason: `decoder ${i} crashed`,
            progress: i % 101,
            reported_at: new Date(reportedAt + i).toISOString(),
          }
        : { subtask_id, generation: 1, state: 'running', progress: i % 101, reported_at: new Date(reportedAt + i).toISOString() },
    );
    const sentAt = Date.now();
    const res = await t.request('POST', '/internal/subtask-reports', { token: INTERNAL_TOKEN, body: { reports } });
    const answeredAt = Date.now();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ applied: 1_000, ignored: 0 });

    const rows: Record<'id' | 'state' | 'status_reason' | 'progress' | 'reported_at' | 'heartbeat_at' | 'next_attempt_at', unknown>[] =
      await t.dataSource.query('SELECT id, state, status_reason, progress, reported_at, heartbeat_at, next_attempt_at FROM tb_subtask WHERE task_id = ?', [
        taskId,
      ]);
    const byId = new Map(rows.map((r) => [r.id as string, r]));
    ids.forEach((id, i) => {
      const row = byId.get(id)!;
      expect({
        i,
        state: row.state,
        status_reason: row.status_reason,
        progress: Number(row.progress),
        reported_at: storedInstant(row.reported_at),
        next_attempt_at: storedInstant(row.next_attempt_at),
      }).toEqual({
        i,
        state: i % 7 === 0 ? 'failed' : 'running',
        status_reason: i % 7 === 0 ? `decoder ${i} crashed` : null,
        progress: i % 101,
        reported_at: reportedAt + i,
        next_attempt_at: i % 5 === 0 ? retryAt : null,
      });
      // Stored with whole milliseconds: the stamp lies within the request, give or take rounding.
      expect(storedInstant(row.heartbeat_at)).toBeGreaterThanOrEqual(sentAt - 1);
      expect(storedInstant(row.heartbeat_at)).toBeLessThanOrEqual(answeredAt + 1);
    });
    // The other task's subtasks were not in the batch and are untouched.
    const others: { state: string; reported_at: unknown }[] = await t.dataSource.query('SELECT state, reported_at FROM tb_subtask WHERE task_id = ?', [
      bystander.body.task_id,
    ]);
    expect(others).toEqual([
      { state: 'running', reported_at: null },
      { state: 'running', reported_at: null },
    ]);
    expect((await t.request('GET', `/tasks/${taskId}`)).body.status_counts).toMatchObject({ failed: 143, running: 857 });
  });
});
