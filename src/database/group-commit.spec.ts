import { GroupCommit } from './group-commit';

/** A flush that records its batches and answers each item doubled, after the test lets it finish. */
function recorder(maxBatch = 100) {
  const batches: number[][] = [];
  const gates: (() => void)[] = [];
  const group = new GroupCommit<number, number>(
    async (items) => {
      batches.push(items);
      await new Promise<void>((resolve) => gates.push(resolve));
      return items.map((i) => i * 2);
    },
    (item) => String(item % 10),
    maxBatch,
  );
  const releaseAll = async () => {
    for (let turns = 0; turns < 20; turns++) {
      await new Promise((r) => setImmediate(r));
      gates.splice(0).forEach((open) => open());
    }
  };
  return { group, batches, releaseAll };
}

describe('GroupCommit', () => {
  it('puts writes submitted in one turn into one flush and answers each its own result', async () => {
    const { group, batches, releaseAll } = recorder();
    const answers = Promise.all([1, 2, 3].map((i) => group.submit(i)));
    await releaseAll();
    expect(await answers).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
  });

  it('gathers writes submitted during a flush into the next one', async () => {
    const { group, batches, releaseAll } = recorder();
    const first = group.submit(1);
    await new Promise((r) => setImmediate(r));
    const later = [group.submit(2), group.submit(3)];
    await releaseAll();
    expect(await Promise.all([first, ...later])).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1], [2, 3]]);
  });

  it('never puts two items with one key in a flush, and keeps submission order', async () => {
    const { group, batches, releaseAll } = recorder();
    const answers = Promise.all([1, 11, 2, 21, 12].map((i) => group.submit(i)));
    await releaseAll();
    expect(await answers).toEqual([2, 22, 4, 42, 24]);
    expect(batches).toEqual([[1, 2], [11, 12], [21]]);
  });

  it('caps a flush at maxBatch items', async () => {
    const { group, batches, releaseAll } = recorder(2);
    const answers = Promise.all([1, 2, 3, 4, 5].map((i) => group.submit(i)));
    await releaseAll();
    await answers;
    expect(batches).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('rejects every item of a failed flush and goes on with the next', async () => {
    let calls = 0;
    const group = new GroupCommit<number, number>(
      (items) => {
        calls += 1;
        return calls === 1 ? Promise.reject(new Error('deadlock')) : Promise.resolve(items);
      },
      String,
      10,
    );
    const failed = [group.submit(1), group.submit(2)].map((p) => p.then(String, (error: Error) => error.message));
    await new Promise((r) => setImmediate(r));
    const next = group.submit(3);
    expect(await Promise.all(failed)).toEqual(['deadlock', 'deadlock']);
    await expect(next).resolves.toBe(3);
  });
});
