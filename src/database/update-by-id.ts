import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';

/**
 * `count` rows of placeholders for `fields`, as a MySQL derived table's body: MariaDB names a
 * VALUES table's columns after its first row, so the rows are a UNION ALL whose first SELECT names
 * them.
 */
export function unionAllRows(q: (name: string) => string, fields: readonly string[], count: number): string {
  const first = `SELECT ${fields.map((field) => `? AS ${q(field)}`).join(', ')}`;
  const rest = `SELECT ${fields.map(() => '?').join(', ')}`;
  return [first, ...Array.from({ length: count - 1 }, () => rest)].join(' UNION ALL ');
}

/**
 * Updates many rows, each to its own values, in one statement: the rows are joined, by primary
 * key `id`, to the new values as a derived table. (A `CASE id WHEN … THEN …` per column, the
 * portable form, is matched row by row against every WHEN: 500 rows took MariaDB 25–43 ms, the
 * join 10–15 ms, a constant SET on the same 500 rows 5 ms.) `constants` are set on every row.
 * The caller holds the rows' locks (or SQLite's queue) when their values were decided.
 */
export async function updateRowsById<E extends ObjectLiteral & { id: string }>(
  em: EntityManager,
  target: EntityTarget<E>,
  columns: readonly (keyof E & string)[],
  rows: readonly (Pick<E, 'id'> & Partial<E>)[],
  constants: Partial<E> = {},
): Promise<void> {
  if (rows.length === 0) return;
  const metadata = em.connection.getMetadata(target);
  const driver = em.connection.driver;
  const column = (property: string) => metadata.findColumnWithPropertyName(property)!;
  const persist = (property: string, value: unknown): unknown => driver.preparePersistentValue(value, column(property));
  const q = (name: string) => driver.escape(name);
  const table = q(metadata.tableName);
  const name = (property: string) => q(column(property).databaseName);
  const fields = ['id', ...columns];
  const constantColumns = Object.keys(constants);
  const valueParams = rows.flatMap((row) => fields.map((field) => persist(field, row[field as keyof typeof row])));
  const constantParams = constantColumns.map((c) => persist(c, constants[c as keyof E]));

  if (em.connection.options.type === 'better-sqlite3') {
    // SQLite names a VALUES table's columns column1, column2, …; UPDATE … FROM since 3.33.
    const row = `(${fields.map(() => '?').join(', ')})`;
    const set = [...columns.map((c, i) => `${name(c)} = v.column${i + 2}`), ...constantColumns.map((c) => `${name(c)} = ?`)].join(', ');
    const sql = `UPDATE ${table} SET ${set} FROM (VALUES ${rows.map(() => row).join(', ')}) AS v WHERE v.column1 = ${table}.${name('id')}`;
    await em.query(sql, [...constantParams, ...valueParams]);
  } else {
    const values = unionAllRows(q, fields, rows.length);
    const set = [...columns.map((c) => `t.${name(c)} = v.${q(c)}`), ...constantColumns.map((c) => `t.${name(c)} = ?`)].join(', ');
    const sql = `UPDATE ${table} t JOIN (${values}) v ON v.${q('id')} = t.${name('id')} SET ${set}`;
    await em.query(sql, [...valueParams, ...constantParams]);
  }
}
