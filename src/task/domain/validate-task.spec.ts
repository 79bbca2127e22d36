import type { FieldError } from '../../common/errors/app.exception';
import type { MtaskInputDto, SceneInputDto } from '../../scene/dto/mtask.dto';
import type { SourceType } from '../../subtask/domain/decompose';
import type { CreateTaskDto, UpdateTaskDto, VchanDto } from '../dto/task-input.dto';
import { ExistingTaskShape, TaskRulesContext, validateNewTask, validateTaskUpdate } from './validate-task';

const XML = '<?xml version="1.0" encoding="UTF-8"?><root></root>';
const MAX = 32 * 1024;
const ctx: TaskRulesContext = { algoTypes: new Set(['0', '1', '2', '3', '4']), xmlMaxBytes: MAX, timeZone: 'Asia/Shanghai' };
const updateCtx = { xmlMaxBytes: MAX, timeZone: 'Asia/Shanghai' };

function scene(over: Partial<SceneInputDto> = {}): SceneInputDto {
  return {
    scene_unid: 'scene-1',
    name: 'Gate scene',
    preset: 1,
    callibration: { calibration: XML },
    rois: [{ roi: XML }],
    config: { xml: XML },
    basicConfig: { xml: XML },
    link_scenes: [],
    algo_type: 1,
    algo_args: {},
    is_record: 0,
    is_active: 1,
    vchan_refid: 'c1',
    ...over,
  };
}

function mtask(over: Partial<MtaskInputDto> = {}): MtaskInputDto {
  return { mtask_unid: 'mtask-1', name: 'Polling', type: 0, time_interval: 5, scenes: [scene()], ...over };
}

/** The original's example body: a video task with one fixed and one PTZ channel, one polling mtask. */
function videoTask(over: Partial<CreateTaskDto> = {}): CreateTaskDto {
  return {
    task_name: 'North gate traffic',
    algo_type: '1',
    run_dt: '2018-12-03 10:27:30.999',
    play_url: 'rtsp://192.168.9.155:8554/live/1',
    store_conf_unid: null,
    source_type: 'pull_video_stream',
    vchans: [
      { vchan_refid: 'c1', name: 'Gate', play_url: 'rtsp://192.168.9.155:8554/live/1', is_ptz: false },
      { vchan_refid: 'p1', name: 'Dome', is_ptz: true },
    ],
    mtasks: [mtask()],
    ...over,
  };
}

/** A picture task: no channels, `node_count` worker nodes, scenes bound to no channel. */
function pictureTask(source_type: SourceType, over: Partial<CreateTaskDto> = {}): CreateTaskDto {
  return videoTask({
    source_type,
    vchans: undefined,
    node_count: 2,
    pull_source_url: source_type === 'pull_pic_files' ? 'http://files.example/pics' : undefined,
    mtasks: [mtask({ scenes: [scene({ vchan_refid: undefined })] })],
    ...over,
  });
}

const PICTURE_SOURCES: SourceType[] = ['pull_pic_files', 'push_pic_files'];

describe('validateNewTask', () => {
  describe('a valid body', () => {
    it('accepts the original example body', () => {
      expect(validateNewTask(videoTask(), ctx)).toEqual([]);
    });

    it('accepts a video task with PTZ schedules on its PTZ channel', () => {
      const mtasks = [
        mtask({ mtask_unid: 'm1', scenes: [scene({ scene_unid: 's1', vchan_refid: 'c1' })] }),
        mtask({
          mtask_unid: 'm2',
          type: 1,
          time_interval: null,
          start_time: '00:00:00',
          end_time: '22:01:20',
          scenes: [scene({ scene_unid: 's2', vchan_refid: 'p1', algo_type: '1' })],
        }),
        mtask({ mtask_unid: 'm3', type: 2, time_interval: null, scenes: [scene({ scene_unid: 's3', vchan_refid: 'p1' })] }),
      ];
      expect(validateNewTask(videoTask({ mtasks }), ctx)).toEqual([]);
    });

    it.each<[string, Partial<CreateTaskDto>]>([
      ['without source_type (defaults to a video stream)', { source_type: undefined }],
      ['without channels, streaming its own play_url', { vchans: undefined, mtasks: [mtask({ scenes: [scene({ vchan_refid: undefined })] })] }],
      ['with channels null', { vchans: null, mtasks: [mtask({ scenes: [scene({ vchan_refid: null })] })] }],
      ['without mtasks', { mtasks: undefined }],
      ['with mtasks null', { mtasks: null }],
      ['with no mtasks', { mtasks: [] }],
      ['with node_count null', { node_count: null }],
      ['with pull_source_url null', { pull_source_url: null }],
      ['with pull_source_url empty', { pull_source_url: '' }],
    ])('accepts a video task %s', (_label, over) => {
      expect(validateNewTask(videoTask(over), ctx)).toEqual([]);
    });

    it.each(PICTURE_SOURCES)('accepts a %s task', (source_type) => {
      expect(validateNewTask(pictureTask(source_type), ctx)).toEqual([]);
    });
  });

  describe('algo_type', () => {
    it.each(['0', '1', '2', '3', '4'])('accepts the dictionary code %p', (algo_type) => {
      expect(validateNewTask(videoTask({ algo_type, mtasks: [] }), ctx)).toEqual([]);
    });

    it.each(['5', '9', '01', '1.0', 'face', ''])('refuses %p, which is not in the dictionary', (algo_type) => {
      expect(validateNewTask(videoTask({ algo_type, mtasks: [] }), ctx)).toEqual([{ field: 'algo_type', rule: 'algoTypeUnknown' }]);
    });

    it('refuses every code when the dictionary is empty', () => {
      expect(validateNewTask(videoTask({ mtasks: [] }), { ...ctx, algoTypes: new Set() })).toEqual([{ field: 'algo_type', rule: 'algoTypeUnknown' }]);
    });

    it('compares scenes with the task algo_type (number 1 equals string "1")', () => {
      const mtasks = [
        mtask({
          scenes: [
            scene({ scene_unid: 's1', algo_type: 1 }),
            scene({ scene_unid: 's2', algo_type: '1' }),
            scene({ scene_unid: 's3', algo_type: 2 }),
            scene({ scene_unid: 's4', algo_type: '3' }),
          ],
        }),
      ];
      expect(validateNewTask(videoTask({ mtasks }), ctx)).toEqual([
        { field: 'mtasks[0].scenes[2].algo_type', rule: 'algoTypeMismatch', args: { expected: '1' } },
        { field: 'mtasks[0].scenes[3].algo_type', rule: 'algoTypeMismatch', args: { expected: '1' } },
      ]);
    });

    it('reports an unknown task algo_type and the scenes that differ from it', () => {
      expect(validateNewTask(videoTask({ algo_type: '9' }), ctx)).toEqual([
        { field: 'algo_type', rule: 'algoTypeUnknown' },
        { field: 'mtasks[0].scenes[0].algo_type', rule: 'algoTypeMismatch', args: { expected: '9' } },
      ]);
    });
  });

  describe('run_dt', () => {
    it.each([
      '2018-12-03 10:27:30.999',
      '2018-12-03 10:27:30.000',
      '2018-12-03 10:27:30',
      '2020-02-29 00:00:00',
      '2018-12-31 23:59:59.999',
      '2018-12-03T10:27:30Z',
      '2018-12-03T10:27:30.5+08:00',
      '2018-12-03T10:27:30+0800',
      '2018-12-03T10:27:30.123456789-05:00',
    ])('accepts %p', (run_dt) => {
      expect(validateNewTask(videoTask({ run_dt }), ctx)).toEqual([]);
    });

    it.each([
      '',
      'yesterday',
      '2018-12-03',
      '10:27:30',
      '2018-12-03T10:27:30', // ISO without an offset is ambiguous
      '2018/12/03 10:27:30',
      '2018-12-03 10:27',
      '2018-12-03 10:27:30.9999',
      '2018-02-30 10:00:00', // passes the DTO's shape check but is no real date
      '2018-02-29 10:00:00', // not a leap year
      '2018-04-31 00:00:00',
      '2018-13-01 10:00:00',
      '2018-12-03 24:00:00',
      '2018-12-03 10:60:00',
      '2018-12-03 10:27:60',
      '2018-13-01T10:00:00Z',
      '2018-12-03T25:00:00Z',
      ' 2018-12-03 10:27:30',
    ])('refuses %p', (run_dt) => {
      expect(validateNewTask(videoTask({ run_dt }), ctx)).toEqual([{ field: 'run_dt', rule: 'isWireDateTime' }]);
    });

    // The wire pattern allows one to three fraction digits, and the calendar is checked in both forms.
    it.each(['2018-12-03 10:27:30.9', '2018-12-03 10:27:30.99'])('accepts %p with fewer than three fraction digits, as the wire pattern allows', (run_dt) => {
      expect(validateNewTask(videoTask({ run_dt }), ctx)).toEqual([]);
    });

    it.each(['2018-02-30T10:00:00Z', '2018-02-31T10:00:00+08:00', '2018-04-31T00:00:00Z'])(
      'refuses the impossible ISO date %p like its local form',
      (run_dt) => {
        expect(validateNewTask(videoTask({ run_dt }), ctx)).toEqual([{ field: 'run_dt', rule: 'isWireDateTime' }]);
      },
    );
  });

  describe.each(PICTURE_SOURCES)('a %s task', (source_type) => {
    it.each<[string, number | null | undefined]>([
      ['missing', undefined],
      ['null', null],
      ['0', 0],
      ['negative', -1],
      ['below 1', 0.5],
    ])('refuses node_count %s', (_label, node_count) => {
      expect(validateNewTask(pictureTask(source_type, { node_count }), ctx)).toEqual([{ field: 'node_count', rule: 'nodeCountRequired' }]);
    });

    it.each([1, 2, 1024])('accepts node_count %p', (node_count) => {
      expect(validateNewTask(pictureTask(source_type, { node_count }), ctx)).toEqual([]);
    });

    it.each<[string, VchanDto[]]>([
      ['one channel', [{ vchan_refid: 'c1' }]],
      ['a PTZ channel', [{ vchan_refid: 'p1', is_ptz: true }]],
      ['two channels', [{ vchan_refid: 'c1' }, { vchan_refid: 'c2' }]],
    ])('refuses %s', (_label, vchans) => {
      expect(validateNewTask(pictureTask(source_type, { vchans }), ctx)).toEqual([{ field: 'vchans', rule: 'videoOnly' }]);
    });

    it.each([
      ['empty', []],
      ['null', null],
    ])('accepts channels %s', (_label, vchans) => {
      expect(validateNewTask(pictureTask(source_type, { vchans }), ctx)).toEqual([]);
    });

    it('skips the PTZ and channel rules for its mtasks', () => {
      const mtasks = [
        mtask({
          mtask_unid: 'm1',
          type: 1,
          time_interval: null,
          start_time: '08:00:00',
          end_time: '18:00:00',
          scenes: [scene({ scene_unid: 's1', vchan_refid: undefined })],
        }),
        mtask({ mtask_unid: 'm2', type: 2, time_interval: null, scenes: [scene({ scene_unid: 's2', vchan_refid: undefined })] }),
      ];
      expect(validateNewTask(pictureTask(source_type, { mtasks }), ctx)).toEqual([]);
    });

    it('still applies the schedule, id, algo_type and XML rules to its mtasks', () => {
      const mtasks = [
        mtask({ mtask_unid: 'm', time_interval: 0, scenes: [scene({ scene_unid: 's', vchan_refid: undefined })] }),
        mtask({
          mtask_unid: 'm',
          type: 1,
          time_interval: null,
          scenes: [scene({ scene_unid: 's', vchan_refid: undefined, algo_type: 2, rois: [{ roi: XML }, { roi: '<roi>' }] })],
        }),
      ];
      expect(validateNewTask(pictureTask(source_type, { mtasks }), ctx)).toEqual([
        { field: 'mtasks[0].time_interval', rule: 'timeIntervalRequired' },
        { field: 'mtasks[1].mtask_unid', rule: 'duplicate' },
        { field: 'mtasks[1].start_time', rule: 'timeRangeRequired' },
        { field: 'mtasks[1].end_time', rule: 'timeRangeRequired' },
        { field: 'mtasks[1].scenes[0].scene_unid', rule: 'duplicate' },
        { field: 'mtasks[1].scenes[0].algo_type', rule: 'algoTypeMismatch', args: { expected: '1' } },
        { field: 'mtasks[1].scenes[0].rois[1].roi', rule: 'xmlMalformed', args: { max: MAX } },
      ]);
    });
  });

  describe('pull_source_url on picture sources', () => {
    it.each<[string, string | null | undefined]>([
      ['missing', undefined],
      ['null', null],
      ['empty', ''],
    ])('is required for pull_pic_files (%s)', (_label, pull_source_url) => {
      expect(validateNewTask(pictureTask('pull_pic_files', { pull_source_url }), ctx)).toEqual([{ field: 'pull_source_url', rule: 'pullSourceUrlRequired' }]);
    });

    it.each<[string, string | null | undefined]>([
      ['missing', undefined],
      ['null', null],
      ['empty', ''],
      // Given anyway: not refused (decomposition ignores it for pushed pictures).
      ['given', 'http://files.example/pics'],
    ])('is optional for push_pic_files (%s)', (_label, pull_source_url) => {
      expect(validateNewTask(pictureTask('push_pic_files', { pull_source_url }), ctx)).toEqual([]);
    });

    it('reports every source problem of a pulled picture task together', () => {
      expect(validateNewTask(pictureTask('pull_pic_files', { node_count: 0, pull_source_url: undefined, vchans: [{ vchan_refid: 'c1' }] }), ctx)).toEqual([
        { field: 'node_count', rule: 'nodeCountRequired' },
        { field: 'pull_source_url', rule: 'pullSourceUrlRequired' },
        { field: 'vchans', rule: 'videoOnly' },
      ]);
    });
  });

  describe('a video task', () => {
    it.each<[string, SourceType | undefined]>([
      ['explicit', 'pull_video_stream'],
      ['by default', undefined],
    ])('refuses node_count and pull_source_url (%s)', (_label, source_type) => {
      expect(validateNewTask(videoTask({ source_type, node_count: 2 }), ctx)).toEqual([{ field: 'node_count', rule: 'picturesOnly' }]);
      expect(validateNewTask(videoTask({ source_type, pull_source_url: 'http://files.example/pics' }), ctx)).toEqual([
        { field: 'pull_source_url', rule: 'picturesOnly' },
      ]);
      expect(validateNewTask(videoTask({ source_type, node_count: 1, pull_source_url: 'ftp://files.example/' }), ctx)).toEqual([
        { field: 'node_count', rule: 'picturesOnly' },
        { field: 'pull_source_url', rule: 'picturesOnly' },
      ]);
    });

    it.each([0, 1, 1024, -1])('refuses node_count %p, however small', (node_count) => {
      expect(validateNewTask(videoTask({ node_count }), ctx)).toEqual([{ field: 'node_count', rule: 'picturesOnly' }]);
    });

    it.each<[string, VchanDto[], FieldError[]]>([
      ['distinct ids', [{ vchan_refid: 'a' }, { vchan_refid: 'b' }, { vchan_refid: 'c' }], []],
      ['ids differing only in case', [{ vchan_refid: 'a' }, { vchan_refid: 'A' }], []],
      ['a repeated id', [{ vchan_refid: 'a' }, { vchan_refid: 'b' }, { vchan_refid: 'a' }], [{ field: 'vchans[2].vchan_refid', rule: 'duplicate' }]],
      [
        'an id given three times',
        [{ vchan_refid: 'a' }, { vchan_refid: 'a' }, { vchan_refid: 'a' }],
        [
          { field: 'vchans[1].vchan_refid', rule: 'duplicate' },
          { field: 'vchans[2].vchan_refid', rule: 'duplicate' },
        ],
      ],
    ])('checks channel ids: %s', (_label, vchans, expected) => {
      expect(validateNewTask(videoTask({ vchans, mtasks: [] }), ctx)).toEqual(expected);
    });

    it('binds scenes to the declared channels', () => {
      const mtasks = [mtask({ scenes: [scene({ scene_unid: 's1', vchan_refid: 'c1' }), scene({ scene_unid: 's2', vchan_refid: 'c9' })] })];
      expect(validateNewTask(videoTask({ mtasks }), ctx)).toEqual([{ field: 'mtasks[0].scenes[1].vchan_refid', rule: 'vchanUnknown' }]);
    });

    it('refuses channel-bound scenes on a task without channels', () => {
      expect(validateNewTask(videoTask({ vchans: [] }), ctx)).toEqual([{ field: 'mtasks[0].scenes[0].vchan_refid', rule: 'vchanUnknown' }]);
    });

    it.each<[string, string | null | undefined]>([
      ['absent', undefined],
      ['null', null],
    ])('requires every scene to name its channel when the task declares channels (%s)', (_label, vchan_refid) => {
      const mtasks = [mtask({ scenes: [scene({ scene_unid: 's1', vchan_refid: 'c1' }), scene({ scene_unid: 's2', vchan_refid })] })];
      expect(validateNewTask(videoTask({ mtasks }), ctx)).toEqual([{ field: 'mtasks[0].scenes[1].vchan_refid', rule: 'vchanRequired' }]);
    });

    it('checks algo_args against the schema of the task algo_type', () => {
      const mtasks = [mtask({ scenes: [scene({ algo_type: '0', algo_args: { lane_count: 17, speed_limit_kmh: 120, direction: 'in' } })] })];
      expect(validateNewTask(videoTask({ algo_type: '0', mtasks }), ctx)).toEqual([
        { field: 'mtasks[0].scenes[0].algo_args.lane_count', rule: 'algoArgRange', args: { min: 1, max: 16 } },
        { field: 'mtasks[0].scenes[0].algo_args.direction', rule: 'algoArgUnknown' },
      ]);
      const ok = [mtask({ scenes: [scene({ algo_type: '0', algo_args: { lane_count: 16, speed_limit_kmh: 120 } })] })];
      expect(validateNewTask(videoTask({ algo_type: '0', mtasks: ok }), ctx)).toEqual([]);
    });

    it.each<[string, boolean | null | undefined, FieldError[]]>([
      ['is_ptz true', true, []],
      ['is_ptz false', false, [{ field: 'mtasks[0].type', rule: 'ptzRequired', args: { type: 1 } }]],
      ['is_ptz null', null, [{ field: 'mtasks[0].type', rule: 'ptzRequired', args: { type: 1 } }]],
      ['is_ptz absent', undefined, [{ field: 'mtasks[0].type', rule: 'ptzRequired', args: { type: 1 } }]],
    ])('allows type 1 on a channel with %s only when PTZ', (_label, is_ptz, expected) => {
      const mtasks = [mtask({ type: 1, time_interval: null, start_time: '00:00:00', end_time: '22:01:20', scenes: [scene({ vchan_refid: 'cam' })] })];
      expect(validateNewTask(videoTask({ vchans: [{ vchan_refid: 'cam', is_ptz }], mtasks }), ctx)).toEqual(expected);
    });

    it.each([1, 2])('refuses type %p on a task streaming its own play_url', (type) => {
      const mtasks = [mtask({ type, time_interval: null, start_time: '00:00:00', end_time: '01:00:00', scenes: [scene({ vchan_refid: undefined })] })];
      expect(validateNewTask(videoTask({ vchans: undefined, mtasks }), ctx)).toEqual([{ field: 'mtasks[0].type', rule: 'ptzRequired', args: { type } }]);
    });
  });

  describe('XML limit', () => {
    it('uses the context limit in bytes', () => {
      const xml = `<r>${'区'.repeat(10)}</r>`; // 37 bytes
      const body = videoTask({ mtasks: [mtask({ scenes: [scene({ callibration: { calibration: xml }, rois: [], config: null, basicConfig: null })] })] });
      expect(validateNewTask(body, { ...ctx, xmlMaxBytes: 37 })).toEqual([]);
      expect(validateNewTask(body, { ...ctx, xmlMaxBytes: 36 })).toEqual([
        { field: 'mtasks[0].scenes[0].callibration.calibration', rule: 'xmlTooLarge', args: { max: 36 } },
      ]);
    });
  });

  it('reports task rules before mtask rules', () => {
    const body = videoTask({
      algo_type: 'x',
      run_dt: 'soon',
      node_count: 3,
      vchans: [{ vchan_refid: 'c1' }, { vchan_refid: 'c1' }],
      mtasks: [mtask({ time_interval: 0, scenes: [scene({ algo_type: 'x', config: { xml: '<' } })] })],
    });
    expect(validateNewTask(body, ctx)).toEqual([
      { field: 'algo_type', rule: 'algoTypeUnknown' },
      { field: 'run_dt', rule: 'isWireDateTime' },
      { field: 'node_count', rule: 'picturesOnly' },
      { field: 'vchans[1].vchan_refid', rule: 'duplicate' },
      { field: 'mtasks[0].time_interval', rule: 'timeIntervalRequired' },
      { field: 'mtasks[0].scenes[0].config.xml', rule: 'xmlMalformed', args: { max: MAX } },
    ]);
  });
});

describe('validateTaskUpdate', () => {
  const channels: ReadonlyMap<string, { is_ptz: boolean }> = new Map([
    ['c1', { is_ptz: false }],
    ['p1', { is_ptz: true }],
  ]);
  const videoShape: ExistingTaskShape = { algo_type: '1', source_type: 'pull_video_stream', channels };
  const periodOn = (vchan_refid: string | undefined, over: Partial<MtaskInputDto> = {}) =>
    mtask({ type: 1, time_interval: null, start_time: '00:00:00', end_time: '22:01:20', scenes: [scene({ vchan_refid })], ...over });

  it.each<[string, UpdateTaskDto]>([
    ['an empty body', {}],
    ['only a name', { task_name: 'Renamed' }],
    ['only a play_url', { play_url: 'rtsp://cam/2' }],
    ['only a store', { store_conf_unid: null }],
    ['a valid run_dt', { run_dt: '2019-01-01 00:00:00.000' }],
    ['an ISO run_dt', { run_dt: '2019-01-01T00:00:00+08:00' }],
    ['mtasks null (clears them)', { mtasks: null }],
    ['no mtasks', { mtasks: [] }],
    ['valid mtasks', { mtasks: [mtask(), periodOn('p1', { mtask_unid: 'm2', scenes: [scene({ scene_unid: 's2', vchan_refid: 'p1' })] })] }],
  ])('accepts %s', (_label, dto) => {
    expect(validateTaskUpdate(dto, videoShape, updateCtx)).toEqual([]);
  });

  it.each<[string, unknown]>([
    ['garbage', 'soon'],
    ['an impossible date', '2018-02-30 10:00:00'],
    ['ISO without offset', '2018-12-03T10:27:30'],
    ['empty', ''],
    ['null (only absence means "unchanged")', null],
  ])('refuses run_dt %s', (_label, run_dt) => {
    expect(validateTaskUpdate({ run_dt: run_dt as string }, videoShape, updateCtx)).toEqual([{ field: 'run_dt', rule: 'isWireDateTime' }]);
  });

  it('checks scenes against the existing task algo_type, not a dictionary', () => {
    const shape: ExistingTaskShape = { ...videoShape, algo_type: 'legacy' };
    const mtasks = [mtask({ scenes: [scene({ scene_unid: 's1', algo_type: 'legacy' }), scene({ scene_unid: 's2', algo_type: 1 })] })];
    expect(validateTaskUpdate({ mtasks }, shape, updateCtx)).toEqual([
      { field: 'mtasks[0].scenes[1].algo_type', rule: 'algoTypeMismatch', args: { expected: 'legacy' } },
    ]);
  });

  it.each<[string, string | undefined, ReadonlyMap<string, { is_ptz: boolean }>, FieldError[]]>([
    ['on an existing PTZ channel', 'p1', channels, []],
    ['on an existing fixed channel', 'c1', channels, [{ field: 'mtasks[0].type', rule: 'ptzRequired', args: { type: 1 } }]],
    [
      'on a channel the task does not have',
      'p9',
      channels,
      [
        { field: 'mtasks[0].type', rule: 'ptzRequired', args: { type: 1 } },
        { field: 'mtasks[0].scenes[0].vchan_refid', rule: 'vchanUnknown' },
      ],
    ],
    ['on a task without channels', undefined, new Map(), [{ field: 'mtasks[0].type', rule: 'ptzRequired', args: { type: 1 } }]],
  ])('checks a type 1 mtask %s', (_label, vchan_refid, taskChannels, expected) => {
    expect(validateTaskUpdate({ mtasks: [periodOn(vchan_refid)] }, { ...videoShape, channels: taskChannels }, updateCtx)).toEqual(expected);
  });

  it('requires scenes to name a channel of an existing task with channels', () => {
    const mtasks = [mtask({ scenes: [scene({ scene_unid: 's1', vchan_refid: undefined })] })];
    expect(validateTaskUpdate({ mtasks }, videoShape, updateCtx)).toEqual([{ field: 'mtasks[0].scenes[0].vchan_refid', rule: 'vchanRequired' }]);
    expect(validateTaskUpdate({ mtasks }, { ...videoShape, channels: new Map() }, updateCtx)).toEqual([]);
  });

  it('checks algo_args against the existing task algo_type', () => {
    const mtasks = [mtask({ scenes: [scene({ algo_type: '4', algo_args: { match_threshold: 1.5, library_unid: 7 } })] })];
    expect(validateTaskUpdate({ mtasks }, { ...videoShape, algo_type: '4' }, updateCtx)).toEqual([
      { field: 'mtasks[0].scenes[0].algo_args.match_threshold', rule: 'algoArgRange', args: { min: 0, max: 1 } },
      { field: 'mtasks[0].scenes[0].algo_args.library_unid', rule: 'algoArgType', args: { expected: 'string' } },
    ]);
  });

  it('checks polling scenes against the existing channels', () => {
    const mtasks = [mtask({ scenes: [scene({ scene_unid: 's1', vchan_refid: 'c1' }), scene({ scene_unid: 's2', vchan_refid: 'gone' })] })];
    expect(validateTaskUpdate({ mtasks }, videoShape, updateCtx)).toEqual([{ field: 'mtasks[0].scenes[1].vchan_refid', rule: 'vchanUnknown' }]);
  });

  it.each(PICTURE_SOURCES)('skips the PTZ and channel rules on an existing %s task', (source_type) => {
    const shape: ExistingTaskShape = { algo_type: '1', source_type, channels: new Map() };
    const mtasks = [
      periodOn(undefined, { mtask_unid: 'm1' }),
      mtask({ mtask_unid: 'm2', type: 2, time_interval: null, scenes: [scene({ scene_unid: 's2', vchan_refid: undefined })] }),
    ];
    expect(validateTaskUpdate({ mtasks }, shape, updateCtx)).toEqual([]);
  });

  it('applies every mtask rule, with the context XML limit', () => {
    const mtasks = [
      mtask({ mtask_unid: 'm', time_interval: undefined, scenes: [scene({ scene_unid: 's', basicConfig: { xml: `<r>${'é'.repeat(50)}</r>` } })] }),
      mtask({ mtask_unid: 'm', type: 1, time_interval: null, end_time: '10:00:00', scenes: [scene({ scene_unid: 's', vchan_refid: 'p1', algo_type: '2' })] }),
    ];
    // 'é' is 2 bytes: 107 bytes in all.
    expect(validateTaskUpdate({ mtasks, run_dt: 'x' }, videoShape, { ...updateCtx, xmlMaxBytes: 106 })).toEqual([
      { field: 'run_dt', rule: 'isWireDateTime' },
      { field: 'mtasks[0].time_interval', rule: 'timeIntervalRequired' },
      { field: 'mtasks[0].scenes[0].basicConfig.xml', rule: 'xmlTooLarge', args: { max: 106 } },
      { field: 'mtasks[1].mtask_unid', rule: 'duplicate' },
      { field: 'mtasks[1].start_time', rule: 'timeRangeRequired' },
      { field: 'mtasks[1].scenes[0].scene_unid', rule: 'duplicate' },
      { field: 'mtasks[1].scenes[0].algo_type', rule: 'algoTypeMismatch', args: { expected: '1' } },
    ]);
    expect(validateTaskUpdate({ mtasks: mtasks.slice(0, 1).map((m) => ({ ...m, time_interval: 5 })) }, videoShape, { ...updateCtx, xmlMaxBytes: 107 })).toEqual(
      [],
    );
  });
});
