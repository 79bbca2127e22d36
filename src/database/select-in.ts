import type { EntityManager, EntityTarget, ObjectLiteral } from 'typeorm';
import type { ColumnMetadata } from 'typeorm/metadata/ColumnMetadata';

interface Plan {
  columns: ColumnMetadata[];
  prefix: string;
  suffix: string;
}

/** How the rows come back: in order of one column, and row-locked until the transaction ends (MySQL's FOR UPDATE). */
export interface SelectInOptions<T> {
  orderBy?: keyof T & string;
  forUpdate?: boolean;
}

const plans = new WeakMap<object, Map<string, Plan>>();

/**
 * `SELECT <columns> FROM <table> WHERE <column> IN (...)`, each value converted by the driver's
 * own hydration (dates, JSON, booleans) exactly as TypeORM's find() does, but without its query
 * builder and entity transformer, which cost more CPU than the rows themselves on the hot read
 * paths (GET /tasks loads four such sets per page). The SQL text is built once per entity and
 * column list. Rows are plain objects.
 */
export async function selectIn<T extends ObjectLiteral>(
  em: EntityManager,
  entity: EntityTarget<T>,
  where: keyof T & string,
  values: readonly unknown[],
  only?: readonly (keyof T & string)[],
  options: SelectInOptions<T> = {},
): Promise<T[]> {
  if (values.length === 0) return [];
  const metadata = em.connection.getMetadata(entity);
  const driver = em.connection.driver;
  let byKey = plans.get(metadata);
  if (!byKey) plans.set(metadata, (byKey = new Map<string, Plan>()));
  const key = `${where}|${only?.join(',') ?? '*'}|${options.orderBy ?? ''}|${options.forUpdate ? 'lock' : ''}`;
  let plan = byKey.get(key);
  if (!plan) {
    const columns = only ? metadata.columns.filter((c) => only.includes(c.propertyName as keyof T & string)) : metadata.columns;
    const whereColumn = metadata.findColumnWithPropertyName(where)!;
    plan = {
      columns,
      prefix: `SELECT ${columns.map((c) => driver.escape(c.databaseName)).join(', ')} FROM ${driver.escape(metadata.tableName)} WHERE ${driver.escape(whereColumn.databaseName)} IN (`,
      suffix: [
        ')',
        options.orderBy ? ` ORDER BY ${driver.escape(metadata.findColumnWithPropertyName(options.orderBy)!.databaseName)}` : '',
        options.forUpdate ? ' FOR UPDATE' : '',
      ].join(''),
    };
    byKey.set(key, plan);
  }
  const raw: Record<string, unknown>[] = await em.query(`${plan.prefix}${values.map(() => '?').join(', ')}${plan.suffix}`, [...values]);
  return raw.map((row) => {
    const out: Record<string, unknown> = {};
    for (const column of plan.columns) out[column.propertyName] = driver.prepareHydratedValue(row[column.databaseName], column);
    return out as T;
  });
}
