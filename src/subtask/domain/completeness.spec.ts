import type { FieldError } from '../../common/errors/app.exception';
import { findMissingConfig, MtaskForCompleteness, SceneForCompleteness } from './completeness';

const XML = '<?xml version="1.0" encoding="UTF-8"?><root></root>';

function scene(over: Partial<SceneForCompleteness> = {}): SceneForCompleteness {
  return { rois: [{ roi: XML }], callibration: { calibration: XML }, config: { xml: XML }, ...over };
}
const mtask = (...scenes: SceneForCompleteness[]): MtaskForCompleteness => ({ scenes });

const roi = (i: number, j: number): FieldError => ({ field: `mtasks[${i}].scenes[${j}].rois`, rule: 'missingRoi' });
const calibration = (i: number, j: number): FieldError => ({ field: `mtasks[${i}].scenes[${j}].callibration`, rule: 'missingCalibration' });
const config = (i: number, j: number): FieldError => ({ field: `mtasks[${i}].scenes[${j}].config`, rule: 'missingConfig' });
const NO_SCENES: FieldError[] = [{ field: 'mtasks', rule: 'noScenes' }];

describe('findMissingConfig', () => {
  describe('complete configurations', () => {
    it('accepts one complete scene', () => {
      expect(findMissingConfig([mtask(scene())])).toEqual([]);
    });

    it('accepts several mtasks of complete scenes, with several ROIs', () => {
      expect(findMissingConfig([mtask(scene(), scene({ rois: [{ roi: XML }, { roi: '<r/>' }] })), mtask(scene())])).toEqual([]);
    });

    it('accepts mtasks without scenes beside one with a complete scene', () => {
      expect(findMissingConfig([mtask(), mtask(scene()), mtask()])).toEqual([]);
    });

    it('needs neither basicConfig nor algo_args', () => {
      const bare = { ...scene(), basicConfig: null, algo_args: {} };
      expect(findMissingConfig([mtask(bare)])).toEqual([]);
    });

    it('accepts a ROI list where one of several ROIs is blank', () => {
      expect(findMissingConfig([mtask(scene({ rois: [{ roi: ' ' }, { roi: XML }] }))])).toEqual([]);
    });
  });

  describe('no scene at all', () => {
    it.each<[string, MtaskForCompleteness[]]>([
      ['no mtasks', []],
      ['one mtask without scenes', [mtask()]],
      ['several mtasks without scenes', [mtask(), mtask(), mtask()]],
    ])('reports only noScenes for %s', (_label, mtasks) => {
      expect(findMissingConfig(mtasks)).toEqual(NO_SCENES);
    });

    it('names the given path', () => {
      expect(findMissingConfig([], 'config.mtasks')).toEqual([{ field: 'config.mtasks', rule: 'noScenes' }]);
    });
  });

  describe('each missing part of a scene, alone', () => {
    it.each<[string, Partial<SceneForCompleteness>, FieldError[]]>([
      ['no ROIs', { rois: [] }, [roi(0, 0)]],
      ['only a blank ROI', { rois: [{ roi: '' }] }, [roi(0, 0)]],
      ['only whitespace ROIs', { rois: [{ roi: '  ' }, { roi: '\n' }] }, [roi(0, 0)]],
      ['no calibration', { callibration: null }, [calibration(0, 0)]],
      ['a blank calibration', { callibration: { calibration: '' } }, [calibration(0, 0)]],
      ['a whitespace calibration', { callibration: { calibration: ' \t' } }, [calibration(0, 0)]],
      ['no config', { config: null }, [config(0, 0)]],
      ['a blank config', { config: { xml: '' } }, [config(0, 0)]],
      ['a whitespace config', { config: { xml: '   ' } }, [config(0, 0)]],
    ])('%s', (_label, over, expected) => {
      expect(findMissingConfig([mtask(scene(over))])).toEqual(expected);
    });
  });

  describe('every combination of missing parts, in ROI, calibration, config order', () => {
    const combos: [boolean, boolean, boolean][] = [];
    for (const r of [false, true]) for (const c of [false, true]) for (const x of [false, true]) combos.push([r, c, x]);

    it.each(combos)('ROI missing %p, calibration missing %p, config missing %p', (noRoi, noCalibration, noConfig) => {
      const s = scene({
        ...(noRoi ? { rois: [] } : {}),
        ...(noCalibration ? { callibration: null } : {}),
        ...(noConfig ? { config: null } : {}),
      });
      const expected = [...(noRoi ? [roi(0, 0)] : []), ...(noCalibration ? [calibration(0, 0)] : []), ...(noConfig ? [config(0, 0)] : [])];
      expect(findMissingConfig([mtask(s)])).toEqual(expected);
    });
  });

  it('lists every missing part of every scene with its indexes, in view order', () => {
    const mtasks = [
      mtask(scene(), scene({ config: null })),
      mtask(),
      mtask(scene({ rois: [], callibration: null }), scene(), scene({ rois: [], callibration: null, config: null })),
    ];
    expect(findMissingConfig(mtasks)).toEqual([config(0, 1), roi(2, 0), calibration(2, 0), roi(2, 2), calibration(2, 2), config(2, 2)]);
  });

  it('prefixes scene fields with the given path', () => {
    expect(findMissingConfig([mtask(scene({ config: null }))], 'x')).toEqual([{ field: 'x[0].scenes[0].config', rule: 'missingConfig' }]);
  });

  it('does not modify its input', () => {
    const mtasks = [mtask(scene({ rois: [] }), scene())];
    const copy = structuredClone(mtasks);
    findMissingConfig(mtasks);
    expect(mtasks).toEqual(copy);
  });
});
