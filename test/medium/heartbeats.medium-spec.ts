import { appliesAsHeartbeat } from '../../src/dispatch/domain/heartbeats';
import { REPORTED_STATES } from '../../src/dispatch/domain/transitions';
import { ReportsService } from '../../src/dispatch/reports.service';
import { DESIRED_STATES, SUBTASK_STATES } from '../../src/subtask/domain/states';
import { SubtaskRepository } from '../../src/subtask/subtask.repository';
import { storedInstant } from '../support/databases';
import { reportDto } from './factory';
import { MediumApp, T0 } from './medium-app';

/** The one-statement heartbeat write (MySQL only) against the rule it stands for, and the batches that fall back from it. */
describe('heartbeats written in one statement (mysql)', () => {
  let app: MediumApp;

  beforeAll(async () => {
    app = await MediumApp.start('mysql');
  });
  afterAll(async () => {
    await app?.close();
  });
  afterEach(async () => {
    await app.reset();
  });

  it('updates exactly the rows appliesAsHeartbeat accepts, and leaves the others as they were', async () => {
    const reportedAt = T0 - 1000;
    const matrix = SUBTASK_STATES.flatMap((state) =>
      DESIRED_STATES.flatMap((desired_state) =>
        [1, 2, 3].flatMap((generation) =>
          [null, T0 - 2000, T0 - 1000, T0].map((stored) => ({
            state,
            desired_state,
            generation,
            reported_at: stored === null ? null : new Date(stored),
            // The state it repeats when it can be reported, else one it cannot match.
            report: (REPORTED_STATES as readonly string[]).includes(state) ? state : 'running',
          })),
        ),
      ),
    );
    const { subtasks } = await app.factory.taskWithSubtasks(matrix.length, {}, { vchans: matrix.map((_, i) => ({ vchan_refid: `ch-${i + 1}` })) });
    // Each row of the matrix on its own subtask.
    for (const [i, s] of subtasks.entries()) {
      const m = matrix[i];
      await app.dataSource.query('UPDATE tb_subtask SET state = ?, desired_state = ?, generation = ?, reported_at = ?, heartbeat_at = NULL WHERE id = ?', [
        m.state,
        m.desired_state,
        m.generation,
        m.reported_at,
        s.id,
      ]);
    }
    const writes = subtasks.map((s, i) => ({
      id: s.id,
      generation: 2,
      state: matrix[i].report,
      status_reason: null,
      progress: 7,
      reported_at: new Date(reportedAt),
    }));
    const now = new Date(T0);

    const updated = await app.get(SubtaskRepository).writeHeartbeats(writes, now);

    const expected = matrix.map((m) =>
      appliesAsHeartbeat(m, { generation: 2, state: m.report as (typeof REPORTED_STATES)[number], reported_at: new Date(reportedAt) }),
    );
    const rows = await app.rows<{ id: string; progress: number | null; heartbeat_at: unknown; reported_at: unknown; state: string }>(
      'SELECT id, progress, heartbeat_at, reported_at, state FROM tb_subtask',
    );
    const byId = new Map(rows.map((r) => [r.id, r]));
    const disagreements = subtasks.flatMap((s, i) => {
      const row = byId.get(s.id)!;
      const written = storedInstant(row.heartbeat_at) === T0 && row.progress === 7 && storedInstant(row.reported_at) === reportedAt;
      const untouched =
        row.heartbeat_at === null && row.state === matrix[i].state && storedInstant(row.reported_at) === (matrix[i].reported_at?.getTime() ?? null);
      return (expected[i] ? written : untouched) ? [] : [{ ...matrix[i], expected: expected[i], row }];
    });
    expect(disagreements).toEqual([]);
    expect(updated).toBe(expected.filter(Boolean).length);
    expect(updated).toBeGreaterThan(0);
    expect(updated).toBeLessThan(matrix.length);
  });

  describe('through ReportsService', () => {
    let reports: ReportsService;
    beforeAll(() => {
      reports = app.get(ReportsService);
    });

    it('a heartbeat batch after the first is written in one statement: progress and times, no event, no mark', async () => {
      const { subtasks } = await app.factory.taskWithSubtasks(3, { state: 'running' });
      await reports.ingest(subtasks.map((s) => reportDto(s.id, 'running', T0 - 2000)));
      const statements = jest.spyOn(app.get(SubtaskRepository), 'lockForReports');

      const results = await reports.ingest(subtasks.map((s, i) => reportDto(s.id, 'running', T0 - 1000, { progress: i + 1 })));

      expect(results).toEqual(subtasks.map((s) => ({ subtask_id: s.id, applied: true })));
      expect(statements).not.toHaveBeenCalled();
      statements.mockRestore();
      for (const [i, s] of subtasks.entries()) {
        const row = await app.subtask(s.id);
        expect(row).toMatchObject({ state: 'running', progress: i + 1 });
        expect(storedInstant(row.reported_at)).toBe(T0 - 1000);
        expect(storedInstant(row.heartbeat_at)).toBe(T0);
      }
      expect(await app.rows('SELECT seq FROM tb_event')).toEqual([]);
      expect(await app.marks()).toEqual([]);
    });

    it('a batch whose rows changed meanwhile applies the heartbeats and judges the rest: a lost subtask runs again, a stale report is refused', async () => {
      const { task, subtasks } = await app.factory.taskWithSubtasks(3, { state: 'running' });
      const [steady, wasLost, late] = subtasks;
      await reports.ingest(subtasks.map((s) => reportDto(s.id, 'running', T0 - 3000)));
      // Since: the reconciler found one lost, and a newer report of another arrived through another replica.
      await app.dataSource.query("UPDATE tb_subtask SET state = 'lost' WHERE id = ?", [wasLost.id]);
      await app.dataSource.query('UPDATE tb_subtask SET reported_at = ? WHERE id = ?', [new Date(T0 - 500), late.id]);

      const results = await reports.ingest([
        reportDto(steady.id, 'running', T0 - 2000, { progress: 5 }),
        reportDto(wasLost.id, 'running', T0 - 2000),
        reportDto(late.id, 'running', T0 - 2000),
      ]);

      expect(results).toEqual([
        { subtask_id: steady.id, applied: true },
        { subtask_id: wasLost.id, applied: true },
        { subtask_id: late.id, applied: false, reason: 'stale' },
      ]);
      expect(await app.subtask(steady.id)).toMatchObject({ state: 'running', progress: 5 });
      expect(await app.subtask(wasLost.id)).toMatchObject({ state: 'running' });
      expect(await app.events(steady.id)).toEqual([]);
      expect(await app.events(wasLost.id)).toEqual([
        { kind: 'subtask.state', from_value: 'lost', to_value: 'running', actor_type: 'ops', reason: null, at: T0 },
      ]);
      expect(await app.marks()).toEqual([{ task_id: task.id, marked_at: T0 }]);
    });
  });
});
