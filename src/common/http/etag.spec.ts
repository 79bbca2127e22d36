import { etagMatches, instantOf, subtaskEtag, subtaskListEtag, subtaskVersionOf, taskEtag, taskListEtag, weakEtag } from './etag';

describe('weakEtag', () => {
  it('is weak, quoted and stable for the same parts', () => {
    expect(weakEtag(['a', 1])).toMatch(/^W\/"[A-Za-z0-9_-]{27}"$/);
    expect(weakEtag(['a', 1])).toBe(weakEtag(['a', 1]));
    expect(weakEtag(['a', 1])).not.toBe(weakEtag(['a', 2]));
  });
});

describe('etagMatches', () => {
  const tag = 'W/"abc"';
  it.each([
    [undefined, false],
    ['', false],
    ['W/"abc"', true],
    ['"abc"', true],
    ['"x", W/"abc"', true],
    ['"x","y"', false],
    ['*', true],
    [['"x"', 'W/"abc"'], true],
    ['W/"abcd"', false],
  ])('%j → %s', (header, expected) => {
    expect(etagMatches(header, tag)).toBe(expected);
  });
});

describe('instantOf', () => {
  it.each([
    [new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6)), Date.UTC(2026, 0, 2, 3, 4, 5, 6)],
    ['2026-01-02 03:04:05.006', Date.UTC(2026, 0, 2, 3, 4, 5, 6)],
    ['2026-01-02T03:04:05.006Z', Date.UTC(2026, 0, 2, 3, 4, 5, 6)],
    [1234, 1234],
    [null, null],
    ['not a date', null],
  ])('%j → %j', (value, expected) => {
    expect(instantOf(value)).toBe(expected);
  });
});

describe('resource tags', () => {
  const at = new Date(Date.UTC(2026, 0, 1));
  const later = new Date(at.getTime() + 1);
  const subtasks = subtaskVersionOf([{ update_dt: at }, { update_dt: later }]);

  it('the subtask version is the count and the newest update_dt, from Dates or SQLite text alike', () => {
    expect(subtasks).toEqual({ count: 2, latest: later.getTime() });
    expect(subtaskVersionOf([{ update_dt: '2026-01-01 00:00:00.000' }, { update_dt: '2026-01-01 00:00:00.001' }])).toEqual(subtasks);
    expect(subtaskVersionOf([])).toEqual({ count: 0, latest: null });
  });

  it.each([
    ['task update_dt', { id: 't', update_dt: later, status: 'ready' }, subtasks],
    ['task status', { id: 't', update_dt: at, status: 'running' }, subtasks],
    ['a subtask written', { id: 't', update_dt: at, status: 'ready' }, { count: 2, latest: later.getTime() + 1 }],
    ['a subtask more', { id: 't', update_dt: at, status: 'ready' }, { count: 3, latest: later.getTime() }],
  ])('a task tag changes with its %s', (_what, task, version) => {
    expect(taskEtag(task, version)).not.toBe(taskEtag({ id: 't', update_dt: at, status: 'ready' }, subtasks));
  });

  it('a task tag is the same from a Date and from the same instant as text', () => {
    expect(taskEtag({ id: 't', update_dt: at, status: 'ready' }, subtasks)).toBe(
      taskEtag({ id: 't', update_dt: '2026-01-01 00:00:00.000', status: 'ready' }, subtasks),
    );
  });

  it('the subtask tag follows the subtask and its task; the list tags follow their rows', () => {
    expect(subtaskEtag({ id: 's', update_dt: at }, at)).not.toBe(subtaskEtag({ id: 's', update_dt: at }, later));
    expect(subtaskListEtag('t', subtasks)).not.toBe(subtaskListEtag('t', { count: 2, latest: at.getTime() }));
    const row = { id: 't', update_dt: at, status: 'ready', subtasks };
    expect(taskListEtag({ limit: 10, offset: 0 }, 1, [row])).toBe(taskListEtag({ offset: 0, limit: 10, keyword: undefined }, 1, [row]));
    expect(taskListEtag({ limit: 10, offset: 0 }, 1, [row])).not.toBe(taskListEtag({ limit: 10, offset: 0 }, 2, [row]));
    expect(taskListEtag({ limit: 10, offset: 0 }, 1, [row])).not.toBe(taskListEtag({ limit: 10, offset: 0, view: 'summary' }, 1, [row]));
  });
});
