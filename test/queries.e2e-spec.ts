import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { generateSql, REPOSITORY_CALLS } from '../scripts/sql/generate-sql';

const ROOT = join(__dirname, '..');
const QUERIES = join(ROOT, 'src', 'queries');

function repositoryFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return repositoryFiles(path);
    return entry.name.endsWith('.repository.ts') ? [path] : [];
  });
}

/** The methods a class defines itself (accessors left out). */
function ownMethods(type: { prototype: object }): string[] {
  return Object.getOwnPropertyNames(type.prototype).filter((name) => {
    if (name === 'constructor') return false;
    const descriptor = Object.getOwnPropertyDescriptor(type.prototype, name)!;
    return typeof descriptor.value === 'function';
  });
}

describe('src/queries/*.sql, every repository method SQL', () => {
  it('has an entry in scripts/sql/repository-calls.ts for every method of every repository', () => {
    const missing: string[] = [];
    const unknown: string[] = [];
    for (const file of repositoryFiles(join(ROOT, 'src'))) {
      const exported = require(file) as Record<string, unknown>; // eslint-disable-line @typescript-eslint/no-require-imports -- every repository file, found at run time
      for (const [name, value] of Object.entries(exported)) {
        if (!name.endsWith('Repository') || typeof value !== 'function') continue;
        const spec = REPOSITORY_CALLS[name];
        if (!spec) {
          missing.push(`${name} (${relative(ROOT, file)})`);
          continue;
        }
        const methods = ownMethods(value);
        const listed = [...Object.keys(spec.calls), ...(spec.internal ?? [])];
        for (const method of methods) if (!listed.includes(method)) missing.push(`${name}.${method}`);
        for (const method of listed) if (!methods.includes(method)) unknown.push(`${name}.${method}`);
      }
    }
    expect({ missing, unknown }).toEqual({ missing: [], unknown: [] });
  });

  it('are up to date (run `npm run sql:sync` when this fails)', async () => {
    const generated = await generateSql();
    const committed = new Map(
      readdirSync(QUERIES)
        .filter((n) => n.endsWith('.sql'))
        .map((n) => [n, readFileSync(join(QUERIES, n), 'utf8')]),
    );
    const stale = [...new Set([...generated.keys(), ...committed.keys()])].filter((name) => generated.get(name) !== committed.get(name));
    if (stale.length) throw new Error(`src/queries is stale (${stale.join(', ')}): run \`npm run sql:sync\``);
  });
});
