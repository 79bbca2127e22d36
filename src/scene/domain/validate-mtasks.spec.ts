import type { FieldError } from '../../common/errors/app.exception';
import type { MtaskInputDto, SceneInputDto } from '../dto/mtask.dto';
import { MtaskRules, validateMtasks } from './validate-mtasks';

/** The original's example XML, used for every XML place of a scene. */
const XML = '<?xml version="1.0" encoding="UTF-8"?><root></root>';
const MAX = 32 * 1024;

/** Channels of a video task: `c1`, `c2` fixed cameras, `p1`, `p2` PTZ (dome) cameras. */
const CHANNELS: ReadonlyMap<string, { is_ptz: boolean }> = new Map([
  ['c1', { is_ptz: false }],
  ['c2', { is_ptz: false }],
  ['p1', { is_ptz: true }],
  ['p2', { is_ptz: true }],
]);

const videoRules = (over: Partial<MtaskRules> = {}): MtaskRules => ({
  algoType: '1',
  xmlMaxBytes: MAX,
  pictureSource: false,
  channels: CHANNELS,
  ...over,
});
const pictureRules = (over: Partial<MtaskRules> = {}): MtaskRules => videoRules({ pictureSource: true, channels: new Map(), ...over });

/** A complete scene as the original's example body has it. */
function scene(over: Partial<SceneInputDto> = {}): SceneInputDto {
  return {
    scene_unid: 'scene-1',
    name: 'Gate scene',
    preset: 1,
    callibration: { calibration: XML },
    rois: [{ roi: XML }, { roi: XML }],
    config: { xml: XML },
    basicConfig: { xml: XML },
    link_scenes: [],
    algo_type: 1,
    algo_args: { direction: 'in', min_person_px: 24 },
    is_record: 0,
    is_active: 1,
    vchan_refid: 'c1',
    play_urls: { http: 'http://cam/1', rtsp: 'rtsp://cam/1' },
    ...over,
  };
}

/** A polling mtask (type 0, every 5 minutes) holding the given scenes. */
function mtask(over: Partial<MtaskInputDto> = {}): MtaskInputDto {
  return { mtask_unid: 'mtask-1', name: 'Polling', type: 0, time_interval: 5, scenes: [scene()], ...over };
}

/** A time-period mtask with its range, on a PTZ camera unless scenes are given. */
function periodMtask(over: Partial<MtaskInputDto> = {}): MtaskInputDto {
  return mtask({
    type: 1,
    time_interval: null,
    start_time: '00:00:00',
    end_time: '22:01:20',
    scenes: [scene({ vchan_refid: 'p1' })],
    ...over,
  });
}

/** An XML document of exactly `bytes` UTF-8 bytes whose text is made of `char`. */
function xmlOfBytes(bytes: number, char: string): string {
  const tags = '<r></r>'.length;
  const each = Buffer.byteLength(char, 'utf8');
  const text = bytes - tags;
  if (text < 0 || text % each !== 0) throw new Error(`cannot build ${bytes} bytes from ${char}`);
  const xml = `<r>${char.repeat(text / each)}</r>`;
  expect(Buffer.byteLength(xml, 'utf8')).toBe(bytes);
  return xml;
}

describe('validateMtasks', () => {
  describe('a valid body', () => {
    it('accepts the original example body (polling mtask, full scenes with XML everywhere)', () => {
      const mtasks = [
        mtask({
          mtask_unid: 'm1',
          scenes: [scene({ scene_unid: 's1', vchan_refid: 'c1' }), scene({ scene_unid: 's2', vchan_refid: 'c2' })],
        }),
        periodMtask({ mtask_unid: 'm2', scenes: [scene({ scene_unid: 's3', vchan_refid: 'p1' }), scene({ scene_unid: 's4', vchan_refid: 'p2' })] }),
        mtask({ mtask_unid: 'm3', type: 2, time_interval: null, scenes: [scene({ scene_unid: 's5', vchan_refid: 'p2', algo_type: '1' })] }),
      ];
      expect(validateMtasks(mtasks, videoRules())).toEqual([]);
    });

    it.each([
      ['undefined', undefined],
      ['null', null],
      ['an empty list', []],
    ])('accepts %s as no mtasks', (_label, mtasks) => {
      expect(validateMtasks(mtasks, videoRules())).toEqual([]);
    });

    it.each([
      ['no scenes key', { scenes: undefined }],
      ['scenes null', { scenes: null }],
      ['scenes empty', { scenes: [] }],
    ])('accepts a polling mtask with %s', (_label, over) => {
      expect(validateMtasks([mtask(over)], videoRules())).toEqual([]);
    });

    it('accepts mtasks and scenes without ids (they are generated later)', () => {
      const mtasks = [
        mtask({ mtask_unid: undefined, scenes: [scene({ scene_unid: undefined }), scene({ scene_unid: undefined })] }),
        mtask({ mtask_unid: undefined, scenes: [scene({ scene_unid: undefined })] }),
      ];
      expect(validateMtasks(mtasks, videoRules())).toEqual([]);
    });

    it('accepts a scene whose optional XML parts are all absent', () => {
      const bare: SceneInputDto = { algo_type: 1, vchan_refid: 'c1' };
      const nulls = scene({ callibration: null, rois: null, config: null, basicConfig: null });
      const empty = scene({ callibration: undefined, rois: [], config: undefined, basicConfig: undefined });
      expect(validateMtasks([mtask({ scenes: [bare, nulls, empty].map((s, k) => ({ ...s, scene_unid: `s${k}` })) })], videoRules())).toEqual([]);
    });

    it('prefixes every field with the given path', () => {
      const errors = validateMtasks([mtask({ time_interval: 0, scenes: [scene({ algo_type: 2 })] })], videoRules(), 'body.mtasks');
      expect(errors).toEqual([
        { field: 'body.mtasks[0].time_interval', rule: 'timeIntervalRequired' },
        { field: 'body.mtasks[0].scenes[0].algo_type', rule: 'algoTypeMismatch', args: { expected: '1' } },
      ]);
    });
  });

  describe('unique ids', () => {
    it.each<[string, MtaskInputDto[], FieldError[]]>([
      [
        'two mtasks share an mtask_unid',
        [mtask({ mtask_unid: 'm' }), mtask({ mtask_unid: 'm', scenes: [] })],
        [{ field: 'mtasks[1].mtask_unid', rule: 'duplicate' }],
      ],
      [
        'three mtasks share an mtask_unid (each repeat is reported)',
        [mtask({ mtask_unid: 'm', scenes: [] }), mtask({ mtask_unid: 'm', scenes: [] }), mtask({ mtask_unid: 'm', scenes: [] })],
        [
          { field: 'mtasks[1].mtask_unid', rule: 'duplicate' },
          { field: 'mtasks[2].mtask_unid', rule: 'duplicate' },
        ],
      ],
      [
        'a repeat after another id',
        [mtask({ mtask_unid: 'a', scenes: [] }), mtask({ mtask_unid: 'b', scenes: [] }), mtask({ mtask_unid: 'a', scenes: [] })],
        [{ field: 'mtasks[2].mtask_unid', rule: 'duplicate' }],
      ],
      ['ids that differ only in case', [mtask({ mtask_unid: 'M', scenes: [] }), mtask({ mtask_unid: 'm', scenes: [] })], []],
      ['absent ids', [mtask({ mtask_unid: undefined, scenes: [] }), mtask({ mtask_unid: undefined, scenes: [] })], []],
      [
        'two scenes of one mtask share a scene_unid',
        [mtask({ scenes: [scene({ scene_unid: 's' }), scene({ scene_unid: 's', vchan_refid: 'c2' })] })],
        [{ field: 'mtasks[0].scenes[1].scene_unid', rule: 'duplicate' }],
      ],
      [
        'scenes of different mtasks share a scene_unid (ids are unique across the task)',
        [
          mtask({ mtask_unid: 'a', scenes: [scene({ scene_unid: 's' })] }),
          mtask({ mtask_unid: 'b', scenes: [scene({ scene_unid: 'x' }), scene({ scene_unid: 's' })] }),
        ],
        [{ field: 'mtasks[1].scenes[1].scene_unid', rule: 'duplicate' }],
      ],
      ['an mtask_unid equal to a scene_unid (separate namespaces)', [mtask({ mtask_unid: 'same', scenes: [scene({ scene_unid: 'same' })] })], []],
    ])('%s', (_label, mtasks, expected) => {
      expect(validateMtasks(mtasks, videoRules())).toEqual(expected);
    });
  });

  describe('polling schedule (type 0)', () => {
    it.each<[string, Partial<MtaskInputDto>]>([
      ['missing', { time_interval: undefined }],
      ['null', { time_interval: null }],
      ['0', { time_interval: 0 }],
      ['negative', { time_interval: -5 }],
      ['below 1', { time_interval: 0.5 }],
      ['NaN', { time_interval: Number.NaN }],
      ['a numeric string', { time_interval: '5' as unknown as number }],
      ['missing, with type omitted (defaults to polling)', { type: undefined, time_interval: undefined }],
      ['0, with type null (defaults to polling)', { type: null as unknown as number, time_interval: 0 }],
    ])('refuses time_interval %s', (_label, over) => {
      expect(validateMtasks([mtask(over)], videoRules())).toEqual([{ field: 'mtasks[0].time_interval', rule: 'timeIntervalRequired' }]);
    });

    it.each([1, 5, 60, 10080])('accepts time_interval %p', (time_interval) => {
      expect(validateMtasks([mtask({ time_interval })], videoRules())).toEqual([]);
      expect(validateMtasks([mtask({ type: undefined, time_interval })], videoRules())).toEqual([]);
    });

    it('reports the interval of the right mtask', () => {
      const mtasks = [mtask({ mtask_unid: 'a' }), mtask({ mtask_unid: 'b', time_interval: 0, scenes: [] })];
      expect(validateMtasks(mtasks, videoRules())).toEqual([{ field: 'mtasks[1].time_interval', rule: 'timeIntervalRequired' }]);
    });

    it.each([1, 2])('does not ask for an interval when type is %p', (type) => {
      const over = type === 1 ? {} : { start_time: undefined, end_time: undefined };
      expect(validateMtasks([periodMtask({ type, time_interval: undefined, ...over })], videoRules())).toEqual([]);
    });

    it('needs no time range', () => {
      expect(validateMtasks([mtask({ start_time: undefined, end_time: undefined })], videoRules())).toEqual([]);
    });
  });

  describe('time-period schedule (type 1)', () => {
    it.each<[string, Partial<MtaskInputDto>, FieldError[]]>([
      ['start_time missing', { start_time: undefined }, [{ field: 'mtasks[0].start_time', rule: 'timeRangeRequired' }]],
      ['start_time null', { start_time: null }, [{ field: 'mtasks[0].start_time', rule: 'timeRangeRequired' }]],
      ['start_time empty', { start_time: '' }, [{ field: 'mtasks[0].start_time', rule: 'timeRangeRequired' }]],
      ['end_time missing', { end_time: undefined }, [{ field: 'mtasks[0].end_time', rule: 'timeRangeRequired' }]],
      ['end_time null', { end_time: null }, [{ field: 'mtasks[0].end_time', rule: 'timeRangeRequired' }]],
      ['end_time empty', { end_time: '' }, [{ field: 'mtasks[0].end_time', rule: 'timeRangeRequired' }]],
      [
        'both missing',
        { start_time: undefined, end_time: undefined },
        [
          { field: 'mtasks[0].start_time', rule: 'timeRangeRequired' },
          { field: 'mtasks[0].end_time', rule: 'timeRangeRequired' },
        ],
      ],
    ])('refuses %s', (_label, over, expected) => {
      expect(validateMtasks([periodMtask(over)], videoRules())).toEqual(expected);
    });

    it('accepts a complete range on a PTZ camera', () => {
      expect(validateMtasks([periodMtask()], videoRules())).toEqual([]);
    });

    it('asks for the range on picture sources too', () => {
      expect(validateMtasks([periodMtask({ start_time: undefined, scenes: [scene({ vchan_refid: undefined })] })], pictureRules())).toEqual([
        { field: 'mtasks[0].start_time', rule: 'timeRangeRequired' },
      ]);
    });

    // Only presence is checked: the order of the bounds is not (a range may wrap past midnight).
    it.each([
      ['22:00:00', '06:00:00'],
      ['12:00:00', '12:00:00'],
    ])('accepts the range %p to %p', (start_time, end_time) => {
      expect(validateMtasks([periodMtask({ start_time, end_time })], videoRules())).toEqual([]);
    });

    it.each([0, 2])('needs no range for type %p', (type) => {
      const over = { type, start_time: undefined, end_time: undefined, time_interval: type === 0 ? 5 : undefined };
      expect(validateMtasks([periodMtask(over)], videoRules())).toEqual([]);
    });
  });

  describe('PTZ-only types (1 and 2)', () => {
    const ptz = (type: number): FieldError => ({ field: 'mtasks[0].type', rule: 'ptzRequired', args: { type } });
    const unbound: FieldError = { field: 'mtasks[0].scenes[0].vchan_refid', rule: 'vchanRequired' };

    it.each<[string, number, (string | null | undefined)[] | null, MtaskRules, FieldError[]]>([
      ['type 1 on a fixed camera', 1, ['c1'], videoRules(), [ptz(1)]],
      ['type 2 on a fixed camera', 2, ['c1'], videoRules(), [ptz(2)]],
      ['type 1 on a PTZ camera', 1, ['p1'], videoRules(), []],
      ['type 2 on a PTZ camera', 2, ['p2'], videoRules(), []],
      ['type 1 on two PTZ cameras', 1, ['p1', 'p2'], videoRules(), []],
      ['type 1 when one of its scenes is on a fixed camera', 1, ['p1', 'c1'], videoRules(), [ptz(1)]],
      ['type 2 when the fixed camera comes first', 2, ['c2', 'p1'], videoRules(), [ptz(2)]],
      // A scene naming no channel is refused in a task with channels (vchanRequired); the PTZ rule
      // still reads it as running on every channel, so it needs every channel to be PTZ.
      ['type 1 with a scene naming no channel', 1, [undefined], videoRules(), [ptz(1), unbound]],
      ['type 1 with a scene whose vchan_refid is null', 1, [null], videoRules(), [ptz(1), unbound]],
      ['type 1 with a scene naming no channel, every channel PTZ', 1, [undefined], videoRules({ channels: new Map([['p1', { is_ptz: true }]]) }), [unbound]],
      ['type 1 with a scene naming no channel, one channel fixed', 1, [undefined], videoRules(), [ptz(1), unbound]],
      ['type 1 on a task streaming its own play_url (no channels)', 1, [undefined], videoRules({ channels: new Map() }), [ptz(1)]],
      [
        'type 1 on an undeclared channel (also reported as unknown)',
        1,
        ['ghost'],
        videoRules(),
        [ptz(1), { field: 'mtasks[0].scenes[0].vchan_refid', rule: 'vchanUnknown' }],
      ],
      // Without scenes, the mtask runs on every channel, so every channel must be PTZ.
      ['type 1 without scenes, every channel PTZ', 1, [], videoRules({ channels: new Map([['p1', { is_ptz: true }]]) }), []],
      ['type 1 without scenes, one channel fixed', 1, [], videoRules(), [ptz(1)]],
      ['type 2 without scenes (null), one channel fixed', 2, null, videoRules(), [ptz(2)]],
      ['type 1 without scenes, only fixed channels', 1, [], videoRules({ channels: new Map([['c1', { is_ptz: false }]]) }), [ptz(1)]],
      ['type 2 without scenes, no channels', 2, [], videoRules({ channels: new Map() }), [ptz(2)]],
      // Polling runs on any camera.
      ['type 0 on a fixed camera', 0, ['c1'], videoRules(), []],
      ['type 0 without channels', 0, [undefined], videoRules({ channels: new Map() }), []],
      // Picture sources have no cameras: the PTZ rule does not apply.
      ['type 1 on a picture source', 1, [undefined], pictureRules(), []],
      ['type 2 on a picture source without scenes', 2, [], pictureRules(), []],
      [
        'type 2 on a picture source naming a channel (which it has none of)',
        2,
        ['whatever'],
        pictureRules(),
        [{ field: 'mtasks[0].scenes[0].vchan_refid', rule: 'videoOnly' }],
      ],
    ])('%s', (_label, type, vchans, rules, expected) => {
      const scenes = vchans === null ? null : vchans.map((vchan_refid, k) => scene({ scene_unid: `s${k}`, vchan_refid }));
      expect(validateMtasks([periodMtask({ type, time_interval: type === 0 ? 5 : undefined, scenes })], rules)).toEqual(expected);
    });

    it('reports the type of each offending mtask', () => {
      const mtasks = [
        periodMtask({ mtask_unid: 'a', scenes: [scene({ scene_unid: 's1', vchan_refid: 'p1' })] }),
        periodMtask({ mtask_unid: 'b', scenes: [scene({ scene_unid: 's2', vchan_refid: 'c1' })] }),
        periodMtask({ mtask_unid: 'c', type: 2, scenes: [scene({ scene_unid: 's3', vchan_refid: 'c2' })] }),
      ];
      expect(validateMtasks(mtasks, videoRules())).toEqual([
        { field: 'mtasks[1].type', rule: 'ptzRequired', args: { type: 1 } },
        { field: 'mtasks[2].type', rule: 'ptzRequired', args: { type: 2 } },
      ]);
    });
  });

  describe('channel binding', () => {
    it.each<[string, string | null | undefined, MtaskRules, FieldError[]]>([
      ['a declared fixed channel', 'c1', videoRules(), []],
      ['a declared PTZ channel', 'p2', videoRules(), []],
      ['an undeclared channel', 'c3', videoRules(), [{ field: 'mtasks[0].scenes[0].vchan_refid', rule: 'vchanUnknown' }]],
      ['a channel differing only in case', 'C1', videoRules(), [{ field: 'mtasks[0].scenes[0].vchan_refid', rule: 'vchanUnknown' }]],
      ['a channel on a task without channels', 'c1', videoRules({ channels: new Map() }), [{ field: 'mtasks[0].scenes[0].vchan_refid', rule: 'vchanUnknown' }]],
      // A scene belongs to one channel's subtask: a task that declares channels needs it named.
      ['no channel (absent) on a task with channels', undefined, videoRules(), [{ field: 'mtasks[0].scenes[0].vchan_refid', rule: 'vchanRequired' }]],
      ['no channel (null) on a task with channels', null, videoRules(), [{ field: 'mtasks[0].scenes[0].vchan_refid', rule: 'vchanRequired' }]],
      ['no channel (empty string) on a task with channels', '', videoRules(), [{ field: 'mtasks[0].scenes[0].vchan_refid', rule: 'vchanRequired' }]],
      [
        'no channel on a task with only PTZ channels',
        undefined,
        videoRules({ channels: new Map([['p1', { is_ptz: true }]]) }),
        [{ field: 'mtasks[0].scenes[0].vchan_refid', rule: 'vchanRequired' }],
      ],
      // Without channels the task streams its own play_url: its one subtask runs every scene.
      ['no channel on a task without channels', undefined, videoRules({ channels: new Map() }), []],
      // Picture sources have no channels: naming one is a mistake, naming none is the rule.
      ['any channel on a picture source', 'ghost', pictureRules(), [{ field: 'mtasks[0].scenes[0].vchan_refid', rule: 'videoOnly' }]],
      ['no channel on a picture source', undefined, pictureRules(), []],
    ])('scene on %s', (_label, vchan_refid, rules, expected) => {
      expect(validateMtasks([mtask({ scenes: [scene({ vchan_refid })] })], rules)).toEqual(expected);
    });

    it('reports each scene naming no channel at its own place, on every mtask type', () => {
      const mtasks = [
        mtask({ mtask_unid: 'a', scenes: [scene({ scene_unid: 's1', vchan_refid: 'c1' }), scene({ scene_unid: 's2', vchan_refid: undefined })] }),
        periodMtask({ mtask_unid: 'b', scenes: [scene({ scene_unid: 's3', vchan_refid: 'p1' }), scene({ scene_unid: 's4', vchan_refid: null })] }),
      ];
      expect(validateMtasks(mtasks, videoRules())).toEqual([
        { field: 'mtasks[0].scenes[1].vchan_refid', rule: 'vchanRequired' },
        { field: 'mtasks[1].type', rule: 'ptzRequired', args: { type: 1 } },
        { field: 'mtasks[1].scenes[1].vchan_refid', rule: 'vchanRequired' },
      ]);
    });

    it('reports each unknown channel at its own scene', () => {
      const mtasks = [
        mtask({ mtask_unid: 'a', scenes: [scene({ scene_unid: 's1', vchan_refid: 'x' }), scene({ scene_unid: 's2', vchan_refid: 'c1' })] }),
        mtask({ mtask_unid: 'b', scenes: [scene({ scene_unid: 's3', vchan_refid: 'c2' }), scene({ scene_unid: 's4', vchan_refid: 'y' })] }),
      ];
      expect(validateMtasks(mtasks, videoRules())).toEqual([
        { field: 'mtasks[0].scenes[0].vchan_refid', rule: 'vchanUnknown' },
        { field: 'mtasks[1].scenes[1].vchan_refid', rule: 'vchanUnknown' },
      ]);
    });
  });

  describe('algo_type equality', () => {
    it.each<[string | number, string]>([
      [1, '1'],
      ['1', '1'],
      [0, '0'],
      ['0', '0'],
      [12, '12'],
      ['face', 'face'],
      ['traffic_v2', 'traffic_v2'],
    ])('accepts scene algo_type %p for task algo_type %p', (algo_type, taskAlgoType) => {
      expect(validateMtasks([mtask({ scenes: [scene({ algo_type, algo_args: {} })] })], videoRules({ algoType: taskAlgoType }))).toEqual([]);
    });

    it.each<[string | number, string]>([
      [2, '1'],
      ['2', '1'],
      [1, '01'],
      ['01', '1'],
      [10, '1'],
      [1, '1.0'],
      ['Face', 'face'],
      [' 1', '1'],
      [undefined as unknown as number, '1'],
    ])('refuses scene algo_type %p for task algo_type %p', (algo_type, taskAlgoType) => {
      expect(validateMtasks([mtask({ scenes: [scene({ algo_type })] })], videoRules({ algoType: taskAlgoType }))).toEqual([
        { field: 'mtasks[0].scenes[0].algo_type', rule: 'algoTypeMismatch', args: { expected: taskAlgoType } },
      ]);
    });

    it('checks every scene of every mtask', () => {
      const mtasks = [
        mtask({ mtask_unid: 'a', scenes: [scene({ scene_unid: 's1', algo_type: 1 }), scene({ scene_unid: 's2', algo_type: 3 })] }),
        mtask({ mtask_unid: 'b', scenes: [scene({ scene_unid: 's3', algo_type: '4' })] }),
      ];
      expect(validateMtasks(mtasks, videoRules())).toEqual([
        { field: 'mtasks[0].scenes[1].algo_type', rule: 'algoTypeMismatch', args: { expected: '1' } },
        { field: 'mtasks[1].scenes[0].algo_type', rule: 'algoTypeMismatch', args: { expected: '1' } },
      ]);
    });

    it('applies to picture sources too', () => {
      expect(validateMtasks([mtask({ scenes: [scene({ algo_type: 2, vchan_refid: undefined })] })], pictureRules())).toEqual([
        { field: 'mtasks[0].scenes[0].algo_type', rule: 'algoTypeMismatch', args: { expected: '1' } },
      ]);
    });
  });

  describe('algo_args per algorithm type', () => {
    it.each<[string, Record<string, unknown>]>([
      ['0', { lane_count: 2, speed_limit_kmh: 80, detect_interval_ms: 100 }],
      ['1', { direction: 'out', count_line: '0,0;1,1', min_person_px: 8 }],
      ['2', { intrusion_seconds: 0, sensitivity: 1 }],
      ['3', { parking_seconds: 600, sensitivity: 0 }],
      ['4', { min_face_px: 1024, match_threshold: 0.5, library_unid: 'lib' }],
    ])('accepts valid arguments of type %p', (algoType, algo_args) => {
      expect(validateMtasks([mtask({ scenes: [scene({ algo_type: algoType, algo_args })] })], videoRules({ algoType }))).toEqual([]);
    });

    it('reports each bad argument with its full field path', () => {
      const mtasks = [
        mtask({ mtask_unid: 'a', scenes: [scene({ scene_unid: 's1' })] }),
        mtask({
          mtask_unid: 'b',
          scenes: [scene({ scene_unid: 's2' }), scene({ scene_unid: 's3', algo_args: { direction: 'sideways', min_person_px: 2.5, threshold: 1 } })],
        }),
      ];
      expect(validateMtasks(mtasks, videoRules())).toEqual([
        { field: 'mtasks[1].scenes[1].algo_args.direction', rule: 'algoArgEnum', args: { values: 'in, out, both' } },
        { field: 'mtasks[1].scenes[1].algo_args.min_person_px', rule: 'algoArgType', args: { expected: 'integer' } },
        { field: 'mtasks[1].scenes[1].algo_args.threshold', rule: 'algoArgUnknown' },
      ]);
    });

    it('checks the arguments against the task type, not another type the scene names', () => {
      // A security scene in a passenger-flow task: the mismatch is the error, not its arguments.
      const mtasks = [mtask({ scenes: [scene({ algo_type: 2, algo_args: { sensitivity: 0.5 } })] })];
      expect(validateMtasks(mtasks, videoRules())).toEqual([{ field: 'mtasks[0].scenes[0].algo_type', rule: 'algoTypeMismatch', args: { expected: '1' } }]);
    });

    it('accepts any flat object for a type without a schema, and nothing nested', () => {
      const flat = [mtask({ scenes: [scene({ algo_type: 'legacy', algo_args: { anything: 'x', n: 2, on: true } })] })];
      expect(validateMtasks(flat, videoRules({ algoType: 'legacy' }))).toEqual([]);
      const nested = [mtask({ scenes: [scene({ algo_type: 'legacy', algo_args: { anything: [1, 2], deep: { x: 'y' } } })] })];
      expect(validateMtasks(nested, videoRules({ algoType: 'legacy' }))).toEqual([
        { field: 'mtasks[0].scenes[0].algo_args.anything', rule: 'algoArgScalar' },
        { field: 'mtasks[0].scenes[0].algo_args.deep', rule: 'algoArgScalar' },
      ]);
    });

    it.each([
      ['null', null],
      ['absent', undefined],
    ])('accepts %s arguments', (_label, algo_args) => {
      expect(validateMtasks([mtask({ scenes: [scene({ algo_args })] })], videoRules())).toEqual([]);
    });

    it('applies to picture sources too', () => {
      expect(validateMtasks([mtask({ scenes: [scene({ vchan_refid: undefined, algo_args: { lane_count: 2 } })] })], pictureRules())).toEqual([
        { field: 'mtasks[0].scenes[0].algo_args.lane_count', rule: 'algoArgUnknown' },
      ]);
    });
  });

  describe('scene XML', () => {
    /** The four XML places of a scene, each with the override that puts `xml` there and its field path. */
    const places: [string, (xml: string, other?: string) => Partial<SceneInputDto>, string][] = [
      ['callibration', (xml) => ({ callibration: { calibration: xml } }), 'callibration.calibration'],
      ['the first roi', (xml, other = XML) => ({ rois: [{ roi: xml }, { roi: other }] }), 'rois[0].roi'],
      ['the second roi', (xml, other = XML) => ({ rois: [{ roi: other }, { roi: xml }] }), 'rois[1].roi'],
      ['the fifth roi', (xml, other = XML) => ({ rois: [other, other, other, other, xml].map((roi) => ({ roi })) }), 'rois[4].roi'],
      ['config', (xml) => ({ config: { xml } }), 'config.xml'],
      ['basicConfig', (xml) => ({ basicConfig: { xml } }), 'basicConfig.xml'],
    ];

    /** Puts the overridden scene second in the second mtask, so that both indexes show in the path. */
    function bodyWith(over: Partial<SceneInputDto>, base: Partial<SceneInputDto> = {}): MtaskInputDto[] {
      return [
        mtask({ mtask_unid: 'a', scenes: [scene({ scene_unid: 's1', ...base })] }),
        mtask({ mtask_unid: 'b', scenes: [scene({ scene_unid: 's2', ...base }), scene({ scene_unid: 's3', ...base, ...over })] }),
      ];
    }

    /** Tiny XML everywhere else, so that only the place under test can reach a small limit. */
    const TINY = '<r/>';
    const tiny: Partial<SceneInputDto> = {
      callibration: { calibration: TINY },
      rois: [{ roi: TINY }, { roi: TINY }],
      config: { xml: TINY },
      basicConfig: { xml: TINY },
    };
    const small = (put: (xml: string, other?: string) => Partial<SceneInputDto>, xml: string) => bodyWith(put(xml, TINY), tiny);

    const MALFORMED = [
      '',
      '   ',
      'not xml',
      '<root>',
      '<root></rooot>',
      '<a><b></a></b>',
      '<root attr=unquoted></root>',
      '<?xml version="1.0"?>',
      '<!-- only a comment -->',
      'text<root/>',
      '<a b="1" b="2"/>',
      '<1a/>',
      '<a>x < y</a>',
      '<root flag></root>', // an attribute without a value is HTML, not XML
      "'; DROP TABLE tb_task; --",
    ];

    describe.each(places)('in %s', (_place, put, name) => {
      it.each(MALFORMED)('refuses malformed %p with the exact field path', (xml) => {
        expect(validateMtasks(bodyWith(put(xml)), videoRules())).toEqual([{ field: `mtasks[1].scenes[1].${name}`, rule: 'xmlMalformed', args: { max: MAX } }]);
      });

      it.each([XML, '<root/>', '<root a="1"><roi x="3" y="4"/><!-- note --><![CDATA[<raw>]]></root>', '<根><区域>中文</区域></根>', '  <root/>\n'])(
        'accepts well-formed %p',
        (xml) => {
          expect(validateMtasks(bodyWith(put(xml)), videoRules())).toEqual([]);
        },
      );

      it.each<[string, string]>([
        ['ASCII (1 byte a character)', 'a'],
        ['CJK (3 bytes a character)', '区'],
        ['an emoji (4 bytes, two UTF-16 units)', '😀'],
      ])('accepts exactly the byte limit and refuses one byte more, in %s', (_label, char) => {
        // 7 bytes of tags plus a multiple of 12 bytes of text fits 1-, 3- and 4-byte characters alike.
        const limit = 7 + 12 * 10;
        const atLimit = xmlOfBytes(limit, char);
        expect(validateMtasks(small(put, atLimit), videoRules({ xmlMaxBytes: limit }))).toEqual([]);
        expect(validateMtasks(small(put, atLimit), videoRules({ xmlMaxBytes: limit - 1 }))).toEqual([
          { field: `mtasks[1].scenes[1].${name}`, rule: 'xmlTooLarge', args: { max: limit - 1 } },
        ]);
      });

      it('counts UTF-8 bytes, not characters', () => {
        const xml = `<r>${'区'.repeat(100)}</r>`; // 107 characters, 307 bytes
        expect(xml.length).toBe(107);
        expect(validateMtasks(small(put, xml), videoRules({ xmlMaxBytes: 200 }))).toEqual([
          { field: `mtasks[1].scenes[1].${name}`, rule: 'xmlTooLarge', args: { max: 200 } },
        ]);
        expect(validateMtasks(small(put, xml), videoRules({ xmlMaxBytes: 307 }))).toEqual([]);
      });

      it('checks the size before the syntax (an oversized malformed value is only "too large")', () => {
        const xml = `<r>${'x'.repeat(100)}`;
        expect(validateMtasks(small(put, xml), videoRules({ xmlMaxBytes: 50 }))).toEqual([
          { field: `mtasks[1].scenes[1].${name}`, rule: 'xmlTooLarge', args: { max: 50 } },
        ]);
        expect(validateMtasks(small(put, xml), videoRules({ xmlMaxBytes: 200 }))).toEqual([
          { field: `mtasks[1].scenes[1].${name}`, rule: 'xmlMalformed', args: { max: 200 } },
        ]);
      });
    });

    it('accepts the default 32 KiB limit exactly and refuses one byte more', () => {
      const atLimit = xmlOfBytes(MAX, 'a');
      const over = `${atLimit} `; // trailing whitespace keeps it well-formed
      expect(validateMtasks([mtask({ scenes: [scene({ config: { xml: atLimit } })] })], videoRules())).toEqual([]);
      expect(validateMtasks([mtask({ scenes: [scene({ config: { xml: over } })] })], videoRules())).toEqual([
        { field: 'mtasks[0].scenes[0].config.xml', rule: 'xmlTooLarge', args: { max: MAX } },
      ]);
    });

    it('reports every bad XML place of a scene, in order', () => {
      const bad = scene({
        callibration: { calibration: '<a>' },
        rois: [{ roi: XML }, { roi: 'nope' }, { roi: `<r>${'x'.repeat(200)}</r>` }],
        config: { xml: '' },
        basicConfig: { xml: '<b></c>' },
      });
      expect(validateMtasks([mtask({ scenes: [bad] })], videoRules({ xmlMaxBytes: 100 }))).toEqual([
        { field: 'mtasks[0].scenes[0].callibration.calibration', rule: 'xmlMalformed', args: { max: 100 } },
        { field: 'mtasks[0].scenes[0].rois[1].roi', rule: 'xmlMalformed', args: { max: 100 } },
        { field: 'mtasks[0].scenes[0].rois[2].roi', rule: 'xmlTooLarge', args: { max: 100 } },
        { field: 'mtasks[0].scenes[0].config.xml', rule: 'xmlMalformed', args: { max: 100 } },
        { field: 'mtasks[0].scenes[0].basicConfig.xml', rule: 'xmlMalformed', args: { max: 100 } },
      ]);
    });

    it('checks XML on picture sources too', () => {
      expect(validateMtasks([mtask({ scenes: [scene({ vchan_refid: undefined, rois: [{ roi: '<x>' }] })] })], pictureRules())).toEqual([
        { field: 'mtasks[0].scenes[0].rois[0].roi', rule: 'xmlMalformed', args: { max: MAX } },
      ]);
    });

    // Lenient validators let these through; the analysis servers' parsers do not.
    it.each(['<a/><b/>', '<a/>trailing text', '<a x="<"/>', '<a>&undefined;</a>'])('refuses non-well-formed %p', (xml) => {
      expect(validateMtasks([mtask({ scenes: [scene({ config: { xml } })] })], videoRules())).toEqual([
        { field: 'mtasks[0].scenes[0].config.xml', rule: 'xmlMalformed', args: { max: MAX } },
      ]);
    });
  });

  it('reports every problem of a body, mtask rules before scene rules, in body order', () => {
    const mtasks: MtaskInputDto[] = [
      mtask({ mtask_unid: 'm', time_interval: 0, scenes: [scene({ scene_unid: 's', algo_type: 2, vchan_refid: 'nope', config: { xml: '<a>' } })] }),
      {
        mtask_unid: 'm',
        type: 1,
        scenes: [scene({ scene_unid: 's', vchan_refid: 'c1', basicConfig: { xml: 'bad' } })],
      },
    ];
    expect(validateMtasks(mtasks, videoRules())).toEqual([
      { field: 'mtasks[0].time_interval', rule: 'timeIntervalRequired' },
      { field: 'mtasks[0].scenes[0].algo_type', rule: 'algoTypeMismatch', args: { expected: '1' } },
      { field: 'mtasks[0].scenes[0].vchan_refid', rule: 'vchanUnknown' },
      { field: 'mtasks[0].scenes[0].config.xml', rule: 'xmlMalformed', args: { max: MAX } },
      { field: 'mtasks[1].mtask_unid', rule: 'duplicate' },
      { field: 'mtasks[1].start_time', rule: 'timeRangeRequired' },
      { field: 'mtasks[1].end_time', rule: 'timeRangeRequired' },
      { field: 'mtasks[1].type', rule: 'ptzRequired', args: { type: 1 } },
      { field: 'mtasks[1].scenes[0].scene_unid', rule: 'duplicate' },
      { field: 'mtasks[1].scenes[0].basicConfig.xml', rule: 'xmlMalformed', args: { max: MAX } },
    ]);
  });

  it('does not modify its input', () => {
    const mtasks = [mtask({ time_interval: 0 }), mtask()];
    const copy = structuredClone(mtasks);
    validateMtasks(mtasks, videoRules());
    expect(mtasks).toEqual(copy);
  });
});
