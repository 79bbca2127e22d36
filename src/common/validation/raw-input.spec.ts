import { AppException } from '../errors/app.exception';
import { explainJsonParseError, inspectRawInput, MAX_INPUT_DEPTH } from './raw-input';

const nested = (levels: number, leaf: unknown = 'x'): unknown => {
  let value = leaf;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
};

describe('inspectRawInput', () => {
  it('passes ordinary bodies, primitives and null', () => {
    expect(inspectRawInput({ task_name: 'x', mtasks: [{ scenes: [{ rois: [{ roi: '<r/>' }], algo_args: { a: 1 } }] }] })).toEqual([]);
    expect(inspectRawInput('text')).toEqual([]);
    expect(inspectRawInput(null)).toEqual([]);
  });

  it.each([
    ['constructor', { constructor: 1, task_name: 'x' }, 'constructor'],
    ['toString in algo_args', { mtasks: [{ scenes: [{ algo_args: { toString: 1 } }] }] }, 'mtasks[0].scenes[0].algo_args.toString'],
    ['hasOwnProperty', { a: { hasOwnProperty: 'x' } }, 'a.hasOwnProperty'],
    ['valueOf', { valueOf: 2 }, 'valueOf'],
    ['an own __proto__ key (as JSON.parse makes it)', JSON.parse('{"x":{"__proto__":{"y":1}}}'), 'x.__proto__'],
  ])('reports %s as an unknown field', (_name, input, field) => {
    expect(inspectRawInput(input)).toEqual([{ field, rule: 'whitelistValidation' }]);
  });

  it('lists several in document order', () => {
    expect(inspectRawInput({ constructor: 1, a: [{ toString: 1 }, { valueOf: 1 }] }).map((p) => p.field)).toEqual([
      'constructor',
      'a[0].toString',
      'a[1].valueOf',
    ]);
  });

  it('refuses nesting deeper than the limit, named by the property that holds it', () => {
    expect(inspectRawInput({ link_scenes: nested(MAX_INPUT_DEPTH - 1) })).toEqual([]);
    expect(inspectRawInput({ link_scenes: nested(MAX_INPUT_DEPTH) })).toEqual([{ field: 'link_scenes', rule: 'tooDeep', args: { max: MAX_INPUT_DEPTH } }]);
  });

  it('walks 100,000 levels without exhausting the stack', () => {
    const deep: unknown = JSON.parse(`{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`);
    expect(inspectRawInput(deep)).toEqual([{ field: 'a', rule: 'tooDeep', args: { max: MAX_INPUT_DEPTH } }]);
  });
});

describe('explainJsonParseError', () => {
  const parserError = new Error('Body is not valid JSON');

  it('answers valid JSON the parser refused for __proto__ as an unknown field', () => {
    const explained = explainJsonParseError(parserError, '{"task_name":"x","mtasks":[{"__proto__":{"admin":true}}]}');
    expect(explained).toBeInstanceOf(AppException);
    expect((explained as AppException).fieldErrors).toEqual([{ field: 'mtasks[0].__proto__', rule: 'whitelistValidation' }]);
  });

  it('keeps the parser error for malformed JSON', () => {
    expect(explainJsonParseError(parserError, '{"a":')).toBe(parserError);
  });
});
