import { AsyncLocalStorage } from 'node:async_hooks';
import type { EntityManager } from 'typeorm';

/** Carries a dry run's result out of the transaction it rolls back. Never seen outside this file. */
class DryRunRollback extends Error {
  constructor(
    readonly result: unknown,
    readonly preview: unknown,
  ) {
    super('dry run rolled back');
  }
}

/** Reads what a dry-run write left in its transaction, just before it is rolled back. */
export type DryRunProbe = (em: EntityManager, result: unknown) => Promise<unknown>;

/**
 * A dry run: every transaction started inside it does its work, lets the probe look at what it
 * wrote, and is rolled back instead of committed. The write's own code runs unchanged, so it
 * validates, locks and refuses exactly as it would for real.
 */
export class DryRun {
  /** What the probe saw in each transaction, in order. */
  readonly previews: unknown[] = [];

  constructor(private readonly probe?: DryRunProbe) {}

  async rollBack<T>(work: (em: EntityManager) => Promise<T>, transact: (work: (em: EntityManager) => Promise<never>) => Promise<never>): Promise<T> {
    try {
      await transact(async (em) => {
        const result = await work(em);
        throw new DryRunRollback(result, this.probe ? await this.probe(em, result) : undefined);
      });
    } catch (error) {
      if (!(error instanceof DryRunRollback)) throw error;
      this.previews.push(error.preview);
      return error.result as T;
    }
    throw new Error('a dry-run transaction committed');
  }
}

const storage = new AsyncLocalStorage<DryRun>();

/** Runs `work` as a dry run: each of its transactions is rolled back at its end. */
export async function inDryRun<T>(work: () => Promise<T>, probe?: DryRunProbe): Promise<{ result: T; previews: unknown[] }> {
  const dryRun = new DryRun(probe);
  const result = await storage.run(dryRun, work);
  return { result, previews: dryRun.previews };
}

/** The dry run the caller is part of, if any. */
export function activeDryRun(): DryRun | undefined {
  return storage.getStore();
}

/** Runs `work` outside any dry run (bookkeeping that must persist whatever the request is). */
export function outsideDryRun<T>(work: () => T): T {
  return storage.exit(work);
}
