import { TransactionRunner } from '../src/database/transaction.runner';
import { TaskRepository } from '../src/task/task.repository';
import { TestApp } from './support/app';
import { DATABASE_KINDS, storedInstant } from './support/databases';
import { taskRow } from './support/fixtures';

const DAY_MS = 86_400_000;
const TODAY = Date.UTC(2026, 10, 26);

/**
 * Tasks created over many days, as the list meets them after months of use: the unfiltered list
 * locates deep pages by per-day counts, and every page must still be exactly the slice of the
 * plain newest-first order, through deletes and restores.
 */
describe.each(DATABASE_KINDS)('task list paging by day on %s', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start(kind);
    // 150 days with one task each (more days than the first read of day counts), some days with
    // many, ties on create_dt (the id decides), and tasks on both edges of a UTC day.
    const createdAt: number[] = [];
    for (let d = 0; d < 150; d++) createdAt.push(TODAY - d * DAY_MS - 3_600_000);
    for (let k = 0; k < 12; k++) createdAt.push(TODAY - 2 * DAY_MS + k * 60_000);
    for (let k = 0; k < 5; k++) createdAt.push(TODAY - 40 * DAY_MS + 1234);
    createdAt.push(TODAY - 7 * DAY_MS, TODAY - 7 * DAY_MS - 1, TODAY - 6 * DAY_MS - 1);
    const tasks = t.app.get(TaskRepository);
    await t.app.get(TransactionRunner).run(async (em) => {
      for (const at of createdAt) {
        const row = taskRow(at, { task_name: 'Paging probe' });
        await tasks.insert(em, row);
        await tasks.countLive(em, row.create_dt, 1);
      }
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const expectedOrder = async (): Promise<string[]> => {
    const rows: { id: string }[] = await t.dataSource.query('SELECT id FROM tb_task WHERE deleted_dt IS NULL ORDER BY create_dt DESC, id DESC');
    return rows.map((r) => r.id);
  };

  const listIds = async (offset: number, limit: number) => {
    const res = await t.request('GET', `/tasks?offset=${offset}&limit=${limit}`);
    expect(res.status).toBe(200);
    return { total: res.body.total_num as number, ids: (res.body.list_data as { task_id: string }[]).map((x) => x.task_id) };
  };

  async function expectEveryPageMatches(limit: number): Promise<void> {
    const order = await expectedOrder();
    for (let offset = 0; offset <= order.length + 1; offset++) {
      const page = await listIds(offset, limit);
      expect({ offset, ...page }).toEqual({ offset, total: order.length, ids: order.slice(offset, offset + limit) });
    }
  }

  it('answers every offset with the slice of the newest-first order', async () => {
    expect((await expectedOrder()).length).toBe(170);
    await expectEveryPageMatches(7);
  });

  it('stays exact after deletes and a restore move tasks out of and back into their days', async () => {
    const order = await expectedOrder();
    const deleted = [order[0], order[3], order[4], order[60], order[100], order[169]];
    for (const id of deleted) expect((await t.request('DELETE', `/tasks/${id}`)).status).toBe(200);
    expect((await t.request('POST', `/tasks/${order[60]}/restore`)).status).toBe(200);
    expect((await expectedOrder()).length).toBe(165);
    await expectEveryPageMatches(10);
  });

  it('keeps one count per day and slot, summing to the live tasks of that day', async () => {
    const counted: { day: number | string; live: number | string }[] = await t.dataSource.query(
      'SELECT day, SUM(live) AS live FROM tb_task_day_count GROUP BY day',
    );
    const live: { create_dt: unknown }[] = await t.dataSource.query('SELECT create_dt FROM tb_task WHERE deleted_dt IS NULL');
    const perDay = new Map<number, number>();
    for (const { create_dt } of live) {
      const day = Math.floor(storedInstant(create_dt)! / DAY_MS);
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
    }
    const countedPerDay = new Map(counted.filter((r) => Number(r.live) !== 0).map((r) => [Number(r.day), Number(r.live)]));
    expect(countedPerDay).toEqual(perDay);
  });
});
