import { runEach } from './bulk';

describe('runEach', () => {
  const describeError = (error: unknown) => ({ ecode: 404, enote: 'missing', error: String((error as Error).message) });

  it('answers one item per id, in input order, a failure in the middle stopping nothing', async () => {
    const seen: string[] = [];
    const results = await runEach(
      'task_id',
      ['a', 'bad', 'c'],
      (id) => {
        seen.push(id);
        return id === 'bad' ? Promise.reject(new Error('TASK_NOT_FOUND')) : Promise.resolve({ status: 'running' });
      },
      describeError,
    );
    expect(seen).toEqual(['a', 'bad', 'c']);
    expect(results).toEqual([
      { task_id: 'a', ecode: 200, enote: 'OK', status: 'running' },
      { task_id: 'bad', ecode: 404, enote: 'missing', error: 'TASK_NOT_FOUND' },
      { task_id: 'c', ecode: 200, enote: 'OK', status: 'running' },
    ]);
  });

  it('runs the items one after another, never two at once', async () => {
    let running = 0;
    let most = 0;
    await runEach(
      'subtask_id',
      ['a', 'b', 'c'],
      async () => {
        running++;
        most = Math.max(most, running);
        await new Promise((r) => setTimeout(r, 5));
        running--;
        return {};
      },
      describeError,
    );
    expect(most).toBe(1);
  });

  it('an operation cannot overwrite the id or the envelope', async () => {
    const [item] = await runEach('task_id', ['a'], () => Promise.resolve({ task_id: 'other', ecode: 500 }), describeError);
    expect(item).toEqual({ task_id: 'a', ecode: 200, enote: 'OK' });
  });
});
