/** One item's outcome in a bulk answer: its id, and either the operation's fields or its error. */
export type BulkItem<K extends string> = Record<K, string> & { ecode: number; enote: string; error?: string; [field: string]: unknown };

/**
 * Runs `operation` on each id in turn, in input order, each on its own (its own transaction), so
 * one refusal does not stop the rest; every outcome, success or error, becomes one item.
 */
export async function runEach<K extends string, T extends object>(
  idField: K,
  ids: readonly string[],
  operation: (id: string) => Promise<T>,
  describeError: (error: unknown) => { ecode: number; enote: string; error: string; [field: string]: unknown },
): Promise<BulkItem<K>[]> {
  const results: BulkItem<K>[] = [];
  for (const id of ids) {
    try {
      const fields = await operation(id);
      results.push({ ...fields, [idField]: id, ecode: 200, enote: 'OK' } as BulkItem<K>);
    } catch (error) {
      results.push({ ...describeError(error), [idField]: id } as BulkItem<K>);
    }
  }
  return results;
}
