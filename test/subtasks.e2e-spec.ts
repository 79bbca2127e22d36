import { TestApp } from './support/app';
import { DATABASE_KINDS } from './support/databases';
import { mtask, pictureTask, scene, videoTask, XML, sceneOutput } from './support/fixtures';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- response bodies, asserted field by field

/**
 * A video task with a PTZ channel `ch-1` and a fixed channel `ch-2`:
 * `m-shared` holds scene a (ch-1) and b (ch-2), `m-2` holds c (ch-2), `m-1` (time period) holds d (ch-1).
 */
function channelTask(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return videoTask({
    task_name: 'Subtask probe',
    vchans: [
      { vchan_refid: 'ch-1', name: 'Dome', is_ptz: true },
      { vchan_refid: 'ch-2', name: 'Gate' },
    ],
    mtasks: [
      mtask({
        mtask_unid: 'm-shared',
        name: 'shared',
        scenes: [scene({ scene_unid: 'a', name: 'a', vchan_refid: 'ch-1' }), scene({ scene_unid: 'b', name: 'b', vchan_refid: 'ch-2' })],
      }),
      mtask({ mtask_unid: 'm-2', name: 'gate only', scenes: [scene({ scene_unid: 'c', name: 'c', vchan_refid: 'ch-2' })] }),
      mtask({ mtask_unid: 'm-1', name: 'dome only', type: 1, time_interval: null, scenes: [scene({ scene_unid: 'd', name: 'd', vchan_refid: 'ch-1' })] }),
    ],
    ...overrides,
  });
}

/** A scene as the subtask PUT takes it: no channel named (it is the subtask's). */
const draft = (overrides: Record<string, unknown> = {}) => scene({ vchan_refid: undefined, ...overrides });

describe.each(DATABASE_KINDS)('subtask API on %s', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start(kind, { XML_MAX_BYTES: '2048', BODY_LIMIT_BYTES: '65536' });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function createTask(body: Record<string, unknown> = channelTask()): Promise<string> {
    const res = await t.request('POST', '/tasks', { body });
    expect(res.status).toBe(200);
    return res.body.task_id as string;
  }

  /** The task's subtask ids by channel (`node-<i>` for picture nodes, `own` for a video task without channels). */
  async function subtaskIds(taskId: string): Promise<Record<string, string>> {
    const res = await t.request('GET', `/tasks/${taskId}/subtasks`);
    expect(res.status).toBe(200);
    const ids: Record<string, string> = {};
    for (const s of res.body.list_data as Json[]) {
      ids[s.source.vchan_refid ?? (s.source.node_index === null ? 'own' : `node-${s.source.node_index}`)] = s.subtask_id;
    }
    return ids;
  }

  async function getSubtask(id: string): Promise<Json> {
    const res = await t.request('GET', `/subtasks/${id}`);
    expect(res.status).toBe(200);
    return res.body;
  }

  async function getTask(id: string): Promise<Json> {
    const res = await t.request('GET', `/tasks/${id}`);
    expect(res.status).toBe(200);
    return res.body;
  }

  /** Everything a refused write must leave as it was: row counts, the task (with update_dt, status), every subtask view. */
  async function snapshot(taskId: string): Promise<Json> {
    const task = await getTask(taskId);
    const subtasks: Json[] = [];
    for (const s of task.subtasks as Json[]) subtasks.push(await getSubtask(s.subtask_id));
    return { counts: await t.counts(), task, subtasks };
  }

  const setState = (id: string, state: string, desired = 'idle', extra = '') =>
    t.dataSource.query(`UPDATE tb_subtask SET state = ?, desired_state = ?${extra} WHERE id = ?`, [state, desired, id]);

  const names = (view: Json): string[][] => (view.mtasks as Json[]).map((m) => (m.scenes as Json[]).map((s) => s.name));
  const unids = (view: Json): string[] => (view.mtasks as Json[]).map((m) => m.mtask_unid);

  describe('GET /subtasks/{id}', () => {
    it("answers a channel subtask with its fields, the task's algo_type and only its own scenes", async () => {
      const taskId = await createTask();
      const ids = await subtaskIds(taskId);
      const res = await t.request('GET', `/subtasks/${ids['ch-1']}`, { token: 'viewer' });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        ecode: 200,
        enote: 'OK',
        subtask_id: ids['ch-1'],
        task_id: taskId,
        position: 0,
        source: { vchan_refid: 'ch-1', vchan_name: 'Dome', play_url: videoTask().play_url, is_ptz: true, node_index: null, pull_source_url: null },
        state: 'unconfigured',
        desired_state: 'idle',
        generation: 0,
        status_reason: null,
        progress: null,
        reported_at: null,
        report_age_ms: null,
        attempts: 0,
        next_attempt_at: null,
        last_error: null,
        lease_owner: null,
        lease_until: null,
        update_dt: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/),
        algo_type: '1',
        mtasks: [
          {
            mtask_unid: 'm-shared',
            name: 'shared',
            type: 0,
            time_interval: 5,
            start_time: '00:00:00',
            end_time: '22:01:20',
            progress: null,
            scenes: [sceneOutput({ scene_unid: 'a', name: 'a', vchan_refid: 'ch-1' })],
          },
          expect.objectContaining({
            mtask_unid: 'm-1',
            name: 'dome only',
            type: 1,
            scenes: [expect.objectContaining({ scene_unid: 'd', vchan_refid: 'ch-1' })],
          }),
        ],
      });
      const other = await getSubtask(ids['ch-2']);
      expect(other.source).toMatchObject({ vchan_refid: 'ch-2', is_ptz: false });
      expect(unids(other)).toEqual(['m-shared', 'm-2']);
      expect(names(other)).toEqual([['b'], ['c']]);
    });

    it("shows this subtask's run state on its scenes and mtasks, not its siblings'", async () => {
      const taskId = await createTask();
      const ids = await subtaskIds(taskId);
      await setState(ids['ch-1'], 'running', 'run', `, status_reason = 'busy', progress = 40`);
      const dome = await getSubtask(ids['ch-1']);
      expect(dome).toMatchObject({ state: 'running', desired_state: 'run', status_reason: 'busy', progress: 40 });
      expect(dome.mtasks.map((m: Json) => m.progress)).toEqual([40, 40]);
      for (const m of dome.mtasks) for (const s of m.scenes) expect(s).toMatchObject({ is_running: 1, status_reason: 'busy' });
      const gate = await getSubtask(ids['ch-2']);
      expect(gate.mtasks.map((m: Json) => m.progress)).toEqual([null, null]);
      for (const m of gate.mtasks) for (const s of m.scenes) expect(s).toMatchObject({ is_running: 0, status_reason: null });
    });

    it('gives the one subtask of a video task without channels every mtask, even one without scenes', async () => {
      const taskId = await createTask(
        videoTask({
          vchans: undefined,
          mtasks: [mtask({ mtask_unid: 'x', scenes: [scene({ name: 'own', vchan_refid: undefined })] }), mtask({ mtask_unid: 'empty', scenes: [] })],
        }),
      );
      const { own } = await subtaskIds(taskId);
      const view = await getSubtask(own);
      expect(view).toMatchObject({ task_id: taskId, algo_type: '1', source: { vchan_refid: null, node_index: null, play_url: videoTask().play_url } });
      expect(unids(view)).toEqual(['x', 'empty']);
      expect(names(view)).toEqual([['own'], []]);
    });

    it.each(['pull_pic_files', 'push_pic_files'] as const)('gives every node of a %s task the whole shared configuration', async (sourceType) => {
      const taskId = await createTask(pictureTask(sourceType, 3));
      const ids = await subtaskIds(taskId);
      expect(Object.keys(ids).sort()).toEqual(['node-0', 'node-1', 'node-2']);
      const views: Json[] = [];
      for (const key of ['node-0', 'node-1', 'node-2']) views.push(await getSubtask(ids[key]));
      views.forEach((view, i) => {
        expect(view).toMatchObject({ algo_type: '0', source: { vchan_refid: null, node_index: i } });
        expect(view.mtasks).toEqual(views[0].mtasks);
      });
      expect(names(views[0])).toEqual([['gate']]);
    });

    it('answers 404 SUBTASK_NOT_FOUND for an unknown id and for a subtask of a deleted task', async () => {
      const taskId = await createTask();
      const ids = await subtaskIds(taskId);
      expect((await t.request('DELETE', `/tasks/${taskId}`)).status).toBe(200);
      for (const id of ['00000000-0000-7000-8000-00000000abcd', "1' OR '1'='1", ids['ch-1']]) {
        const res = await t.request('GET', `/subtasks/${encodeURIComponent(id)}`);
        expect(res.status).toBe(404);
        expect(res.body).toMatchObject({ ecode: 404, error: 'SUBTASK_NOT_FOUND', request_id: expect.any(String) });
      }
      expect((await t.request('POST', `/tasks/${taskId}/restore`)).status).toBe(200);
      expect((await t.request('GET', `/subtasks/${ids['ch-1']}`)).status).toBe(200);
    });
  });

  describe('PUT /subtasks/{id}/config', () => {
    it("replaces only this channel's scenes, matches mtasks by unid, adds new ones and leaves the other channel alone", async () => {
      const taskId = await createTask();
      const ids = await subtaskIds(taskId);
      const before = await snapshot(taskId);
      const gateBefore = await getSubtask(ids['ch-2']);

      const res = await t.request('PUT', `/subtasks/${ids['ch-1']}/config`, {
        body: {
          mtasks: [
            // Same schedule as the task has: only the scenes change.
            mtask({
              mtask_unid: 'm-shared',
              name: 'shared',
              scenes: [draft({ scene_unid: 'a2', name: 'a2' }), draft({ name: 'a3', vchan_refid: 'ch-1', algo_args: { direction: 'in', min_person_px: 16 } })],
            }),
            mtask({ mtask_unid: 'm-new', name: 'new', time_interval: 15, scenes: [draft({ name: 'a4' })] }),
          ],
        },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ecode: 200, enote: 'OK', subtask_id: ids['ch-1'], state: 'unconfigured' });

      const dome = await getSubtask(ids['ch-1']);
      expect(unids(dome)).toEqual(['m-shared', 'm-new']);
      expect(names(dome)).toEqual([['a2', 'a3'], ['a4']]);
      expect(dome.mtasks[0].scenes[0]).toMatchObject({ scene_unid: 'a2', vchan_refid: 'ch-1', rois: [{ roi: XML }, { roi: XML }] });
      expect(dome.mtasks[0].scenes[1]).toMatchObject({ scene_unid: expect.any(String), algo_args: { direction: 'in', min_person_px: 16 } });
      expect(dome.mtasks[1]).toMatchObject({ mtask_unid: 'm-new', name: 'new', time_interval: 15 });

      // ch-2 sees exactly what it saw: its scenes, the shared mtask unchanged.
      expect(await getSubtask(ids['ch-2'])).toEqual(gateBefore);

      // The task: d and m-1 (only ch-1's) are gone, b stays first in m-shared, m-new comes last.
      const task = await getTask(taskId);
      expect(unids(task)).toEqual(['m-shared', 'm-2', 'm-new']);
      expect(names(task)).toEqual([['b', 'a2', 'a3'], ['c'], ['a4']]);
      expect(task.update_dt >= before.task.update_dt).toBe(true);
      expect(await t.counts()).toEqual({ ...before.counts, tb_scene: before.counts.tb_scene + 1, tb_mtask: before.counts.tb_mtask });
    });

    it('serialises concurrent saves of both channels on the task row: both land, neither overwrites the other', async () => {
      const taskId = await createTask();
      const ids = await subtaskIds(taskId);
      const save = (channel: string, n: number) =>
        t.request('PUT', `/subtasks/${ids[channel]}/config`, {
          body: {
            mtasks: [
              mtask({ mtask_unid: 'm-shared', name: 'shared', scenes: [draft({ name: `x${n}` })] }),
              mtask({ mtask_unid: `n${n}`, scenes: [draft({ name: `y${n}` })] }),
            ],
          },
        });
      const results = await Promise.all([save('ch-1', 1), save('ch-2', 2), save('ch-1', 1), save('ch-2', 2)]);
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      expect(names(await getSubtask(ids['ch-1']))).toEqual([['x1'], ['y1']]);
      expect(names(await getSubtask(ids['ch-2']))).toEqual([['x2'], ['y2']]);
      const task = await getTask(taskId);
      expect([...unids(task)].sort()).toEqual(['m-shared', 'n1', 'n2']);
      expect(task.mtasks.flatMap((m: Json) => m.scenes).length).toBe(4);
    });

    it('takes back its own GET output unchanged (a round trip changes nothing visible)', async () => {
      const taskId = await createTask();
      const ids = await subtaskIds(taskId);
      const view = await getSubtask(ids['ch-2']);
      const counts = await t.counts();
      const res = await t.request('PUT', `/subtasks/${ids['ch-2']}/config`, { body: { mtasks: view.mtasks } });
      expect(res.status).toBe(200);
      const again = await getSubtask(ids['ch-2']);
      expect(again.mtasks).toEqual(view.mtasks);
      expect(await t.counts()).toEqual(counts);
    });

    it('with an empty list removes the channel’s scenes and the mtasks only it held', async () => {
      const taskId = await createTask();
      const ids = await subtaskIds(taskId);
      const counts = await t.counts();
      expect((await t.request('PUT', `/subtasks/${ids['ch-1']}/config`, { body: { mtasks: [] } })).status).toBe(200);
      expect((await getSubtask(ids['ch-1'])).mtasks).toEqual([]);
      const task = await getTask(taskId);
      expect(unids(task)).toEqual(['m-shared', 'm-2']);
      expect(names(task)).toEqual([['b'], ['c']]);
      expect(await t.counts()).toEqual({ ...counts, tb_scene: counts.tb_scene - 2, tb_mtask: counts.tb_mtask - 1 });
    });

    it("changing a shared mtask's schedule changes the other channel's configuration: it must be completed again", async () => {
      const taskId = await createTask();
      const ids = await subtaskIds(taskId);
      for (const id of [ids['ch-1'], ids['ch-2']]) expect((await t.request('POST', `/subtasks/${id}/config-complete`)).status).toBe(200);
      expect((await getTask(taskId)).status).toBe('ready');

      const view = await getSubtask(ids['ch-1']);
      view.mtasks[0].time_interval = 30;
      const res = await t.request('PUT', `/subtasks/${ids['ch-1']}/config`, { body: { mtasks: view.mtasks } });
      expect(res.body).toMatchObject({ ecode: 200, state: 'unconfigured' });
      const gate = await getSubtask(ids['ch-2']);
      expect(gate.state).toBe('unconfigured');
      expect(gate.mtasks[0]).toMatchObject({ mtask_unid: 'm-shared', time_interval: 30 });
      expect(names(gate)).toEqual([['b'], ['c']]);
      const task = await getTask(taskId);
      expect(task.status).toBe('unconfigured');
      expect(task.status_counts).toMatchObject({ unconfigured: 2, configured: 0 });
    });

    it('refuses to change a shared mtask while the other channel runs it, and changes nothing', async () => {
      const taskId = await createTask();
      const ids = await subtaskIds(taskId);
      await setState(ids['ch-2'], 'running', 'run');
      const before = await snapshot(taskId);
      const view = await getSubtask(ids['ch-1']);
      view.mtasks[0].name = 'renamed';
      const res = await t.request('PUT', `/subtasks/${ids['ch-1']}/config`, { body: { mtasks: view.mtasks } });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({ ecode: 409, error: 'SUBTASK_ACTIVE', active_subtasks: [{ subtask_id: ids['ch-2'], state: 'running' }] });
      expect(await snapshot(taskId)).toEqual(before);

      // Its own scenes alone it may still change: the running channel's configuration is untouched.
      view.mtasks[0].name = 'shared';
      view.mtasks[0].scenes[0].name = 'a-renamed';
      expect((await t.request('PUT', `/subtasks/${ids['ch-1']}/config`, { body: { mtasks: view.mtasks } })).status).toBe(200);
      expect(names(await getSubtask(ids['ch-1']))).toEqual([['a-renamed'], ['d']]);
    });

    describe('refuses bad input with 4xx and changes nothing', () => {
      const cases: [string, 'ch-1' | 'ch-2', () => unknown, number, string, string | null, RegExp | null][] = [
        ['a body without mtasks', 'ch-1', () => ({}), 400, 'VALIDATION_FAILED', 'mtasks', /^mtasks is required$/],
        ['mtasks that is not a list', 'ch-1', () => ({ mtasks: { a: 1 } }), 400, 'VALIDATION_FAILED', 'mtasks', /must be an array/],
        ['an unknown top-level field', 'ch-1', () => ({ mtasks: [], task_name: 'x' }), 400, 'VALIDATION_FAILED', 'task_name', /not a known field/],
        [
          'an unknown scene field',
          'ch-1',
          () => ({ mtasks: [mtask({ scenes: [draft({ colour: 'red' })] })] }),
          400,
          'VALIDATION_FAILED',
          'mtasks[0].scenes[0].colour',
          /not a known field/,
        ],
        [
          'a malformed ROI',
          'ch-1',
          () => ({ mtasks: [mtask({ scenes: [draft(), draft({ rois: [{ roi: XML }, { roi: '<roi><a></roi>' }] })] })] }),
          400,
          'VALIDATION_FAILED',
          'mtasks[0].scenes[1].rois[1].roi',
          /not well-formed XML/,
        ],
        [
          'a malformed calibration',
          'ch-2',
          () => ({ mtasks: [mtask({ scenes: [draft({ callibration: { calibration: 'nope' } })] })] }),
          400,
          'VALIDATION_FAILED',
          'mtasks[0].scenes[0].callibration.calibration',
          /not well-formed XML/,
        ],
        [
          'a malformed config',
          'ch-2',
          () => ({ mtasks: [mtask({ scenes: [draft({ config: { xml: '<a' } })] })] }),
          400,
          'VALIDATION_FAILED',
          'mtasks[0].scenes[0].config.xml',
          /not well-formed XML/,
        ],
        [
          'an oversized XML document',
          'ch-2',
          () => ({ mtasks: [mtask({ scenes: [draft({ basicConfig: { xml: `<r>${'a'.repeat(3000)}</r>` } })] })] }),
          413,
          'PAYLOAD_TOO_LARGE',
          'mtasks[0].scenes[0].basicConfig.xml',
          /larger than 2048 bytes/,
        ],
        [
          "a scene algo_type other than the task's",
          'ch-1',
          () => ({ mtasks: [mtask({ scenes: [draft({ algo_type: 2 })] })] }),
          400,
          'VALIDATION_FAILED',
          'mtasks[0].scenes[0].algo_type',
          /must equal the task's algo_type \(1\)/,
        ],
        [
          'an unknown algo_args key',
          'ch-1',
          () => ({ mtasks: [mtask({ scenes: [draft({ algo_args: { sensitivity: 0.5 } })] })] }),
          400,
          'VALIDATION_FAILED',
          'mtasks[0].scenes[0].algo_args.sensitivity',
          /not an argument of this algorithm type/,
        ],
        [
          'an algo_args value out of range',
          'ch-1',
          () => ({ mtasks: [mtask({ scenes: [draft({ algo_args: { min_person_px: 2000 } })] })] }),
          400,
          'VALIDATION_FAILED',
          'mtasks[0].scenes[0].algo_args.min_person_px',
          /between 8 and 1024/,
        ],
        [
          'an algo_args value of the wrong type',
          'ch-1',
          () => ({ mtasks: [mtask({ scenes: [draft({ algo_args: { count_line: 7 } })] })] }),
          400,
          'VALIDATION_FAILED',
          'mtasks[0].scenes[0].algo_args.count_line',
          /must be string/,
        ],
        [
          'an algo_args value outside its enumeration',
          'ch-1',
          () => ({ mtasks: [mtask({ scenes: [draft({ algo_args: { direction: 'up' } })] })] }),
          400,
          'VALIDATION_FAILED',
          'mtasks[0].scenes[0].algo_args.direction',
          /one of in, out, both/,
        ],
        [
          'a time-period mtask on the fixed camera (PTZ rule)',
          'ch-2',
          () => ({ mtasks: [mtask({ type: 1, scenes: [draft()] })] }),
          400,
          'VALIDATION_FAILED',
          'mtasks[0].type',
          /needs a PTZ camera/,
        ],
        [
          "a time-period type on the shared mtask, which holds the fixed camera's scene (PTZ rule)",
          'ch-1',
          () => ({ mtasks: [mtask({ mtask_unid: 'm-shared', type: 1, scenes: [draft()] })] }),
          400,
          'VALIDATION_FAILED',
          'mtasks[0].type',
          /needs a PTZ camera/,
        ],
        [
          'a scene naming the other channel',
          'ch-1',
          () => ({ mtasks: [mtask({ scenes: [draft(), draft({ vchan_refid: 'ch-2' })] })] }),
          400,
          'VALIDATION_FAILED',
          'mtasks[0].scenes[1].vchan_refid',
          /this subtask's channel \(ch-1\)/,
        ],
        [
          'a scene naming an unknown channel',
          'ch-2',
          () => ({ mtasks: [mtask({ scenes: [draft({ vchan_refid: 'ch-9' })] })] }),
          400,
          'VALIDATION_FAILED',
          'mtasks[0].scenes[0].vchan_refid',
          /this subtask's channel \(ch-2\)/,
        ],
        [
          "a scene_unid of the other channel's scene",
          'ch-1',
          () => ({ mtasks: [mtask({ scenes: [draft({ scene_unid: 'b' })] })] }),
          400,
          'VALIDATION_FAILED',
          'mtasks[0].scenes[0].scene_unid',
          /already used by a scene of another subtask/,
        ],
        [
          'a repeated mtask_unid',
          'ch-1',
          () => ({ mtasks: [mtask({ mtask_unid: 'z' }), mtask({ mtask_unid: 'z', scenes: [draft({ name: 'other' })] })] }),
          400,
          'VALIDATION_FAILED',
          'mtasks[1].mtask_unid',
          /repeats a value/,
        ],
        [
          'a polling mtask without time_interval',
          'ch-1',
          () => ({ mtasks: [mtask({ time_interval: undefined, scenes: [draft()] })] }),
          400,
          'VALIDATION_FAILED',
          'mtasks[0].time_interval',
          /polling mtask/,
        ],
        ['malformed JSON', 'ch-1', () => undefined, 400, 'MALFORMED_JSON', null, null],
      ];

      it.each(cases)('%s', async (_name, channel, make, status, error, field, message) => {
        const taskId = await createTask();
        const ids = await subtaskIds(taskId);
        await t.request('POST', `/subtasks/${ids[channel]}/config-complete`);
        const before = await snapshot(taskId);
        const body = make();
        const res = await t.request('PUT', `/subtasks/${ids[channel]}/config`, { ...(body === undefined ? { raw: '{"mtasks": [' } : { body }), lang: 'en' });
        expect(res.status).toBe(status);
        expect(res.body).toMatchObject({ ecode: status, error, enote: expect.any(String), request_id: expect.any(String) });
        if (field) expect(res.body.errors).toEqual([{ field, message: expect.stringMatching(message!) }]);
        expect(res.text).not.toMatch(/at .*\.(ts|js):\d+|SELECT |INSERT |node_modules/);
        expect(await snapshot(taskId)).toEqual(before);
      });

      it('explains the subtask rules in the request language', async () => {
        const taskId = await createTask();
        const ids = await subtaskIds(taskId);
        const body = { mtasks: [mtask({ scenes: [draft({ vchan_refid: 'ch-2', algo_args: { min_person_px: 4 } })] })] };
        const en = await t.request('PUT', `/subtasks/${ids['ch-1']}/config`, { body, lang: 'en' });
        expect(en.body.errors).toEqual([
          { field: 'mtasks[0].scenes[0].vchan_refid', message: "mtasks[0].scenes[0].vchan_refid must be left out or name this subtask's channel (ch-1)" },
          { field: 'mtasks[0].scenes[0].algo_args.min_person_px', message: 'mtasks[0].scenes[0].algo_args.min_person_px must be between 8 and 1024' },
        ]);
        const zh = await t.request('PUT', `/subtasks/${ids['ch-1']}/config`, { body, lang: 'zh-CN' });
        expect(zh.body.errors.map((e: Json) => e.message)).toEqual([
          'mtasks[0].scenes[0].vchan_refid 须留空或为本子任务的通道（ch-1）',
          'mtasks[0].scenes[0].algo_args.min_person_px 必须在 8 与 1024 之间',
        ]);
      });
    });

    describe('a subtask sharing the task configuration (no channel)', () => {
      it('replaces the whole task configuration, which every node then shows, and un-configures the siblings', async () => {
        const taskId = await createTask(pictureTask('push_pic_files', 3));
        const ids = await subtaskIds(taskId);
        for (const key of ['node-1', 'node-2']) expect((await t.request('POST', `/subtasks/${ids[key]}/config-complete`)).body.state).toBe('configured');
        await setState(ids['node-2'], 'stopped', 'stop');
        const counts = await t.counts();

        const res = await t.request('PUT', `/subtasks/${ids['node-0']}/config`, {
          body: {
            mtasks: [
              mtask({ mtask_unid: 'p1', scenes: [draft({ name: 'p', algo_type: '0', algo_args: { lane_count: 3 } }), draft({ name: 'q', algo_type: 0 })] }),
              mtask({ mtask_unid: 'p2', type: 2, scenes: [] }),
            ],
          },
        });
        expect(res.body).toEqual({ ecode: 200, enote: 'OK', subtask_id: ids['node-0'], state: 'unconfigured' });
        for (const key of ['node-0', 'node-1', 'node-2']) {
          const view = await getSubtask(ids[key]);
          expect(view.state).toBe('unconfigured');
          expect(unids(view)).toEqual(['p1', 'p2']);
          expect(names(view)).toEqual([['p', 'q'], []]);
        }
        expect(unids(await getTask(taskId))).toEqual(['p1', 'p2']);
        expect(await t.counts()).toEqual({ ...counts, tb_mtask: counts.tb_mtask + 1, tb_scene: counts.tb_scene + 1 });
      });

      it('refuses while a sibling is active, naming it, and changes nothing', async () => {
        const taskId = await createTask(pictureTask('pull_pic_files', 2));
        const ids = await subtaskIds(taskId);
        await setState(ids['node-1'], 'dispatching', 'run');
        const before = await snapshot(taskId);
        const res = await t.request('PUT', `/subtasks/${ids['node-0']}/config`, { body: { mtasks: [] } });
        expect(res.status).toBe(409);
        expect(res.body).toMatchObject({ error: 'SUBTASK_ACTIVE', active_subtasks: [{ subtask_id: ids['node-1'], state: 'dispatching' }] });
        expect(await snapshot(taskId)).toEqual(before);
      });

      it.each<[string, () => Record<string, unknown>, () => unknown, string]>([
        [
          'a picture node naming a channel',
          () => pictureTask('push_pic_files', 2),
          () => ({ mtasks: [mtask({ scenes: [draft({ algo_type: 0, vchan_refid: 'ch-1' })] })] }),
          'mtasks[0].scenes[0].vchan_refid',
        ],
        [
          'a picture node with traffic arguments out of range',
          () => pictureTask('push_pic_files', 2),
          () => ({ mtasks: [mtask({ scenes: [draft({ algo_type: 0, algo_args: { detect_interval_ms: 5 } })] })] }),
          'mtasks[0].scenes[0].algo_args.detect_interval_ms',
        ],
        [
          'a video task without channels and a time-period mtask (no PTZ camera)',
          () => videoTask({ vchans: undefined, mtasks: [mtask({ scenes: [scene({ vchan_refid: undefined })] })] }),
          () => ({ mtasks: [mtask({ type: 1, scenes: [draft()] })] }),
          'mtasks[0].type',
        ],
      ])('refuses %s and changes nothing', async (_label, makeTask, makeBody, field) => {
        const taskId = await createTask(makeTask());
        const ids = Object.values(await subtaskIds(taskId));
        const before = await snapshot(taskId);
        const res = await t.request('PUT', `/subtasks/${ids[0]}/config`, { body: makeBody() });
        expect(res.status).toBe(400);
        expect(res.body.errors.map((e: Json) => e.field)).toEqual([field]);
        expect(await snapshot(taskId)).toEqual(before);
      });
    });
  });

  describe('POST /subtasks/{id}/config-complete', () => {
    it('marks complete subtasks configured; the task is ready once all are, and repeating changes nothing', async () => {
      const taskId = await createTask();
      const ids = await subtaskIds(taskId);
      const first = await t.request('POST', `/subtasks/${ids['ch-1']}/config-complete`);
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ ecode: 200, enote: 'OK', subtask_id: ids['ch-1'], state: 'configured' });
      let task = await getTask(taskId);
      expect(task.status).toBe('unconfigured');
      expect(task.status_counts).toMatchObject({ unconfigured: 1, configured: 1 });

      expect((await t.request('POST', `/subtasks/${ids['ch-2']}/config-complete`)).body.state).toBe('configured');
      task = await getTask(taskId);
      expect(task.status).toBe('ready');
      expect(task.status_counts).toMatchObject({ unconfigured: 0, configured: 2 });
      expect(task.subtasks.map((s: Json) => s.state)).toEqual(['configured', 'configured']);

      const before = await snapshot(taskId);
      const again = await t.request('POST', `/subtasks/${ids['ch-2']}/config-complete`);
      expect(again.body).toEqual({ ecode: 200, enote: 'OK', subtask_id: ids['ch-2'], state: 'configured' });
      expect(await snapshot(taskId)).toEqual(before);
    });

    it('answers 409 CONFIG_INCOMPLETE listing exactly what is missing, and changes nothing', async () => {
      const taskId = await createTask();
      const ids = await subtaskIds(taskId);
      const put = await t.request('PUT', `/subtasks/${ids['ch-2']}/config`, {
        body: {
          mtasks: [
            mtask({ mtask_unid: 'm-shared', name: 'shared', scenes: [draft({ rois: [] }), draft({ name: 'fine' })] }),
            mtask({ mtask_unid: 'm-2', name: 'gate only', scenes: [draft({ callibration: null, config: null, basicConfig: null })] }),
          ],
        },
      });
      expect(put.status).toBe(200);
      const before = await snapshot(taskId);
      const res = await t.request('POST', `/subtasks/${ids['ch-2']}/config-complete`, { lang: 'en' });
      expect(res.status).toBe(409);
      expect(res.body).toEqual({
        ecode: 409,
        enote: 'The configuration is incomplete (3 item(s) missing)',
        error: 'CONFIG_INCOMPLETE',
        request_id: expect.any(String),
        subtask_id: ids['ch-2'],
        errors: [
          { field: 'mtasks[0].scenes[0].rois', message: 'mtasks[0].scenes[0].rois needs at least one ROI' },
          { field: 'mtasks[1].scenes[0].callibration', message: 'mtasks[1].scenes[0].callibration needs a calibration' },
          { field: 'mtasks[1].scenes[0].config', message: 'mtasks[1].scenes[0].config needs an algorithm config' },
        ],
      });
      expect(await snapshot(taskId)).toEqual(before);
      // The other channel is complete and unaffected.
      expect((await t.request('POST', `/subtasks/${ids['ch-1']}/config-complete`)).status).toBe(200);
    });

    it('refuses a subtask without any scene with noScenes', async () => {
      const taskId = await createTask(
        channelTask({ vchans: [{ vchan_refid: 'ch-1' }, { vchan_refid: 'ch-2' }, { vchan_refid: 'ch-3' }], mtasks: [mtask({ scenes: [scene()] })] }),
      );
      const ids = await subtaskIds(taskId);
      const before = await snapshot(taskId);
      const res = await t.request('POST', `/subtasks/${ids['ch-3']}/config-complete`, { lang: 'zh-CN' });
      expect(res.status).toBe(409);
      expect(res.body).toMatchObject({
        error: 'CONFIG_INCOMPLETE',
        enote: '配置不完整（缺少 1 项）',
        errors: [{ field: 'mtasks', message: 'mtasks 没有可分析的场景' }],
      });
      expect(await snapshot(taskId)).toEqual(before);
    });

    it('editing a configured subtask moves it, and the task, back to unconfigured', async () => {
      const taskId = await createTask();
      const ids = await subtaskIds(taskId);
      for (const id of Object.values(ids)) await t.request('POST', `/subtasks/${id}/config-complete`);
      expect((await getTask(taskId)).status).toBe('ready');

      const view = await getSubtask(ids['ch-2']);
      view.mtasks[1].scenes[0].preset = 7;
      const res = await t.request('PUT', `/subtasks/${ids['ch-2']}/config`, { body: { mtasks: view.mtasks } });
      expect(res.body).toMatchObject({ ecode: 200, state: 'unconfigured' });
      const task = await getTask(taskId);
      expect(task.status).toBe('unconfigured');
      expect(task.subtasks.map((s: Json) => [s.source.vchan_refid, s.state])).toEqual([
        ['ch-1', 'configured'],
        ['ch-2', 'unconfigured'],
      ]);
      expect((await getSubtask(ids['ch-2'])).mtasks[1].scenes[0].preset).toBe(7);
    });

    it('keeps a stopped subtask stopped (its configuration was complete) and un-configures it on edit', async () => {
      const taskId = await createTask();
      const ids = await subtaskIds(taskId);
      await setState(ids['ch-1'], 'stopped', 'stop');
      const res = await t.request('POST', `/subtasks/${ids['ch-1']}/config-complete`);
      expect(res.body).toEqual({ ecode: 200, enote: 'OK', subtask_id: ids['ch-1'], state: 'stopped' });
      const put = await t.request('PUT', `/subtasks/${ids['ch-1']}/config`, { body: { mtasks: (await getSubtask(ids['ch-1'])).mtasks } });
      expect(put.body.state).toBe('unconfigured');
    });
  });

  describe('an active subtask', () => {
    it.each([
      ['running', 'run'],
      ['dispatching', 'run'],
      ['configured', 'run'],
      ['stopping', 'stop'],
      ['lost', 'run'],
    ])('in state %s (desired %s) refuses PUT config and config-complete with 409, changing nothing', async (state, desired) => {
      const taskId = await createTask();
      const ids = await subtaskIds(taskId);
      await setState(ids['ch-1'], state, desired);
      const before = await snapshot(taskId);
      const put = await t.request('PUT', `/subtasks/${ids['ch-1']}/config`, { body: { mtasks: [] } });
      expect(put.status).toBe(409);
      expect(put.body).toMatchObject({ ecode: 409, error: 'SUBTASK_ACTIVE', active_subtasks: [{ subtask_id: ids['ch-1'], state }] });
      const complete = await t.request('POST', `/subtasks/${ids['ch-1']}/config-complete`, { lang: 'en' });
      expect(complete.status).toBe(409);
      expect(complete.body).toMatchObject({ error: 'SUBTASK_ACTIVE', enote: `The subtask is active (${state}); stop it first` });
      expect(await snapshot(taskId)).toEqual(before);
    });
  });

  describe('unknown subtasks and roles', () => {
    it('answers 404 for PUT and POST on an unknown subtask or one of a deleted task, writing nothing', async () => {
      const taskId = await createTask();
      const ids = await subtaskIds(taskId);
      await t.request('DELETE', `/tasks/${taskId}`);
      for (const id of ['00000000-0000-7000-8000-00000000abcd', ids['ch-1']]) {
        const before = await t.counts();
        const put = await t.request('PUT', `/subtasks/${id}/config`, { body: { mtasks: [] } });
        expect(put.status).toBe(404);
        expect(put.body).toMatchObject({ ecode: 404, error: 'SUBTASK_NOT_FOUND' });
        const complete = await t.request('POST', `/subtasks/${id}/config-complete`);
        expect(complete.status).toBe(404);
        expect(complete.body).toMatchObject({ ecode: 404, error: 'SUBTASK_NOT_FOUND' });
        expect(await t.counts()).toEqual(before);
      }
    });

    it('lets a viewer read but not write', async () => {
      const taskId = await createTask();
      const ids = await subtaskIds(taskId);
      const before = await snapshot(taskId);
      expect((await t.request('GET', `/subtasks/${ids['ch-1']}`, { token: 'viewer' })).status).toBe(200);
      const put = await t.request('PUT', `/subtasks/${ids['ch-1']}/config`, { token: 'viewer', body: { mtasks: [] } });
      expect(put.status).toBe(403);
      const complete = await t.request('POST', `/subtasks/${ids['ch-1']}/config-complete`, { token: 'viewer' });
      expect(complete.status).toBe(403);
      expect((await t.request('GET', `/subtasks/${ids['ch-1']}`, { token: null })).status).toBe(401);
      expect(await snapshot(taskId)).toEqual(before);
    });
  });
});
