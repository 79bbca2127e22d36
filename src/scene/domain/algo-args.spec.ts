import type { FieldError } from '../../common/errors/app.exception';
import { ALGO_ARGS_SCHEMAS, validateAlgoArgs } from './algo-args';

const AT = 'mtasks[0].scenes[1].algo_args';
const check = (algoType: string, args: Record<string, unknown> | null | undefined) => validateAlgoArgs(algoType, args, AT);
const type = (key: string, expected: string): FieldError => ({ field: `${AT}.${key}`, rule: 'algoArgType', args: { expected } });
const range = (key: string, min: number, max: number): FieldError => ({ field: `${AT}.${key}`, rule: 'algoArgRange', args: { min, max } });
const unknown = (key: string): FieldError => ({ field: `${AT}.${key}`, rule: 'algoArgUnknown' });

describe('validateAlgoArgs', () => {
  it('has a schema for each of the five dictionary codes', () => {
    expect(Object.keys(ALGO_ARGS_SCHEMAS).sort()).toEqual(['0', '1', '2', '3', '4']);
  });

  describe('what always passes', () => {
    it.each(['0', '1', '2', '3', '4'])('absent, null or empty args for %p', (code) => {
      expect(check(code, undefined)).toEqual([]);
      expect(check(code, null)).toEqual([]);
      expect(check(code, {})).toEqual([]);
    });

    it.each(['5', 'legacy', 'traffic_v2', ''])('any flat object for %p, a code without a schema', (code) => {
      expect(check(code, { whatever: 'x', n: -1.5, on: false, s: 'x'.repeat(1024) })).toEqual([]);
    });

    it.each<[string, Record<string, unknown>]>([
      ['0', { lane_count: 4, speed_limit_kmh: 60.5, detect_interval_ms: 200 }],
      ['1', { direction: 'both', count_line: '0,0;100,100', min_person_px: 24 }],
      ['2', { intrusion_seconds: 30, sensitivity: 0.75 }],
      ['3', { parking_seconds: 300, sensitivity: 0.5 }],
      ['4', { min_face_px: 48, match_threshold: 0.82, library_unid: 'lib-staff' }],
    ])('every key of %p at a valid value', (code, args) => {
      expect(check(code, args)).toEqual([]);
    });

    it.each<[string, Record<string, unknown>]>([
      ['0', { lane_count: 4 }],
      ['1', { direction: 'in' }],
      ['4', { library_unid: 'x' }],
    ])('a subset of the keys of %p (all are optional)', (code, args) => {
      expect(check(code, args)).toEqual([]);
    });
  });

  describe('unknown keys', () => {
    it.each<[string, string]>([
      ['0', 'threshold'],
      ['1', 'sensitivity'], // a key of another type
      ['2', 'lane_count'],
      ['3', 'intrusion_seconds'],
      ['4', 'Min_face_px'], // keys are case-sensitive
      ['1', ''],
      ['1', 'constructor'],
      ['1', 'toString'],
      ['1', 'hasOwnProperty'],
      ['1', `x'); DROP TABLE tb_scene; --`],
    ])('for %p refuses %p', (code, key) => {
      expect(check(code, { [key]: 1 })).toEqual([unknown(key)]);
    });

    it('refuses an own "__proto__" key as JSON.parse makes it', () => {
      expect(check('1', JSON.parse('{"__proto__": {"polluted": 1}}') as Record<string, unknown>)).toEqual([unknown('__proto__')]);
    });

    it('reports only the unknown keys, beside valid ones', () => {
      expect(check('2', { sensitivity: 0.5, a: 1, intrusion_seconds: 10, b: 2 })).toEqual([unknown('a'), unknown('b')]);
    });
  });

  describe('integers', () => {
    it.each<[string, string, number, number]>([
      ['0', 'lane_count', 1, 16],
      ['0', 'detect_interval_ms', 40, 10000],
      ['1', 'min_person_px', 8, 1024],
      ['2', 'intrusion_seconds', 0, 3600],
      ['3', 'parking_seconds', 10, 86400],
      ['4', 'min_face_px', 16, 1024],
    ])('%p %s accepts %p..%p and refuses one beyond each bound', (code, key, min, max) => {
      expect(check(code, { [key]: min })).toEqual([]);
      expect(check(code, { [key]: max })).toEqual([]);
      expect(check(code, { [key]: min - 1 })).toEqual([range(key, min, max)]);
      expect(check(code, { [key]: max + 1 })).toEqual([range(key, min, max)]);
    });

    it.each<[string, unknown]>([
      ['a fraction', 2.5],
      ['a numeric string', '4'],
      ['a boolean', true],
      ['null', null],
      ['an array', [4]],
      ['an object', { n: 4 }],
      ['NaN', Number.NaN],
      ['Infinity', Number.POSITIVE_INFINITY],
    ])('refuses %s as a wrong type', (_label, value) => {
      expect(check('0', { lane_count: value })).toEqual([type('lane_count', 'integer')]);
    });

    it('accepts 4.0, which JSON cannot tell from 4', () => {
      expect(check('0', { lane_count: 4.0 })).toEqual([]);
    });
  });

  describe('numbers', () => {
    it.each<[string, string, number, number]>([
      ['0', 'speed_limit_kmh', 1, 300],
      ['2', 'sensitivity', 0, 1],
      ['3', 'sensitivity', 0, 1],
      ['4', 'match_threshold', 0, 1],
    ])('%p %s accepts %p..%p, fractions between, and refuses values beyond', (code, key, min, max) => {
      expect(check(code, { [key]: min })).toEqual([]);
      expect(check(code, { [key]: max })).toEqual([]);
      expect(check(code, { [key]: (min + max) / 2 })).toEqual([]);
      expect(check(code, { [key]: min - 0.001 })).toEqual([range(key, min, max)]);
      expect(check(code, { [key]: max + 0.001 })).toEqual([range(key, min, max)]);
    });

    it.each<[string, unknown]>([
      ['a numeric string', '0.5'],
      ['a boolean', false],
      ['null', null],
      ['NaN', Number.NaN],
      ['-Infinity', Number.NEGATIVE_INFINITY],
    ])('refuses %s as a wrong type', (_label, value) => {
      expect(check('2', { sensitivity: value })).toEqual([type('sensitivity', 'number')]);
    });
  });

  describe('strings', () => {
    it.each<[string, string, number]>([
      ['1', 'count_line', 1024],
      ['4', 'library_unid', 64],
    ])('%p %s accepts empty up to %p characters and refuses one more', (code, key, max) => {
      expect(check(code, { [key]: '' })).toEqual([]);
      expect(check(code, { [key]: 'a'.repeat(max) })).toEqual([]);
      expect(check(code, { [key]: 'a'.repeat(max + 1) })).toEqual([{ field: `${AT}.${key}`, rule: 'algoArgLength', args: { max } }]);
    });

    it('counts characters, not UTF-16 units or bytes', () => {
      expect(check('4', { library_unid: '😀'.repeat(64) })).toEqual([]);
      expect(check('4', { library_unid: '区'.repeat(65) })).toEqual([{ field: `${AT}.library_unid`, rule: 'algoArgLength', args: { max: 64 } }]);
    });

    it.each<[string, unknown]>([
      ['a number', 5],
      ['null', null],
      ['an array', ['a']],
      ['an object', {}],
    ])('refuses %s as a wrong type', (_label, value) => {
      expect(check('4', { library_unid: value })).toEqual([type('library_unid', 'string')]);
    });

    it('stores SQL and markup characters as plain text', () => {
      expect(check('1', { count_line: `x'); DROP TABLE tb_task; -- "\\ % _ <a>` })).toEqual([]);
    });
  });

  describe('enumerations', () => {
    it.each(['in', 'out', 'both'])('direction accepts %p', (direction) => {
      expect(check('1', { direction })).toEqual([]);
    });

    it.each(['IN', 'In', ' in', 'inbound', ''])('direction refuses %p', (direction) => {
      expect(check('1', { direction })).toEqual([{ field: `${AT}.direction`, rule: 'algoArgEnum', args: { values: 'in, out, both' } }]);
    });

    it.each<[string, unknown]>([
      ['a number', 1],
      ['null', null],
      ['an array', ['in']],
    ])('direction refuses %s as a wrong type', (_label, direction) => {
      expect(check('1', { direction })).toEqual([type('direction', 'string')]);
    });
  });

  it('reports every bad key of one object in key order', () => {
    expect(check('0', { lane_count: 0, colour: 'red', speed_limit_kmh: 'fast', detect_interval_ms: 39.5 })).toEqual([
      range('lane_count', 1, 16),
      unknown('colour'),
      type('speed_limit_kmh', 'number'),
      type('detect_interval_ms', 'integer'),
    ]);
  });

  it('uses the schemas it is given', () => {
    const schemas = { x: { k: { kind: 'integer' as const, min: 0, max: 1 } } };
    expect(validateAlgoArgs('x', { k: 2 }, 'a', schemas)).toEqual([{ field: 'a.k', rule: 'algoArgRange', args: { min: 0, max: 1 } }]);
    expect(validateAlgoArgs('0', { anything: 1 }, 'a', schemas)).toEqual([]);
  });

  it('does not modify its input', () => {
    const args = { lane_count: 99, x: 1 };
    const copy = structuredClone(args);
    check('0', args);
    expect(args).toEqual(copy);
  });

  describe('a code without a schema', () => {
    it('refuses nested values, null and non-finite numbers, naming each key', () => {
      expect(check('5', { list: [1], obj: { deep: true }, nil: null, ok: 1, s: 'x'.repeat(1025) })).toEqual([
        { field: `${AT}.list`, rule: 'algoArgScalar' },
        { field: `${AT}.obj`, rule: 'algoArgScalar' },
        { field: `${AT}.nil`, rule: 'algoArgScalar' },
        { field: `${AT}.s`, rule: 'algoArgLength', args: { max: 1024 } },
      ]);
    });

    it('refuses more than 64 keys on the object itself', () => {
      const many = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i]));
      expect(check('legacy', many)).toEqual([{ field: AT, rule: 'algoArgsTooMany', args: { max: 64 } }]);
      delete many.k64;
      expect(check('legacy', many)).toEqual([]);
    });
  });
});
