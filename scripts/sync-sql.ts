/** Writes src/queries/*.sql: every repository method's SQL on MariaDB (with EXPLAIN) and SQLite; a test fails when they are stale. */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateSql } from './sql/generate-sql';

export const QUERIES_DIR = join(__dirname, '..', 'src', 'queries');

async function main(): Promise<void> {
  const files = await generateSql();
  mkdirSync(QUERIES_DIR, { recursive: true });
  for (const name of readdirSync(QUERIES_DIR)) if (name.endsWith('.sql') && !files.has(name)) rmSync(join(QUERIES_DIR, name));
  for (const [name, content] of files) writeFileSync(join(QUERIES_DIR, name), content);
  console.log(`wrote ${files.size} files to ${QUERIES_DIR}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
