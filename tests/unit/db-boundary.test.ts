// The data layer's boundary: the app's code (lib, app, cli, components) speaks to Postgres through
// Drizzle only; postgres-js is imported, and raw statements are run, under lib/db/ alone (the handles,
// migrations, the bulk seed). Tests and benchmarks may hold postgres-js clients of their own for setup
// and for checking rows, so they are not scanned.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const APP_CODE = ['lib', 'app', 'cli', 'components', 'instrumentation.ts'];
const DB_DIR = 'lib/db/';

/** What may appear only under lib/db/, each with the reason it is a breach elsewhere. */
export const RULES: { name: string; pattern: RegExp }[] = [
  { name: "imports postgres-js ('postgres')", pattern: /\bfrom\s+['"]postgres['"]|\b(?:import|require)\(\s*['"]postgres['"]\s*\)/ },
  { name: 'reaches the raw client ($client / getSql)', pattern: /\.\$client\b|\bgetSql\b/ },
  { name: 'uses postgres-js calls (.unsafe / .begin)', pattern: /\.unsafe\(|\bsql\.begin\(|\btx\.begin\(/ },
  { name: 'runs a raw statement (.execute)', pattern: /\b(?:db|tx|handle|getDb\(\))\.execute\(/ },
];

function sourceFiles(entry: string): string[] {
  const full = path.join(ROOT, entry);
  if (!statSync(full, { throwIfNoEntry: false })) return [];
  if (statSync(full).isFile()) return /\.(ts|tsx|mts|js|mjs)$/.test(entry) ? [entry] : [];
  return readdirSync(full).flatMap((name) => (name === 'node_modules' ? [] : sourceFiles(path.join(entry, name))));
}

/** Every breach of the boundary in `files` (paths relative to the repository), as "file: rule". */
export function breaches(files: string[], read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8')): string[] {
  const found: string[] = [];
  for (const file of files) {
    if (file.split(path.sep).join('/').startsWith(DB_DIR)) continue;
    const text = read(file);
    for (const rule of RULES) if (rule.pattern.test(text)) found.push(`${file}: ${rule.name}`);
    // A tagged `sql` template is Drizzle's, used inside builder calls, only where it is imported from drizzle-orm.
    if (/\bsql`/.test(text) && !/import\s*{[^}]*\bsql\b[^}]*}\s*from\s*['"]drizzle-orm['"]/.test(text)) {
      found.push(`${file}: uses a sql\`…\` template that is not Drizzle's`);
    }
  }
  return found;
}

describe('the data-layer boundary', () => {
  const files = APP_CODE.flatMap(sourceFiles);

  it('scans the app code', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(files).toContain(path.join('lib', 'tokens', 'engine.ts'));
  });

  it('keeps postgres-js and raw statements under lib/db/', () => {
    expect(breaches(files)).toEqual([]);
  });

  it('catches each kind of breach', () => {
    const samples: Record<string, string> = {
      'lib/a.ts': "import postgres from 'postgres';",
      'lib/b.ts': "import type { Sql } from 'postgres';",
      'app/c.ts': 'const rows = await getSql()`select 1`;',
      'lib/d.ts': 'await db.$client`select 1`;',
      'cli/e.ts': "await sql.unsafe('select 1');",
      'lib/f.ts': 'await sql.begin(async (tx) => {});',
      'lib/g.ts': "import { sql } from 'drizzle-orm';\nawait db.execute(sql`select 1`);",
      'lib/h.ts': 'const rows = await sql`select * from connections`;',
      'lib/db/ok.ts': "import postgres from 'postgres';\nawait sql.unsafe('x');",
      'lib/fine.ts': "import { eq, sql } from 'drizzle-orm';\nawait db.update(t).set({ n: sql`${t.n} + 1` }).where(eq(t.id, id));",
    };
    const found = breaches(Object.keys(samples), (f) => samples[f]!);
    expect(found.map((f) => f.split(':')[0])).toEqual(['lib/a.ts', 'lib/b.ts', 'app/c.ts', 'lib/d.ts', 'cli/e.ts', 'lib/f.ts', 'lib/g.ts', 'lib/h.ts']);
  });
});
