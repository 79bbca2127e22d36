import { DictionaryService } from '../src/dictionary/dictionary.service';
import { SceneRepository } from '../src/scene/scene.repository';
import { TestApp, TOKENS } from './support/app';
import { DATABASE_KINDS } from './support/databases';
import { mtask, scene, videoTask } from './support/fixtures';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies, asserted field by field

/** Every table's full contents, rows sorted, so two dumps are equal exactly when nothing was written. */
async function dumpAll(t: TestApp): Promise<Record<string, string[]>> {
  const tables: { name: string }[] =
    t.db.kind === 'sqlite'
      ? await t.dataSource.query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
      : await t.dataSource.query('SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE() ORDER BY table_name');
  const dump: Record<string, string[]> = {};
  for (const { name } of tables) {
    const rows: Json[] = await t.dataSource.query(`SELECT * FROM ${name}`);
    dump[name] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return dump;
}

const KEY = (name: string) => ({ 'idempotency-key': `${name}-${Math.random().toString(36).slice(2)}` });

describe.each(DATABASE_KINDS)('fleet operations on %s', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start(kind);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function createTask(overrides: Record<string, unknown> = {}): Promise<string> {
    const res = await t.request('POST', '/tasks', { body: videoTask(overrides) });
    expect(res.status).toBe(200);
    return res.body.task_id as string;
  }

  async function configuredTask(overrides: Record<string, unknown> = {}): Promise<string> {
    const id = await createTask(overrides);
    const res = await t.request('POST', `/tasks/${id}/config-complete`);
    expect(res.status).toBe(200);
    return id;
  }

  async function subtaskIds(taskId: string): Promise<string[]> {
    return (await t.request('GET', `/tasks/${taskId}/subtasks`)).body.list_data.map((s: Json) => s.subtask_id);
  }

  describe('bulk actions', () => {
    it('config-complete answers per subtask, in order, an incomplete one its own 409', async () => {
      // ch-2 has no scene: its configuration is incomplete.
      const id = await createTask({ mtasks: [mtask({ scenes: [scene({ vchan_refid: 'ch-1' })] })] });
      const [s1, s2] = await subtaskIds(id);
      const res = await t.request('POST', `/tasks/${id}/config-complete`, { lang: 'en' });
      expect(res.status).toBe(200);
      expect(res.body.results.map((r: Json) => [r.subtask_id, r.ecode, r.error ?? null, r.state ?? null])).toEqual([
        [s1, 200, null, 'configured'],
        [s2, 409, 'CONFIG_INCOMPLETE', null],
      ]);
      expect(res.body.results[1].enote).toMatch(/incomplete/);
      expect(res.body.results[1].request_id).toBeUndefined();
      expect((await t.request('POST', '/tasks/nope/config-complete')).status).toBe(404);
    });

    it('config-complete re-derives the stored status once, before it answers, and leaves no mark', async () => {
      const id = await createTask();
      const before = await t.dataSource.query('SELECT status FROM tb_task WHERE id = ?', [id]);
      expect(before).toEqual([{ status: 'unconfigured' }]);
      expect((await t.request('POST', `/tasks/${id}/config-complete`)).status).toBe(200);
      // The stored copy (what ?status= filters on), not the derived one a read shows.
      expect(await t.dataSource.query('SELECT status FROM tb_task WHERE id = ?', [id])).toEqual([{ status: 'ready' }]);
      expect(await t.dataSource.query('SELECT task_id FROM tb_task_status_mark WHERE task_id = ?', [id])).toEqual([]);
      const listed = await t.request('GET', '/tasks?status=ready&limit=100');
      expect(listed.body.list_data.map((task: Json) => task.task_id)).toContain(id);
    });

    it('start, delete, stop, restore: one result per id in input order, a bad id stopping nothing', async () => {
      const ready = await configuredTask();
      const unconfigured = await createTask();
      const start = await t.request('POST', '/tasks/actions/start', { body: { task_ids: [ready, 'missing-id', unconfigured] }, lang: 'zh-CN' });
      expect(start.status).toBe(200);
      expect(start.body.results.map((r: Json) => [r.task_id, r.ecode, r.error ?? null])).toEqual([
        [ready, 200, null],
        ['missing-id', 404, 'TASK_NOT_FOUND'],
        [unconfigured, 409, 'SUBTASKS_UNCONFIGURED'],
      ]);
      expect(start.body.results[0].status).toBe('starting');
      expect(start.body.results[1].enote).toBe('任务 missing-id 不存在');
      expect(start.body.results[2].unconfigured_subtasks).toHaveLength(2);

      const del = await t.request('POST', '/tasks/actions/delete', { body: { task_ids: [ready, unconfigured] }, lang: 'en' });
      expect(del.body.results.map((r: Json) => [r.ecode, r.error ?? null])).toEqual([
        [409, 'TASK_ACTIVE'],
        [200, null],
      ]);
      expect((await t.request('GET', `/tasks/${unconfigured}`)).status).toBe(404);

      const stop = await t.request('POST', '/tasks/actions/stop', { body: { task_ids: [ready] } });
      expect(stop.body.results[0]).toMatchObject({ task_id: ready, ecode: 200, status: 'stopping' });
      const restore = await t.request('POST', '/tasks/actions/restore', { body: { task_ids: [unconfigured, ready] } });
      expect(restore.body.results.map((r: Json) => [r.ecode, r.error ?? null])).toEqual([
        [200, null],
        [409, 'TASK_NOT_DELETED'],
      ]);
      expect((await t.request('GET', `/tasks/${unconfigured}`)).status).toBe(200);
    });

    it.each([
      ['empty', { task_ids: [] }],
      ['duplicates', { task_ids: ['a', 'a'] }],
      ['over 100', { task_ids: Array.from({ length: 101 }, (_, i) => `t-${i}`) }],
      ['not strings', { task_ids: [1] }],
      ['missing', {}],
    ])('a %s id list is 400 and does nothing', async (_name, body) => {
      const res = await t.request('POST', '/tasks/actions/start', { body });
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('VALIDATION_FAILED');
    });

    it('needs the operator role', async () => {
      expect((await t.request('POST', '/tasks/actions/stop', { body: { task_ids: ['x'] }, token: 'viewer' })).status).toBe(403);
    });
  });

  describe('dry run', () => {
    it('writes nothing, on every dry-runnable route, and says what would happen', async () => {
      const ready = await configuredTask();
      const draft = await createTask();
      const [draftSubtask] = await subtaskIds(draft);
      const [readySubtask] = await subtaskIds(ready);
      const before = await dumpAll(t);

      const create = await t.request('POST', '/tasks?dry_run=true', { body: videoTask({}, 3) });
      expect(create.status).toBe(200);
      expect(create.body).toMatchObject({ ecode: 200, dry_run: true, task_status: 'unconfigured' });
      expect(create.body.subtasks.map((s: Json) => [s.vchan_refid, s.state_before, s.state])).toEqual([
        ['ch-1', null, 'unconfigured'],
        ['ch-2', null, 'unconfigured'],
        ['ch-3', null, 'unconfigured'],
      ]);
      expect((await t.request('GET', `/tasks/${create.body.task_id}`)).status).toBe(404);

      const start = await t.request('POST', `/tasks/${ready}/start?dry_run=true`);
      expect(start.status).toBe(200);
      expect(start.body).toMatchObject({ dry_run: true, status: 'starting', task_status: 'starting', changed: 2 });
      expect(start.body.subtasks.map((s: Json) => [s.state_before, s.state, s.desired_state])).toEqual([
        ['configured', 'dispatching', 'run'],
        ['configured', 'dispatching', 'run'],
      ]);
      const startOne = await t.request('POST', `/subtasks/${readySubtask}/start?dry_run=true`);
      expect(startOne.body).toMatchObject({ dry_run: true, state: 'dispatching', desired_state: 'run' });
      expect(startOne.body.subtasks).toHaveLength(1);
      const stop = await t.request('POST', `/tasks/${ready}/stop?dry_run=1`);
      expect(stop.body).toMatchObject({ dry_run: true, changed: 0, subtasks: [] });
      const stopOne = await t.request('POST', `/subtasks/${readySubtask}/stop?dry_run=true`);
      expect(stopOne.body.dry_run).toBe(true);

      const edit = await t.request('PUT', `/tasks/${ready}?dry_run=true`, { body: { task_name: 'Renamed', mtasks: [mtask()] } });
      expect(edit.status).toBe(200);
      expect(edit.body).toMatchObject({ dry_run: true, task_id: ready, task_status: 'unconfigured' });
      expect(edit.body.subtasks.map((s: Json) => [s.state_before, s.state])).toEqual([
        ['configured', 'unconfigured'],
        ['configured', 'unconfigured'],
      ]);
      const config = await t.request('PUT', `/subtasks/${draftSubtask}/config?dry_run=true`, {
        body: { mtasks: [mtask({ scenes: [scene({ vchan_refid: undefined })] })] },
      });
      expect(config.status).toBe(200);
      expect(config.body).toMatchObject({ dry_run: true, subtask_id: draftSubtask, state: 'unconfigured' });

      expect(await dumpAll(t)).toEqual(before);
      expect((await t.request('GET', `/tasks/${ready}`)).body.task_name).toBe('North gate passenger flow');
    });

    it('refuses exactly as the real request does, and writes nothing either', async () => {
      const draft = await createTask();
      const before = await dumpAll(t);
      const cases: [string, string, unknown][] = [
        ['POST', '/tasks', videoTask({ task_name: '', play_url: 'ftp://x' })],
        ['POST', `/tasks/${draft}/start`, undefined],
        ['POST', '/tasks/nope/start', undefined],
        ['PUT', `/tasks/${draft}`, { run_dt: 'tomorrow' }],
      ];
      for (const [method, url, body] of cases) {
        const real = await t.request(method, url, { body, lang: 'en' });
        const dry = await t.request(method, `${url}?dry_run=true`, { body, lang: 'en' });
        expect(real.status).toBeGreaterThanOrEqual(400);
        expect([dry.status, dry.body.error, dry.body.errors]).toEqual([real.status, real.body.error, real.body.errors]);
      }
      expect(await dumpAll(t)).toEqual(before);
      expect((await t.request('POST', `/tasks/${draft}/start?dry_run=maybe`)).status).toBe(400);
    });
  });

  describe('idempotency', () => {
    it('replays the first answer for the same key and body, with one task made', async () => {
      const headers = KEY('create');
      const body = videoTask({ task_name: 'Idempotent create' });
      const first = await t.request('POST', '/tasks', { body, headers });
      // The same body with its keys in another order is the same request.
      const reordered = Object.fromEntries(Object.entries(body).reverse());
      const again = await t.request('POST', '/tasks', { body: reordered, headers });
      expect(first.status).toBe(200);
      expect(first.headers['idempotent-replayed']).toBeUndefined();
      expect(again.status).toBe(200);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      const rows: Json[] = await t.dataSource.query("SELECT id FROM tb_task WHERE task_name = 'Idempotent create'");
      expect(rows.map((r) => r.id)).toEqual([first.body.task_id]);

      const other = await t.request('POST', '/tasks', { body: videoTask({ task_name: 'Something else' }), headers, lang: 'en' });
      expect(other.status).toBe(422);
      expect(other.body.error).toBe('IDEMPOTENCY_KEY_REUSED');
      // Keys are per token subject: the same key of another subject is another request.
      const admin = await t.request('POST', '/tasks', { body, headers, token: TOKENS.admin });
      expect(admin.status).toBe(200);
      expect(admin.body.task_id).not.toBe(first.body.task_id);
    });

    it('stores a 4xx answer and replays it; a bad key is 400', async () => {
      const headers = KEY('bulk');
      const first = await t.request('POST', '/tasks/actions/start', { body: { task_ids: ['gone'] }, headers });
      const again = await t.request('POST', '/tasks/actions/start', { body: { task_ids: ['gone'] }, headers });
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      const invalid = await t.request('POST', '/tasks', { body: { task_name: '' }, headers: KEY('bad') });
      expect(invalid.status).toBe(400);
      const k = KEY('invalid-body');
      const v1 = await t.request('POST', '/tasks', { body: { task_name: '' }, headers: k });
      const v2 = await t.request('POST', '/tasks', { body: { task_name: '' }, headers: k });
      expect([v2.status, v2.headers['idempotent-replayed'], v2.body]).toEqual([400, 'true', v1.body]);
      expect((await t.request('POST', '/tasks', { body: videoTask(), headers: { 'idempotency-key': 'x'.repeat(256) } })).status).toBe(400);
    });

    it('answers 409 while the first request is in flight, then replays it', async () => {
      const dictionary = t.app.get(DictionaryService);
      const original = dictionary.codes.bind(dictionary);
      let release!: () => void;
      const held = new Promise<void>((resolve) => (release = resolve));
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      const spy = jest.spyOn(dictionary, 'codes').mockImplementationOnce(async (type: string) => {
        entered();
        await held;
        return original(type);
      });
      try {
        const headers = KEY('slow');
        const body = videoTask({ task_name: 'Slow create' });
        const first = t.request('POST', '/tasks', { body, headers });
        await inside;
        const second = await t.request('POST', '/tasks', { body, headers, lang: 'en' });
        expect(second.status).toBe(409);
        expect(second.body.error).toBe('IDEMPOTENCY_IN_PROGRESS');
        release();
        expect((await first).status).toBe(200);
        const third = await t.request('POST', '/tasks', { body, headers });
        expect([third.status, third.headers['idempotent-replayed'], third.body.task_id]).toEqual([200, 'true', (await first).body.task_id]);
      } finally {
        spy.mockRestore();
      }
    });

    it('a claim abandoned for over 60 s is taken over; an expired key is pruned', async () => {
      const headers = KEY('crashed');
      const body = videoTask({ task_name: 'After a crash' });
      const first = await t.request('POST', '/tasks', { body, headers });
      expect(first.status).toBe(200);
      // As if the replica that claimed it died mid-request, 2 minutes ago.
      const old = new Date(Date.now() - 120_000);
      await t.dataSource.query("UPDATE tb_idempotency_key SET state = 'pending', status_code = NULL, response_body = NULL, claimed_at = ? WHERE idem_key = ?", [
        kind === 'sqlite' ? old.toISOString().replace('T', ' ').replace('Z', '') : old,
        headers['idempotency-key'],
      ]);
      const retried = await t.request('POST', '/tasks', { body, headers });
      expect(retried.status).toBe(200);
      expect(retried.headers['idempotent-replayed']).toBeUndefined();
    });
  });

  describe('conditional requests', () => {
    it('GET /tasks/{id}: weak ETag, 304 while unchanged, If-Match on PUT gives 412 when it changed', async () => {
      const id = await createTask();
      const first = await t.request('GET', `/tasks/${id}`);
      const etag = first.headers.etag as string;
      expect(etag).toMatch(/^W\/".+"$/);
      const cached = await t.request('GET', `/tasks/${id}`, { headers: { 'if-none-match': etag } });
      expect([cached.status, cached.text, cached.headers.etag]).toEqual([304, '', etag]);

      const put = await t.request('PUT', `/tasks/${id}`, { body: { task_name: 'First edit' }, headers: { 'if-match': etag } });
      expect(put.status).toBe(200);
      const stale = await t.request('PUT', `/tasks/${id}`, { body: { task_name: 'Lost update' }, headers: { 'if-match': etag }, lang: 'en' });
      expect([stale.status, stale.body.error]).toEqual([412, 'PRECONDITION_FAILED']);
      const now = await t.request('GET', `/tasks/${id}`, { headers: { 'if-none-match': etag } });
      expect(now.status).toBe(200);
      expect(now.body.task_name).toBe('First edit');
      expect(now.headers.etag).not.toBe(etag);
    });

    it('GET /subtasks/{id} and the subtask list: 304, and 412 on a stale PUT config', async () => {
      const id = await createTask();
      const [s1, s2] = await subtaskIds(id);
      const one = await t.request('GET', `/subtasks/${s1}`);
      const list = await t.request('GET', `/tasks/${id}/subtasks`);
      expect((await t.request('GET', `/subtasks/${s1}`, { headers: { 'if-none-match': one.headers.etag as string } })).status).toBe(304);
      expect((await t.request('GET', `/tasks/${id}/subtasks`, { headers: { 'if-none-match': list.headers.etag as string } })).status).toBe(304);
      // 配置完成 on a sibling moves it: the list changes, this subtask does not.
      expect((await t.request('POST', `/subtasks/${s2}/config-complete`)).status).toBe(200);
      expect((await t.request('GET', `/tasks/${id}/subtasks`, { headers: { 'if-none-match': list.headers.etag as string } })).status).toBe(200);
      const body = { mtasks: [mtask({ scenes: [scene({ vchan_refid: undefined })] })] };
      expect((await t.request('PUT', `/subtasks/${s1}/config`, { body, headers: { 'if-match': one.headers.etag as string } })).status).toBe(200);
      const stale = await t.request('PUT', `/subtasks/${s1}/config`, { body, headers: { 'if-match': one.headers.etag as string } });
      expect(stale.status).toBe(412);
    });

    it('GET /tasks: 304 without building the page, a new ETag after a change', async () => {
      const id = await createTask();
      const first = await t.request('GET', '/tasks?limit=5');
      const etag = first.headers.etag as string;
      const scenes = jest.spyOn(t.app.get(SceneRepository), 'loadForTasks');
      try {
        const cached = await t.request('GET', '/tasks?limit=5', { headers: { 'if-none-match': etag } });
        expect([cached.status, cached.text]).toEqual([304, '']);
        expect(scenes).not.toHaveBeenCalled();
      } finally {
        scenes.mockRestore();
      }
      expect((await t.request('GET', '/tasks?limit=6', { headers: { 'if-none-match': etag } })).status).toBe(200);
      await t.request('POST', `/tasks/${id}/config-complete`);
      expect((await t.request('GET', '/tasks?limit=5', { headers: { 'if-none-match': etag } })).status).toBe(200);
    });
  });

  describe('finding things', () => {
    it('GET /subtasks across live tasks by channel, state and task, newest first', async () => {
      const vchans = [{ vchan_refid: 'find-cam' }, { vchan_refid: 'find-other' }];
      const mt = [mtask({ scenes: [scene({ vchan_refid: 'find-cam' }), scene({ vchan_refid: 'find-other' })] })];
      const older = await createTask({ vchans, mtasks: mt });
      const newer = await createTask({ vchans, mtasks: mt });
      const deleted = await createTask({ vchans, mtasks: mt });
      await t.request('DELETE', `/tasks/${deleted}`);
      await t.request('POST', `/tasks/${newer}/config-complete`);

      const byChannel = await t.request('GET', '/subtasks?vchan_refid=find-cam');
      expect(byChannel.status).toBe(200);
      expect(byChannel.body).toMatchObject({ total_num: 2, offset: 0, list_size: 2 });
      expect(byChannel.body.list_data.map((s: Json) => s.task_id)).toEqual([newer, older]);
      const configured = await t.request('GET', `/subtasks?state=configured&vchan_refid=find-other`);
      expect(configured.body.list_data.map((s: Json) => s.task_id)).toEqual([newer]);
      const ofTask = await t.request('GET', `/subtasks?task_id=${older}&desired_state=idle&limit=1&offset=1`);
      expect(ofTask.body).toMatchObject({ total_num: 2, list_size: 1 });
      expect(ofTask.body.list_data[0].source.vchan_refid).toBe('find-cam');
      expect((await t.request('GET', '/subtasks?state=sleeping')).status).toBe(400);
      expect((await t.request('GET', '/subtasks?limit=101')).status).toBe(400);

      if (kind === 'mysql') {
        // The measured plan: the channel filter reads IDX_subtask_vchan, not the table.
        const plan: Json[] = await t.dataSource.query(
          "EXPLAIN SELECT s.id FROM tb_subtask s WHERE EXISTS (SELECT 1 FROM tb_task t WHERE t.id = s.task_id AND t.deleted_dt IS NULL) AND s.vchan_refid = 'find-cam' ORDER BY s.create_dt DESC, s.id DESC LIMIT 10",
        );
        expect(plan.find((row) => row.table === 's')?.key).toBe('IDX_subtask_vchan');
      }
    });

    it('GET /tasks takes several statuses, the deleted ones, and a summary view', async () => {
      const ready = await configuredTask({ task_name: 'Listed ready' });
      const gone = await createTask({ task_name: 'Listed gone' });
      await t.request('DELETE', `/tasks/${gone}`);

      const several = await t.request('GET', '/tasks?status=ready,running&limit=100');
      expect(several.status).toBe(200);
      expect(several.body.list_data.every((x: Json) => ['ready', 'running'].includes(x.status))).toBe(true);
      expect(several.body.list_data.map((x: Json) => x.task_id)).toContain(ready);
      const bad = await t.request('GET', '/tasks?status=ready,bogus');
      expect([bad.status, bad.body.errors[0].field]).toEqual([400, 'status']);

      const deleted = await t.request('GET', '/tasks?deleted=true&limit=100');
      expect(deleted.body.list_data.map((x: Json) => x.task_id)).toContain(gone);
      expect(deleted.body.list_data.map((x: Json) => x.task_id)).not.toContain(ready);
      expect(deleted.body.total_num).toBe(deleted.body.list_data.length);
      expect((await t.request('GET', '/tasks?limit=100')).body.list_data.map((x: Json) => x.task_id)).not.toContain(gone);

      const summary = await t.request('GET', '/tasks?view=summary&limit=1');
      expect(summary.body.list_data[0].mtasks).toBeUndefined();
      expect(summary.body.list_data[0].status_counts).toBeDefined();
      expect((await t.request('GET', '/tasks?limit=1')).body.list_data[0].mtasks).toBeDefined();
      expect((await t.request('GET', '/tasks?view=tiny')).status).toBe(400);
    });
  });
});

describe('idempotency across two replicas on one MariaDB', () => {
  let a: TestApp;
  let b: TestApp;

  beforeAll(async () => {
    a = await TestApp.start('mysql');
    b = await TestApp.start('mysql', {}, a.db);
  });
  afterAll(async () => {
    await b?.close({ keepDatabase: true });
    await a?.close();
  });

  it('the same key raced on both makes one task', async () => {
    for (let round = 0; round < 3; round++) {
      const headers = KEY(`race-${round}`);
      const body = videoTask({ task_name: `Raced ${round}` });
      const answers = await Promise.all([a.request('POST', '/tasks', { body, headers }), b.request('POST', '/tasks', { body, headers })]);
      const fresh = answers.filter((r) => r.status === 200 && r.headers['idempotent-replayed'] === undefined);
      expect(fresh).toHaveLength(1);
      for (const other of answers.filter((r) => r !== fresh[0])) expect([200, 409]).toContain(other.status);
      const rows: Json[] = await a.dataSource.query('SELECT id FROM tb_task WHERE task_name = ?', [`Raced ${round}`]);
      expect(rows.map((r) => r.id)).toEqual([fresh[0].body.task_id]);
    }
  });
});
