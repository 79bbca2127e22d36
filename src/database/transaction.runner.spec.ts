import type { DataSource, EntityManager } from 'typeorm';
import { afterCommit, beforeCommit, TransactionRunner } from './transaction.runner';

/** A DataSource whose transactions fail with the given errors, in order, then succeed. */
function fakeDataSource(type: string, failures: Error[]): { dataSource: DataSource; runs: () => number } {
  let runs = 0;
  const dataSource = {
    options: { type },
    transaction: async (work: (em: EntityManager) => Promise<unknown>) => {
      runs++;
      const failure = failures.shift();
      if (failure) throw failure;
      // A new manager per run, as TypeORM gives each transaction its own.
      return work({} as EntityManager);
    },
  } as unknown as DataSource;
  return { dataSource, runs: () => runs };
}

const driverError = (code: string) => Object.assign(new Error(code), { driverError: { code } });

describe('TransactionRunner', () => {
  it('runs a transaction again after a deadlock or a busy SQLite file, up to three runs in all', async () => {
    const { dataSource, runs } = fakeDataSource('mysql', [driverError('ER_LOCK_DEADLOCK'), Object.assign(new Error('busy'), { code: 'SQLITE_BUSY' })]);
    await expect(new TransactionRunner(dataSource).run(() => Promise.resolve('done'))).resolves.toBe('done');
    expect(runs()).toBe(3);

    const stuck = fakeDataSource(
      'mysql',
      [1, 2, 3, 4].map(() => driverError('ER_LOCK_WAIT_TIMEOUT')),
    );
    await expect(new TransactionRunner(stuck.dataSource).run(() => Promise.resolve('done'))).rejects.toThrow('ER_LOCK_WAIT_TIMEOUT');
    expect(stuck.runs()).toBe(3);
  });

  it('does not retry other errors', async () => {
    const { dataSource, runs } = fakeDataSource('better-sqlite3', [driverError('ER_DUP_ENTRY')]);
    await expect(new TransactionRunner(dataSource).run(() => Promise.resolve('done'))).rejects.toThrow('ER_DUP_ENTRY');
    expect(runs()).toBe(1);
  });

  it('queues SQLite transactions one after another, a failed one included', async () => {
    const { dataSource } = fakeDataSource('better-sqlite3', []);
    const runner = new TransactionRunner(dataSource);
    const order: string[] = [];
    const slow = runner.run(async () => {
      await new Promise((resolve) => setTimeout(resolve, 30));
      order.push('first');
      throw new Error('first failed');
    });
    const fast = runner.run(() => {
      order.push('second');
      return Promise.resolve();
    });
    await expect(slow).rejects.toThrow('first failed');
    await fast;
    expect(order).toEqual(['first', 'second']);
  });

  it('runs after-commit callbacks once the transaction committed, once, and never for a failed run', async () => {
    const { dataSource } = fakeDataSource('mysql', []);
    const runner = new TransactionRunner(dataSource);
    const seen: string[] = [];
    await runner.run((em) => {
      afterCommit(em, () => seen.push('committed'));
      seen.push('inside');
      return Promise.resolve();
    });
    expect(seen).toEqual(['inside', 'committed']);

    await expect(
      runner.run((em) => {
        afterCommit(em, () => seen.push('rolled back'));
        return Promise.reject(new Error('constraint'));
      }),
    ).rejects.toThrow('constraint');
    expect(seen).toEqual(['inside', 'committed']);
  });

  it('drops the callbacks of an attempt lost to a deadlock and runs those of the attempt that committed', async () => {
    let attempt = 0;
    const dataSource = {
      options: { type: 'mysql' },
      transaction: async (work: (em: EntityManager) => Promise<unknown>) => {
        attempt++;
        const result = await work({} as EntityManager);
        if (attempt === 1) throw driverError('ER_LOCK_DEADLOCK');
        return result;
      },
    } as unknown as DataSource;
    const seen: number[] = [];
    await new TransactionRunner(dataSource).run((em) => {
      const mine = attempt;
      afterCommit(em, () => seen.push(mine));
      return Promise.resolve();
    });
    expect(seen).toEqual([2]);
  });

  it('runs a callback at once for a manager it did not open', () => {
    const seen: string[] = [];
    afterCommit({} as EntityManager, () => seen.push('now'));
    expect(seen).toEqual(['now']);
  });

  it('runs before-commit work after the transaction work, in the order queued, inside the transaction', async () => {
    const seen: string[] = [];
    const dataSource = {
      options: { type: 'mysql' },
      transaction: async (work: (em: EntityManager) => Promise<unknown>) => {
        const result = await work({} as EntityManager);
        seen.push('commit');
        return result;
      },
    } as unknown as DataSource;
    const result = await new TransactionRunner(dataSource).run((em) => {
      expect(
        beforeCommit(em, async () => {
          seen.push('first');
          // Work queued by before-commit work runs in the same transaction.
          beforeCommit(em, () => Promise.resolve(void seen.push('queued by first')));
          await Promise.resolve();
        }),
      ).toBe(true);
      beforeCommit(em, () => Promise.resolve(void seen.push('second')));
      seen.push('work');
      return Promise.resolve('answer');
    });
    expect(result).toBe('answer');
    expect(seen).toEqual(['work', 'first', 'second', 'queued by first', 'commit']);
  });

  it('skips before-commit work when the transaction work fails, and fails the transaction when it fails', async () => {
    const { dataSource } = fakeDataSource('mysql', []);
    const runner = new TransactionRunner(dataSource);
    const seen: string[] = [];
    await expect(
      runner.run((em) => {
        beforeCommit(em, () => Promise.resolve(void seen.push('ran')));
        return Promise.reject(new Error('constraint'));
      }),
    ).rejects.toThrow('constraint');
    expect(seen).toEqual([]);
    await expect(runner.run((em) => Promise.resolve(void beforeCommit(em, () => Promise.reject(new Error('late')))))).rejects.toThrow('late');
  });

  it('queues no before-commit work for a manager it did not open', () => {
    let ran = false;
    expect(beforeCommit({} as EntityManager, () => Promise.resolve(void (ran = true)))).toBe(false);
    expect(ran).toBe(false);
  });
});
