import type { MtaskInputDto, SceneInputDto } from '../../scene/dto/mtask.dto';
import type { MtaskRow, SceneRow } from '../../scene/domain/scene-rows';
import { bindScenesToChannel, checkAgainstOtherScenes, planChannelConfig, selectSubtaskConfig, sharesTaskConfig, TaskConfig } from './subtask-config';

const XML = '<r/>';

function mtaskRow(id: string, position: number, over: Partial<MtaskRow> = {}): MtaskRow {
  return { id, task_id: 't', position, mtask_unid: `u-${id}`, name: id, type: 0, time_interval: 5, start_time: null, end_time: null, progress: null, ...over };
}

function sceneRow(id: string, mtask_id: string, vchan_refid: string | null, position: number, over: Partial<SceneRow> = {}): SceneRow {
  return {
    id,
    mtask_id,
    task_id: 't',
    position,
    scene_unid: `su-${id}`,
    name: id,
    preset: null,
    calibration: XML,
    rois: [XML],
    config_xml: XML,
    basic_config_xml: null,
    link_scenes: [],
    algo_type: '1',
    algo_args: {},
    is_record: null,
    is_active: null,
    vchan_refid,
    play_urls: null,
    ...over,
  };
}

const inputScene = (over: Partial<SceneInputDto> = {}): SceneInputDto => ({ algo_type: 1, rois: [{ roi: XML }], ...over });
const inputMtask = (over: Partial<MtaskInputDto> = {}): MtaskInputDto => ({ name: 'm', type: 0, time_interval: 5, scenes: [inputScene()], ...over });

/**
 * A channel task: m1 holds scenes of c1 and c2, m2 only of c1, m3 only of c2, m4 none.
 * Unids are `u-<id>` and `su-<id>`.
 */
const TASK: TaskConfig = {
  mtasks: [mtaskRow('m1', 0), mtaskRow('m2', 1), mtaskRow('m3', 2), mtaskRow('m4', 3)],
  scenes: [
    sceneRow('s1', 'm1', 'c1', 0),
    sceneRow('s2', 'm1', 'c2', 1),
    sceneRow('s3', 'm2', 'c1', 0),
    sceneRow('s4', 'm3', 'c2', 0),
    sceneRow('s5', 'm1', 'c1', 2),
  ],
};

const CHANNELS: ReadonlyMap<string, { is_ptz: boolean }> = new Map([
  ['c1', { is_ptz: true }],
  ['c2', { is_ptz: false }],
  ['p2', { is_ptz: true }],
]);

function ids(): () => string {
  let n = 0;
  return () => `new-${++n}`;
}

describe('sharesTaskConfig', () => {
  it.each<[string | null, boolean]>([
    [null, true],
    ['', true],
    ['c1', false],
  ])('vchan_refid %p → %p', (vchan_refid, expected) => {
    expect(sharesTaskConfig({ vchan_refid })).toBe(expected);
  });
});

describe('selectSubtaskConfig', () => {
  it("keeps a channel subtask's scenes and only the mtasks holding one", () => {
    const c1 = selectSubtaskConfig({ vchan_refid: 'c1' }, TASK);
    expect(c1.scenes.map((s) => s.id)).toEqual(['s1', 's3', 's5']);
    expect(c1.mtasks.map((m) => m.id)).toEqual(['m1', 'm2']);
    const c2 = selectSubtaskConfig({ vchan_refid: 'c2' }, TASK);
    expect(c2.scenes.map((s) => s.id)).toEqual(['s2', 's4']);
    expect(c2.mtasks.map((m) => m.id)).toEqual(['m1', 'm3']);
  });

  it('gives a channel without scenes nothing', () => {
    expect(selectSubtaskConfig({ vchan_refid: 'c9' }, TASK)).toEqual({ mtasks: [], scenes: [] });
  });

  it('leaves scenes naming no channel to no channel subtask', () => {
    const config = { mtasks: [mtaskRow('m1', 0)], scenes: [sceneRow('s1', 'm1', null, 0)] };
    expect(selectSubtaskConfig({ vchan_refid: 'c1' }, config)).toEqual({ mtasks: [], scenes: [] });
  });

  it('gives a subtask without a channel every mtask (even empty ones) and every scene', () => {
    const config = { mtasks: [mtaskRow('m1', 0), mtaskRow('m2', 1)], scenes: [sceneRow('s1', 'm1', null, 0)] };
    expect(selectSubtaskConfig({ vchan_refid: null }, config)).toEqual(config);
  });

  it('does not modify its input', () => {
    const copy = structuredClone(TASK);
    selectSubtaskConfig({ vchan_refid: 'c1' }, TASK);
    expect(TASK).toEqual(copy);
  });
});

describe('bindScenesToChannel', () => {
  it('binds scenes naming no channel or this one, and reports the others at their place', () => {
    const { mtasks, errors } = bindScenesToChannel(
      [
        inputMtask({ scenes: [inputScene(), inputScene({ vchan_refid: 'c1' }), inputScene({ vchan_refid: null })] }),
        inputMtask({ scenes: [inputScene({ vchan_refid: 'c2' }), inputScene({ vchan_refid: '' })] }),
      ],
      'c1',
    );
    expect(mtasks.flatMap((m) => (m.scenes ?? []).map((s) => s.vchan_refid))).toEqual(['c1', 'c1', 'c1', 'c1', 'c1']);
    expect(errors).toEqual([{ field: 'mtasks[1].scenes[0].vchan_refid', rule: 'vchanOtherSubtask', args: { expected: 'c1' } }]);
  });

  it.each([
    ['undefined', undefined],
    ['null', null],
  ])('turns %s mtasks into none', (_label, input) => {
    expect(bindScenesToChannel(input, 'c1')).toEqual({ mtasks: [], errors: [] });
  });

  it('turns absent scenes into none and keeps the other fields', () => {
    const { mtasks } = bindScenesToChannel([{ mtask_unid: 'x', type: 0, time_interval: 3, scenes: null }], 'c1');
    expect(mtasks).toEqual([{ mtask_unid: 'x', type: 0, time_interval: 3, scenes: [] }]);
  });

  it('does not modify its input', () => {
    const input = [inputMtask({ scenes: [inputScene({ vchan_refid: 'c2' })] })];
    const copy = structuredClone(input);
    bindScenesToChannel(input, 'c1');
    expect(input).toEqual(copy);
  });
});

describe('checkAgainstOtherScenes', () => {
  const ptz = (i: number, type: number) => ({ field: `mtasks[${i}].type`, rule: 'ptzRequired', args: { type } });

  it('accepts polling on a shared mtask and new mtasks of any type', () => {
    const input = [inputMtask({ mtask_unid: 'u-m1' }), inputMtask({ mtask_unid: 'fresh', type: 1 }), inputMtask({ type: 2 })];
    expect(checkAgainstOtherScenes(input, TASK, 'c1', CHANNELS)).toEqual([]);
  });

  it("refuses a PTZ type on a shared mtask holding another channel's scene on a fixed camera", () => {
    const input = [inputMtask({ mtask_unid: 'u-m2' }), inputMtask({ mtask_unid: 'u-m1', type: 1, time_interval: null })];
    expect(checkAgainstOtherScenes(input, TASK, 'c1', CHANNELS)).toEqual([ptz(1, 1)]);
  });

  it('accepts a PTZ type on a shared mtask whose other scenes are all on PTZ cameras', () => {
    const config = { mtasks: [mtaskRow('m1', 0)], scenes: [sceneRow('s1', 'm1', 'c1', 0), sceneRow('s2', 'm1', 'p2', 1)] };
    expect(checkAgainstOtherScenes([inputMtask({ mtask_unid: 'u-m1', type: 2 })], config, 'c1', CHANNELS)).toEqual([]);
  });

  it('accepts a PTZ type on a shared mtask that holds only this channel (its own scenes are replaced)', () => {
    expect(checkAgainstOtherScenes([inputMtask({ mtask_unid: 'u-m2', type: 1 })], TASK, 'c1', CHANNELS)).toEqual([]);
  });

  it('reads a kept scene naming no channel as running on every camera', () => {
    const config = { mtasks: [mtaskRow('m1', 0)], scenes: [sceneRow('s1', 'm1', null, 0)] };
    expect(checkAgainstOtherScenes([inputMtask({ mtask_unid: 'u-m1', type: 1 })], config, 'c1', CHANNELS)).toEqual([ptz(0, 1)]);
    const allPtz = new Map([['c1', { is_ptz: true }]]);
    expect(checkAgainstOtherScenes([inputMtask({ mtask_unid: 'u-m1', type: 1 })], config, 'c1', allPtz)).toEqual([]);
  });

  it("refuses a scene_unid another channel's scene has, not one of this channel's own", () => {
    const input = [inputMtask({ scenes: [inputScene({ scene_unid: 'su-s1' }), inputScene({ scene_unid: 'su-s2' }), inputScene({ scene_unid: 'new' })] })];
    expect(checkAgainstOtherScenes(input, TASK, 'c1', CHANNELS)).toEqual([{ field: 'mtasks[0].scenes[1].scene_unid', rule: 'sceneUnidTaken' }]);
  });
});

describe('planChannelConfig', () => {
  it("updates a shared mtask's schedule, names the other channels it changes, and appends the scenes after theirs", () => {
    const plan = planChannelConfig(
      't',
      'c1',
      [inputMtask({ mtask_unid: 'u-m1', name: 'renamed', time_interval: 10, scenes: [inputScene({ name: 'a' })] })],
      TASK,
      ids(),
    );
    expect(plan.mtaskUpdates).toEqual([{ id: 'm1', fields: { name: 'renamed', type: 0, time_interval: 10, start_time: null, end_time: null } }]);
    expect(plan.mtaskInserts).toEqual([]);
    // s2 (c2) is at position 1 of m1; c1's old scenes go away.
    expect(plan.sceneInserts).toEqual([
      expect.objectContaining({ id: 'new-1', mtask_id: 'm1', task_id: 't', position: 2, name: 'a', vchan_refid: 'c1', scene_unid: 'new-1' }),
    ]);
    // m2 held only c1's scenes and is not in the input.
    expect(plan.mtaskDeletes).toEqual(['m2']);
    expect(plan.siblingChannels).toEqual(['c2']);
  });

  it('changes nothing shared when the schedule is the same', () => {
    const plan = planChannelConfig('t', 'c1', [inputMtask({ mtask_unid: 'u-m1', name: 'm1' }), inputMtask({ mtask_unid: 'u-m2', name: 'm2' })], TASK, ids());
    expect(plan.mtaskUpdates).toEqual([]);
    expect(plan.siblingChannels).toEqual([]);
    expect(plan.mtaskDeletes).toEqual([]);
    expect(plan.sceneInserts.map((s) => [s.mtask_id, s.position])).toEqual([
      ['m1', 2],
      ['m2', 0],
    ]);
  });

  it('updates an mtask held only by this channel without naming siblings', () => {
    const plan = planChannelConfig(
      't',
      'c1',
      [inputMtask({ mtask_unid: 'u-m2', type: 1, time_interval: null, start_time: '01:00:00', end_time: '02:00:00' })],
      TASK,
      ids(),
    );
    expect(plan.mtaskUpdates).toEqual([{ id: 'm2', fields: { name: 'm', type: 1, time_interval: null, start_time: '01:00:00', end_time: '02:00:00' } }]);
    expect(plan.siblingChannels).toEqual([]);
    expect(plan.mtaskDeletes).toEqual([]);
  });

  it('adds unknown mtasks after the last one, keeping a given unid or generating one', () => {
    const plan = planChannelConfig(
      't',
      'c1',
      [inputMtask({ mtask_unid: 'given', scenes: [inputScene(), inputScene({ scene_unid: 'keep' })] }), inputMtask({ name: 'anon' })],
      TASK,
      ids(),
    );
    expect(plan.mtaskInserts).toEqual([
      { id: 'new-1', task_id: 't', position: 4, mtask_unid: 'given', name: 'm', type: 0, time_interval: 5, start_time: null, end_time: null, progress: null },
      {
        id: 'new-4',
        task_id: 't',
        position: 5,
        mtask_unid: 'new-4',
        name: 'anon',
        type: 0,
        time_interval: 5,
        start_time: null,
        end_time: null,
        progress: null,
      },
    ]);
    expect(plan.sceneInserts.map((s) => [s.id, s.mtask_id, s.position, s.scene_unid, s.vchan_refid])).toEqual([
      ['new-2', 'new-1', 0, 'new-2', 'c1'],
      ['new-3', 'new-1', 1, 'keep', 'c1'],
      ['new-5', 'new-4', 0, 'new-5', 'c1'],
    ]);
    // c1's scenes leave m1 (c2 keeps it) and m2 (now empty).
    expect(plan.mtaskDeletes).toEqual(['m2']);
  });

  it('does not add a new mtask without scenes', () => {
    const plan = planChannelConfig('t', 'c1', [inputMtask({ mtask_unid: 'lonely', scenes: [] }), inputMtask({ scenes: null })], TASK, ids());
    expect(plan.mtaskInserts).toEqual([]);
    expect(plan.sceneInserts).toEqual([]);
  });

  it('empties the channel with no mtasks: deletes the mtasks only it held, leaves empty ones nobody names', () => {
    const plan = planChannelConfig('t', 'c1', [], TASK, ids());
    expect(plan).toEqual({ mtaskUpdates: [], mtaskInserts: [], sceneInserts: [], mtaskDeletes: ['m2'], siblingChannels: [] });
  });

  it('deletes a named mtask it leaves without scenes, and skips updating it', () => {
    const plan = planChannelConfig(
      't',
      'c1',
      [inputMtask({ mtask_unid: 'u-m4', name: 'x', scenes: [] }), inputMtask({ mtask_unid: 'u-m2', name: 'y', scenes: [] })],
      TASK,
      ids(),
    );
    expect(plan.mtaskDeletes).toEqual(['m2', 'm4']);
    expect(plan.mtaskUpdates).toEqual([]);
  });

  it('keeps a shared mtask this channel leaves while another channel still has scenes in it', () => {
    const plan = planChannelConfig('t', 'c2', [], TASK, ids());
    expect(plan.mtaskDeletes).toEqual(['m3']);
  });

  it('fills a previously empty mtask matched by unid', () => {
    const plan = planChannelConfig('t', 'c2', [inputMtask({ mtask_unid: 'u-m4', name: 'm4' })], TASK, ids());
    expect(plan.sceneInserts.map((s) => [s.mtask_id, s.position, s.vchan_refid])).toEqual([['m4', 0, 'c2']]);
    // c2 leaves m3 (now empty) and m1 (c1 still has scenes there).
    expect(plan.mtaskDeletes).toEqual(['m3']);
  });

  it('does not modify its input', () => {
    const input = [inputMtask({ mtask_unid: 'u-m1' })];
    const copies = [structuredClone(input), structuredClone(TASK)];
    planChannelConfig('t', 'c1', input, TASK, ids());
    expect([input, TASK]).toEqual(copies);
  });
});
