import { parseDryRun, parseStatusList } from './query-flags';

describe('parseDryRun', () => {
  it.each([
    [undefined, false, false],
    ['false', false, false],
    ['0', false, false],
    ['true', true, false],
    ['1', true, false],
    ['', true, false],
    ['yes', false, true],
    ['TRUE', false, true],
    [['true', 'true'], false, true],
  ])('%j → dry run %s, error %s', (value, dryRun, error) => {
    const parsed = parseDryRun(value);
    expect(parsed.dryRun).toBe(dryRun);
    expect(parsed.error !== undefined).toBe(error);
  });
});

describe('parseStatusList', () => {
  it.each([
    ['running', ['running']],
    ['running,degraded', ['running', 'degraded']],
    [' running , degraded ', ['running', 'degraded']],
    ['running,running', ['running']],
    ['running,', null],
    ['', null],
    ['running,bogus', null],
    ['RUNNING', null],
  ])('%j → %j', (value, expected) => {
    expect(parseStatusList(value)).toEqual(expected);
  });
});
