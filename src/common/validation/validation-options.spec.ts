import { plainToInstance, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
  validateSync,
  ValidatorOptions,
} from 'class-validator';
import { IsSceneLinks, IsStreamUrl, IsText, IsTimeOfDay, IsWireDateTime, Trim } from './decorators';
import { flattenValidationErrors, pickRule, validationOptions } from './validation-options';

class Leaf {
  @IsString() roi: string;
}
class Scene {
  @IsString() name: string;
  @IsArray() @ValidateNested({ each: true }) @Type(() => Leaf) rois: Leaf[];
}
class Root {
  @IsInt() count: number;
  @IsArray() @ValidateNested({ each: true }) @Type(() => Scene) scenes: Scene[];
}

/** Decorators written in the order that used to report the last one ("too long" for a missing name). */
class Item {
  @IsText() @Trim() @IsNotEmpty() @MaxLength(8) name: string;
}
class Body {
  @IsText() @Trim() @IsNotEmpty() @MaxLength(255) task_name: string;
  @IsString() @MaxLength(32) algo_type: string;
  @IsOptional() @IsString() @MinLength(3) code?: string;
  @IsOptional() @IsIn(['pull_video_stream', 'pull_pic_files']) source_type?: string;
  @IsOptional() @IsIn([0, 1, 2]) type?: number;
  @IsOptional() @IsInt() @Min(1) @Max(100) limit?: number;
  @IsOptional() @IsBoolean() is_ptz?: boolean;
  @IsOptional() @IsArray() @ArrayMaxSize(2) @ValidateNested({ each: true }) @Type(() => Item) items?: Item[];
  @IsOptional() @IsStreamUrl() play_url?: string;
  @IsOptional() @IsWireDateTime() run_dt?: string;
  @IsOptional() @IsTimeOfDay() start_time?: string;
  @IsOptional() @IsArray() @IsSceneLinks() links?: unknown[];
}

const VALID = { task_name: 'North gate', algo_type: '1' };

function check(input: Record<string, unknown>) {
  const options = validationOptions as ValidatorOptions;
  const errors = validateSync(plainToInstance(Body, input), { ...options, validationError: options.validationError });
  return flattenValidationErrors(errors).map(({ field, rule, args }) => ({ field, rule, args }));
}

describe('pickRule', () => {
  it('puts unknown fields first, then required, then the type, then what the value holds', () => {
    expect(pickRule(['maxLength', 'isNotEmpty', 'isString'])).toBe('isString');
    expect(pickRule(['arrayMaxSize', 'isArray'])).toBe('isArray');
    expect(pickRule(['max', 'min', 'isInt'])).toBe('isInt');
    expect(pickRule(['maxLength', 'whitelistValidation'])).toBe('whitelistValidation');
    expect(pickRule(['isStreamUrl', 'isString'])).toBe('isString');
    expect(pickRule(['maxLength', 'noControlChars'])).toBe('noControlChars');
    expect(pickRule(['somethingCustom', 'maxLength'])).toBe('maxLength');
    expect(pickRule(['somethingCustom'])).toBe('somethingCustom');
  });
});

describe('flattenValidationErrors', () => {
  it('names nested array fields with their indexes', () => {
    const root = plainToInstance(Root, {
      count: 'x',
      scenes: [
        { name: 'ok', rois: [{ roi: 'a' }] },
        { name: 3, rois: [{ roi: 'b' }, { roi: 7 }] },
      ],
    });
    const flat = flattenValidationErrors(validateSync(root, { validationError: { target: true, value: true } }));
    expect(flat.map((e) => `${e.field}:${e.rule}`).sort()).toEqual(['count:isInt', 'scenes[1].name:isString', 'scenes[1].rois[1].roi:isString']);
    expect(flat.every((e) => typeof e.fallback === 'string' && e.fallback.length > 0)).toBe(true);
  });

  it.each<[string, Record<string, unknown>, { field: string; rule: string; args: Record<string, unknown> }]>([
    ['a missing field is required', { algo_type: '1' }, { field: 'task_name', rule: 'isDefined', args: {} }],
    ['a null field is required', { ...VALID, task_name: null }, { field: 'task_name', rule: 'isDefined', args: {} }],
    ['a number where a string belongs', { ...VALID, algo_type: 1 }, { field: 'algo_type', rule: 'isString', args: {} }],
    ['an object where a string belongs', { ...VALID, task_name: {} }, { field: 'task_name', rule: 'isString', args: {} }],
    ['a blank string', { ...VALID, task_name: '   ' }, { field: 'task_name', rule: 'isNotEmpty', args: {} }],
    ['a long string, with its limit', { ...VALID, task_name: 'x'.repeat(256) }, { field: 'task_name', rule: 'maxLength', args: { max: 255 } }],
    ['a short string, with its limit', { ...VALID, code: 'ab' }, { field: 'code', rule: 'minLength', args: { min: 3 } }],
    ['a control character', { ...VALID, task_name: 'a\u0000b' }, { field: 'task_name', rule: 'noControlChars', args: {} }],
    [
      'a value not in the list, with the list',
      { ...VALID, source_type: 'camera' },
      { field: 'source_type', rule: 'isIn', args: { values: 'pull_video_stream, pull_pic_files' } },
    ],
    ['a number not in the list', { ...VALID, type: 7 }, { field: 'type', rule: 'isIn', args: { values: '0, 1, 2' } }],
    ['NaN where an integer belongs', { ...VALID, limit: Number('abc') }, { field: 'limit', rule: 'isInt', args: {} }],
    ['a fraction where an integer belongs', { ...VALID, limit: 1.5 }, { field: 'limit', rule: 'isInt', args: {} }],
    ['a large number, with its bound', { ...VALID, limit: 101 }, { field: 'limit', rule: 'max', args: { max: 100 } }],
    ['a small number, with its bound', { ...VALID, limit: 0 }, { field: 'limit', rule: 'min', args: { min: 1 } }],
    ['a string where a boolean belongs', { ...VALID, is_ptz: 'yes' }, { field: 'is_ptz', rule: 'isBoolean', args: {} }],
    ['an object where an array belongs', { ...VALID, items: { name: 'x' } }, { field: 'items', rule: 'isArray', args: {} }],
    [
      'too many items, with the limit',
      { ...VALID, items: [{ name: 'a' }, { name: 'b' }, { name: 'c' }] },
      { field: 'items', rule: 'arrayMaxSize', args: { max: 2 } },
    ],
    ['a null array item', { ...VALID, items: [null] }, { field: 'items[0]', rule: 'nestedValidation', args: {} }],
    ['a nested field, with its own limit', { ...VALID, items: [{ name: 'x'.repeat(9) }] }, { field: 'items[0].name', rule: 'maxLength', args: { max: 8 } }],
    ['a nested missing field', { ...VALID, items: [{}] }, { field: 'items[0].name', rule: 'isDefined', args: {} }],
    ['a number where a URL belongs', { ...VALID, play_url: 5 }, { field: 'play_url', rule: 'isString', args: {} }],
    [
      'a URL of another scheme, with the schemes',
      { ...VALID, play_url: 'ftp://x.test/a' },
      { field: 'play_url', rule: 'isStreamUrl', args: { schemes: 'rtsp, rtsps, rtmp, http, https' } },
    ],
    [
      'a URL with a line break',
      { ...VALID, play_url: 'rtsp://x.test/a\nb' },
      { field: 'play_url', rule: 'isStreamUrl', args: { schemes: 'rtsp, rtsps, rtmp, http, https' } },
    ],
    ['a date in another format', { ...VALID, run_dt: '03/12/2018' }, { field: 'run_dt', rule: 'isWireDateTime', args: {} }],
    ['a number where a date belongs', { ...VALID, run_dt: 20181203 }, { field: 'run_dt', rule: 'isString', args: {} }],
    ['a time of day out of range', { ...VALID, start_time: '24:00:00' }, { field: 'start_time', rule: 'isTimeOfDay', args: {} }],
    ['a nested list of links', { ...VALID, links: [['a']] }, { field: 'links', rule: 'isSceneLinks', args: {} }],
  ])('%s', (_name, input, expected) => {
    expect(check(input)).toEqual([expected]);
  });

  it('reports one rule per field, every field at once', () => {
    expect(check({}).map((e) => `${e.field}:${e.rule}`)).toEqual(['task_name:isDefined', 'algo_type:isDefined']);
  });

  it('accepts what is valid', () => {
    expect(
      check({ ...VALID, code: 'abc', limit: 100, items: [{ name: ' x ' }], play_url: 'rtsp://x.test/a', run_dt: '2018-12-03 10:27:30.999', links: ['s-1', 3] }),
    ).toEqual([]);
  });
});
