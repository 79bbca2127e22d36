import { TestApp } from './support/app';
import { DATABASE_KINDS } from './support/databases';
import { mtask, pictureTask, scene, sceneOutput, videoTask, XML } from './support/fixtures';

describe.each(DATABASE_KINDS)('task API on %s', (kind) => {
  let t: TestApp;

  beforeAll(async () => {
    t = await TestApp.start(kind, { XML_MAX_BYTES: '2048', BODY_LIMIT_BYTES: '65536' });
  });
  afterAll(async () => {
    await t?.close();
  });

  async function createTask(body: Record<string, unknown> = videoTask()): Promise<string> {
    const res = await t.request('POST', '/tasks', { body });
    expect(res.status).toBe(200);
    return res.body.task_id as string;
  }

  describe('POST /tasks', () => {
    it('creates the task, one subtask per channel and the full configuration in the original shape', async () => {
      const res = await t.request('POST', '/tasks', { body: videoTask({}, 3) });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ecode: 200, enote: 'OK', task_id: expect.any(String) });

      const detail = await t.request('GET', `/tasks/${res.body.task_id}`);
      expect(detail.status).toBe(200);
      expect(detail.body).toMatchObject({
        ecode: 200,
        enote: 'OK',
        task_id: res.body.task_id,
        task_name: 'North gate passenger flow',
        algo_type: '1',
        run_dt: '2018-12-03 10:27:30.999',
        play_url: 'rtsp://192.168.9.155:8554//opt/data/vedio/1543548943071.264',
        store_conf_unid: 'store-1',
        source_type: 'pull_video_stream',
        status: 'unconfigured',
        status_reason: null,
      });
      expect(detail.body.status_counts).toMatchObject({ unconfigured: 3, running: 0 });
      expect(detail.body.subtasks).toHaveLength(3);
      expect(detail.body.subtasks.map((s: { source: { vchan_refid: string } }) => s.source.vchan_refid)).toEqual(['ch-1', 'ch-2', 'ch-3']);
      for (const subtask of detail.body.subtasks) expect(subtask.state).toBe('unconfigured');

      const [m] = detail.body.mtasks;
      expect(m).toMatchObject({ name: 'polling', type: 0, time_interval: 5, mtask_unid: expect.any(String) });
      expect(m.scenes).toHaveLength(3);
      expect(m.scenes[0]).toEqual(sceneOutput({ scene_unid: expect.any(String), name: 'scene 1', vchan_refid: 'ch-1' }));
    });

    it('keeps given mtask_unid and scene_unid', async () => {
      const body = videoTask({ mtasks: [mtask({ mtask_unid: 'm-given', scenes: [scene({ scene_unid: 's-given' })] })] });
      const id = await createTask(body);
      const detail = await t.request('GET', `/tasks/${id}`);
      expect(detail.body.mtasks[0].mtask_unid).toBe('m-given');
      expect(detail.body.mtasks[0].scenes[0].scene_unid).toBe('s-given');
    });

    it('splits a video task without channels into one subtask on its play_url', async () => {
      const id = await createTask(videoTask({ vchans: undefined, mtasks: [mtask({ scenes: [scene({ vchan_refid: undefined })] })] }));
      const subtasks = await t.request('GET', `/tasks/${id}/subtasks`);
      expect(subtasks.body.list_size).toBe(1);
      expect(subtasks.body.list_data[0].source).toMatchObject({ play_url: videoTask().play_url, vchan_refid: null });
    });

    it.each([
      ['pull_pic_files', 'ftp://pictures.example.test/in'],
      ['push_pic_files', null],
    ] as const)('splits a %s task into node_count subtasks', async (sourceType, pullUrl) => {
      const id = await createTask(pictureTask(sourceType, 3));
      const subtasks = await t.request('GET', `/tasks/${id}/subtasks`);
      expect(subtasks.body.total_num).toBe(3);
      expect(subtasks.body.list_data.map((s: { source: { node_index: number } }) => s.source.node_index)).toEqual([0, 1, 2]);
      for (const s of subtasks.body.list_data) expect(s.source.pull_source_url).toBe(pullUrl);
    });

    it('accepts a PTZ channel with time-period and batch mtasks', async () => {
      const body = videoTask({
        vchans: [{ vchan_refid: 'dome', is_ptz: true }],
        mtasks: [
          mtask({ type: 1, time_interval: undefined, scenes: [scene({ vchan_refid: 'dome' })] }),
          mtask({ type: 2, time_interval: undefined, scenes: [scene({ vchan_refid: 'dome' })] }),
        ],
      });
      const id = await createTask(body);
      const detail = await t.request('GET', `/tasks/${id}`);
      expect(detail.body.mtasks.map((m: { type: number }) => m.type)).toEqual([1, 2]);
    });

    it('stores SQL meta-characters in every string field verbatim', async () => {
      const evil = `x'); DROP TABLE tb_task; -- "\\ % _ \`;`;
      const body = videoTask({
        task_name: evil,
        store_conf_unid: evil.slice(0, 60),
        vchans: [{ vchan_refid: evil, name: evil }],
        mtasks: [
          mtask({
            mtask_unid: evil,
            name: evil,
            scenes: [scene({ scene_unid: `${evil}s`, name: evil, vchan_refid: evil, algo_args: { count_line: evil }, link_scenes: [evil] })],
          }),
        ],
      });
      const before = await t.count('tb_task');
      const id = await createTask(body);
      expect(await t.count('tb_task')).toBe(before + 1);
      const detail = await t.request('GET', `/tasks/${id}`);
      expect(detail.body.task_name).toBe(evil);
      expect(detail.body.vchans[0]).toMatchObject({ vchan_refid: evil, name: evil });
      expect(detail.body.mtasks[0]).toMatchObject({ mtask_unid: evil, name: evil });
      expect(detail.body.mtasks[0].scenes[0]).toMatchObject({ name: evil, vchan_refid: evil, algo_args: { count_line: evil }, link_scenes: [evil] });
      const found = await t.request('GET', `/tasks?keyword=${encodeURIComponent('DROP TABLE tb_task; --')}`);
      expect(found.body.list_data.map((x: { task_id: string }) => x.task_id)).toContain(id);
      const wildcard = await t.request('GET', `/tasks?keyword=${encodeURIComponent('%')}`);
      expect(wildcard.body.list_data.every((x: { task_name: string }) => x.task_name.includes('%'))).toBe(true);
    });
  });

  describe('bad input is refused and writes nothing', () => {
    const cases: [string, () => { body?: unknown; raw?: string; headers?: Record<string, string> }, number, string, string | null][] = [
      ['malformed JSON', () => ({ raw: '{"task_name": "x",' }), 400, 'MALFORMED_JSON', null],
      ['a body that is not an object', () => ({ raw: '[1,2]' }), 400, 'VALIDATION_FAILED', null],
      ['missing task_name', () => ({ body: videoTask({ task_name: undefined }) }), 400, 'VALIDATION_FAILED', 'task_name'],
      ['blank task_name', () => ({ body: videoTask({ task_name: '   ' }) }), 400, 'VALIDATION_FAILED', 'task_name'],
      ['missing algo_type', () => ({ body: videoTask({ algo_type: undefined }) }), 400, 'VALIDATION_FAILED', 'algo_type'],
      ['missing run_dt', () => ({ body: videoTask({ run_dt: undefined }) }), 400, 'VALIDATION_FAILED', 'run_dt'],
      ['run_dt not a date', () => ({ body: videoTask({ run_dt: '2018-13-45 99:00:00' }) }), 400, 'VALIDATION_FAILED', 'run_dt'],
      ['missing play_url', () => ({ body: videoTask({ play_url: undefined }) }), 400, 'VALIDATION_FAILED', 'play_url'],
      ['unknown algo_type', () => ({ body: videoTask({ algo_type: '9' }) }), 400, 'VALIDATION_FAILED', 'algo_type'],
      [
        "a scene's algo_type differing from the task's",
        () => ({ body: videoTask({ mtasks: [mtask({ scenes: [scene(), scene({ vchan_refid: 'ch-2', algo_type: 2 })] })] }) }),
        400,
        'VALIDATION_FAILED',
        'mtasks[0].scenes[1].algo_type',
      ],
      [
        'a malformed ROI',
        () => ({ body: videoTask({ mtasks: [mtask({ scenes: [scene(), scene({ vchan_refid: 'ch-2', rois: [{ roi: '<root><a></root>' }] })] })] }) }),
        400,
        'VALIDATION_FAILED',
        'mtasks[0].scenes[1].rois[0].roi',
      ],
      [
        'a malformed calibration',
        () => ({ body: videoTask({ mtasks: [mtask({ scenes: [scene({ callibration: { calibration: 'not xml' } })] })] }) }),
        400,
        'VALIDATION_FAILED',
        'mtasks[0].scenes[0].callibration.calibration',
      ],
      [
        'a malformed config',
        () => ({ body: videoTask({ mtasks: [mtask({ scenes: [scene({ config: { xml: '<a' } })] })] }) }),
        400,
        'VALIDATION_FAILED',
        'mtasks[0].scenes[0].config.xml',
      ],
      [
        'a malformed basicConfig',
        () => ({ body: videoTask({ mtasks: [mtask({ scenes: [scene({ basicConfig: { xml: '<a></b>' } })] })] }) }),
        400,
        'VALIDATION_FAILED',
        'mtasks[0].scenes[0].basicConfig.xml',
      ],
      [
        'an oversized XML document',
        () => ({ body: videoTask({ mtasks: [mtask({ scenes: [scene({ rois: [{ roi: `<root>${'a'.repeat(3000)}</root>` }] })] })] }) }),
        413,
        'PAYLOAD_TOO_LARGE',
        'mtasks[0].scenes[0].rois[0].roi',
      ],
      ['an oversized body', () => ({ body: videoTask({ task_name: 'x', store_conf_unid: 'y'.repeat(70000) }) }), 413, 'PAYLOAD_TOO_LARGE', null],
      ['type 1 on a non-PTZ channel', () => ({ body: videoTask({ mtasks: [mtask({ type: 1 })] }) }), 400, 'VALIDATION_FAILED', 'mtasks[0].type'],
      ['type 2 on a non-PTZ channel', () => ({ body: videoTask({ mtasks: [mtask({ type: 2 })] }) }), 400, 'VALIDATION_FAILED', 'mtasks[0].type'],
      [
        'polling without time_interval',
        () => ({ body: videoTask({ mtasks: [mtask({ time_interval: undefined })] }) }),
        400,
        'VALIDATION_FAILED',
        'mtasks[0].time_interval',
      ],
      [
        'polling with time_interval 0',
        () => ({ body: videoTask({ mtasks: [mtask({ time_interval: 0 })] }) }),
        400,
        'VALIDATION_FAILED',
        'mtasks[0].time_interval',
      ],
      ['start_time not HH:mm:ss', () => ({ body: videoTask({ mtasks: [mtask({ start_time: '7:00' })] }) }), 400, 'VALIDATION_FAILED', 'mtasks[0].start_time'],
      ['end_time not HH:mm:ss', () => ({ body: videoTask({ mtasks: [mtask({ end_time: '24:00:00' })] }) }), 400, 'VALIDATION_FAILED', 'mtasks[0].end_time'],
      ['play_url with another scheme', () => ({ body: videoTask({ play_url: 'file:///etc/passwd' }) }), 400, 'VALIDATION_FAILED', 'play_url'],
      [
        'a channel play_url with another scheme',
        () => ({ body: videoTask({ vchans: [{ vchan_refid: 'ch-1', play_url: 'javascript:alert(1)' }] }) }),
        400,
        'VALIDATION_FAILED',
        'vchans[0].play_url',
      ],
      [
        'duplicate vchan_refids',
        () => ({ body: videoTask({ vchans: [{ vchan_refid: 'ch-1' }, { vchan_refid: 'ch-1' }], mtasks: [] }) }),
        400,
        'VALIDATION_FAILED',
        'vchans[1].vchan_refid',
      ],
      ['node_count 0 for pictures', () => ({ body: { ...pictureTask('push_pic_files'), node_count: 0 } }), 400, 'VALIDATION_FAILED', 'node_count'],
      [
        'node_count missing for pictures',
        () => ({ body: { ...pictureTask('push_pic_files'), node_count: undefined } }),
        400,
        'VALIDATION_FAILED',
        'node_count',
      ],
      [
        'pull_pic_files without pull_source_url',
        () => ({ body: { ...pictureTask('pull_pic_files'), pull_source_url: undefined } }),
        400,
        'VALIDATION_FAILED',
        'pull_source_url',
      ],
      ['an unknown top-level field', () => ({ body: videoTask({ owner: 'me' }) }), 400, 'VALIDATION_FAILED', 'owner'],
      [
        'an unknown nested field',
        () => ({ body: videoTask({ mtasks: [mtask({ scenes: [scene({ colour: 'red' })] })] }) }),
        400,
        'VALIDATION_FAILED',
        'mtasks[0].scenes[0].colour',
      ],
      [
        'a scene bound to an unknown channel',
        () => ({ body: videoTask({ mtasks: [mtask({ scenes: [scene({ vchan_refid: 'nope' })] })] }) }),
        400,
        'VALIDATION_FAILED',
        'mtasks[0].scenes[0].vchan_refid',
      ],
      [
        'a scene naming no channel in a task with channels',
        () => ({ body: videoTask({ mtasks: [mtask({ scenes: [scene(), scene({ vchan_refid: undefined })] })] }) }),
        400,
        'VALIDATION_FAILED',
        'mtasks[0].scenes[1].vchan_refid',
      ],
      [
        'an algo_args key of no passenger-flow argument',
        () => ({ body: videoTask({ mtasks: [mtask({ scenes: [scene({ algo_args: { threshold: 0.5 } })] })] }) }),
        400,
        'VALIDATION_FAILED',
        'mtasks[0].scenes[0].algo_args.threshold',
      ],
      [
        'an algo_args value out of range',
        () => ({ body: videoTask({ mtasks: [mtask({ scenes: [scene({ algo_args: { direction: 'in', min_person_px: 4 } })] })] }) }),
        400,
        'VALIDATION_FAILED',
        'mtasks[0].scenes[0].algo_args.min_person_px',
      ],
      ['a text body', () => ({ raw: 'task_name=x', headers: { 'content-type': 'text/plain' } }), 415, 'UNSUPPORTED_MEDIA_TYPE', null],
    ];

    it.each(cases)('%s', async (_name, make, status, error, field) => {
      const before = await t.counts();
      const res = await t.request('POST', '/tasks', make());
      expect(res.status).toBe(status);
      expect(res.body).toMatchObject({ ecode: status, error, enote: expect.any(String), request_id: expect.any(String) });
      if (field) expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
      expect(res.text).not.toMatch(/at .*\.(ts|js):\d+|SELECT |INSERT |node_modules/);
      expect(await t.counts()).toEqual(before);
    });

    it('names the XML field and explains it in the request language', async () => {
      const body = videoTask({ mtasks: [mtask({ scenes: [scene({ rois: [{ roi: XML }, { roi: '<a>' }] })] })] });
      const zh = await t.request('POST', '/tasks', { body });
      expect(zh.body.enote).toBe('请求参数不合法（1 处错误）');
      expect(zh.body.errors).toEqual([{ field: 'mtasks[0].scenes[0].rois[1].roi', message: 'mtasks[0].scenes[0].rois[1].roi 不是格式正确的 XML' }]);
      const en = await t.request('POST', '/tasks', { body, lang: 'en-US,en;q=0.9' });
      expect(en.body.enote).toBe('The request is invalid (1 problem(s))');
      expect(en.body.errors).toEqual([{ field: 'mtasks[0].scenes[0].rois[1].roi', message: 'mtasks[0].scenes[0].rois[1].roi is not well-formed XML' }]);
    });

    it('reports every problem of a body at once', async () => {
      const res = await t.request('POST', '/tasks', {
        body: videoTask({ algo_type: '9', mtasks: [mtask({ time_interval: 0, scenes: [scene({ config: { xml: '<a' } })] })] }),
        lang: 'en',
      });
      expect(res.status).toBe(400);
      expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(
        ['algo_type', 'mtasks[0].scenes[0].algo_type', 'mtasks[0].scenes[0].config.xml', 'mtasks[0].time_interval'].sort(),
      );
    });
  });

  describe('GET /tasks', () => {
    let ids: string[];
    beforeAll(async () => {
      ids = [];
      for (let i = 0; i < 5; i++) {
        ids.push(await createTask(videoTask({ task_name: `List probe ${i}`, algo_type: i % 2 ? '1' : '0', mtasks: [] })));
      }
    });

    it('answers the original list shape, newest create_dt first', async () => {
      const res = await t.request('GET', '/tasks?offset=0&limit=3&keyword=List%20probe');
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ ecode: 200, enote: 'OK', total_num: 5, offset: 0, list_size: 3 });
      expect(res.body.list_data.map((x: { task_id: string }) => x.task_id)).toEqual([ids[4], ids[3], ids[2]]);
      const item = res.body.list_data[0];
      for (const key of [
        'task_id',
        'task_name',
        'algo_type',
        'run_dt',
        'play_url',
        'mtasks',
        'store_conf_unid',
        'create_dt',
        'update_dt',
        'status',
        'status_counts',
      ]) {
        expect(item).toHaveProperty(key);
      }
      expect(item.create_dt).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3}$/);
      const next = await t.request('GET', '/tasks?offset=3&limit=3&keyword=List%20probe');
      expect(next.body).toMatchObject({ total_num: 5, offset: 3, list_size: 2 });
      expect(next.body.list_data.map((x: { task_id: string }) => x.task_id)).toEqual([ids[1], ids[0]]);
    });

    it('defaults to offset 0 and limit 10', async () => {
      const res = await t.request('GET', '/tasks');
      expect(res.body.offset).toBe(0);
      expect(res.body.list_size).toBe(Math.min(10, res.body.total_num));
    });

    it('filters by algo_type, status and keyword', async () => {
      const byAlgo = await t.request('GET', '/tasks?algo_type=0&keyword=List%20probe');
      expect(byAlgo.body.list_data.map((x: { task_id: string }) => x.task_id)).toEqual([ids[4], ids[2], ids[0]]);
      const byStatus = await t.request('GET', '/tasks?status=running&keyword=List%20probe');
      expect(byStatus.body.total_num).toBe(0);
      const unconfigured = await t.request('GET', '/tasks?status=unconfigured&keyword=List%20probe');
      expect(unconfigured.body.total_num).toBe(5);
    });

    it.each([
      ['offset=-1', 'offset'],
      ['limit=0', 'limit'],
      ['limit=101', 'limit'],
      ['limit=ten', 'limit'],
      ['offset=1.5', 'offset'],
      ['status=sleeping', 'status'],
      ['color=red', 'color'],
    ])('refuses %s', async (query, field) => {
      const res = await t.request('GET', `/tasks?${query}`);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ ecode: 400, error: 'VALIDATION_FAILED' });
      expect(res.body.errors.map((e: { field: string }) => e.field)).toContain(field);
    });
  });

  describe('GET, PUT, DELETE one task', () => {
    it('answers 404 in the standard structure for an unknown id', async () => {
      for (const [method, url, body] of [
        ['GET', '/tasks/00000000-0000-7000-8000-00000000abcd', undefined],
        ['GET', "/tasks/1' OR '1'='1/subtasks", undefined],
        ['PUT', '/tasks/unknown', { task_name: 'x' }],
        ['DELETE', '/tasks/unknown', undefined],
        ['POST', '/tasks/unknown/restore', undefined],
      ] as const) {
        const before = await t.counts();
        const res = await t.request(method, url, { body });
        expect(res.status).toBe(404);
        expect(res.body).toMatchObject({ ecode: 404, error: 'TASK_NOT_FOUND' });
        expect(await t.counts()).toEqual(before);
      }
    });

    it('edits name, run_dt, play_url, store_conf_unid and mtasks', async () => {
      const id = await createTask();
      const res = await t.request('PUT', `/tasks/${id}`, {
        body: {
          task_name: 'Renamed',
          run_dt: '2030-01-02T03:04:05.006+08:00',
          play_url: 'rtmp://example.test/live',
          store_conf_unid: 'store-2',
          mtasks: [mtask({ name: 'new', time_interval: 10, scenes: [scene({ vchan_refid: 'ch-2', name: 'only' })] })],
        },
      });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ ecode: 200, enote: 'OK', task_id: id });
      const detail = await t.request('GET', `/tasks/${id}`);
      expect(detail.body).toMatchObject({
        task_name: 'Renamed',
        run_dt: '2030-01-02 03:04:05.006',
        play_url: 'rtmp://example.test/live',
        store_conf_unid: 'store-2',
      });
      expect(detail.body.mtasks).toHaveLength(1);
      expect(detail.body.mtasks[0]).toMatchObject({ name: 'new', time_interval: 10 });
      expect(detail.body.mtasks[0].scenes.map((s: { name: string }) => s.name)).toEqual(['only']);
      expect(detail.body.update_dt >= detail.body.create_dt).toBe(true);
    });

    it('refuses a bad edit and changes nothing', async () => {
      const id = await createTask();
      const before = (await t.request('GET', `/tasks/${id}`)).body;
      for (const body of [
        { task_name: '' },
        { play_url: 'smb://x' },
        { mtasks: [mtask({ scenes: [scene({ rois: [{ roi: '<x' }] })] })] },
        { mtasks: [mtask({ type: 1 })] },
        { mtasks: [mtask({ scenes: [scene({ algo_args: { direction: 'up' } })] })] },
        { mtasks: [mtask({ scenes: [scene({ vchan_refid: null })] })] },
        { source_type: 'push_pic_files' },
      ]) {
        const res = await t.request('PUT', `/tasks/${id}`, { body });
        expect(res.status).toBe(400);
      }
      expect((await t.request('GET', `/tasks/${id}`)).body).toEqual(before);
    });

    it('keeps the unfiltered total_num equal to the live tasks through create, delete and restore', async () => {
      const liveCount = () => t.count('tb_task WHERE deleted_dt IS NULL');
      const total = async () => (await t.request('GET', '/tasks?limit=1')).body.total_num;
      const id = await createTask();
      expect(await total()).toBe(await liveCount());
      await t.request('DELETE', `/tasks/${id}`);
      expect(await total()).toBe(await liveCount());
      await t.request('DELETE', `/tasks/${id}`); // a second delete is a 404 and must not count twice
      await t.request('POST', `/tasks/${id}/restore`);
      await t.request('POST', `/tasks/${id}/restore`); // a second restore is a 409
      expect(await total()).toBe(await liveCount());
    });

    it('deletes recoverably: gone from list and detail, back after restore', async () => {
      const id = await createTask(videoTask({ task_name: 'To delete' }));
      const del = await t.request('DELETE', `/tasks/${id}`);
      expect(del.status).toBe(200);
      expect((await t.request('GET', `/tasks/${id}`)).status).toBe(404);
      expect((await t.request('GET', `/tasks/${id}/subtasks`)).status).toBe(404);
      const list = await t.request('GET', '/tasks?keyword=To%20delete');
      expect(list.body.list_data.map((x: { task_id: string }) => x.task_id)).not.toContain(id);
      expect((await t.request('DELETE', `/tasks/${id}`)).status).toBe(404);

      const restored = await t.request('POST', `/tasks/${id}/restore`);
      expect(restored.status).toBe(200);
      expect((await t.request('GET', `/tasks/${id}`)).body.task_name).toBe('To delete');
      const again = await t.request('POST', `/tasks/${id}/restore`);
      expect(again.status).toBe(409);
      expect(again.body.error).toBe('TASK_NOT_DELETED');
    });

    it('refuses to delete or edit while a subtask is active, and changes nothing', async () => {
      const id = await createTask();
      await t.dataSource.query(`UPDATE tb_subtask SET state = 'running', desired_state = 'run' WHERE task_id = ?`, [id]);
      const before = await t.counts();
      const del = await t.request('DELETE', `/tasks/${id}`);
      expect(del.status).toBe(409);
      expect(del.body).toMatchObject({ ecode: 409, error: 'TASK_ACTIVE' });
      expect(del.body.active_subtasks).toHaveLength(2);
      const put = await t.request('PUT', `/tasks/${id}`, { body: { task_name: 'nope' } });
      expect(put.status).toBe(409);
      expect((await t.request('GET', `/tasks/${id}`)).body.task_name).toBe('North gate passenger flow');
      expect(await t.counts()).toEqual(before);
    });
  });
});
