// No product literal ('jira', 'confluence', 'bitbucket' quoted) outside the provider folders and the
// registry: a product's wording, keys and behaviour live in lib/providers/<provider>/ only.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const SCANNED = ['lib', 'app', 'components', 'cli'];
const LITERAL = /(['"`])(jira|confluence|bitbucket)\1/;
const ALLOWED = [/^lib\/providers\/(atlassian|bitbucket)\//, /^lib\/providers\/registry\.ts$/, /^lib\/providers\/[^/]+\/simulator\//];
function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const rel = `${dir}/${name}`;
    if (statSync(path.join(ROOT, rel)).isDirectory()) return sourceFiles(rel);
    return /\.(ts|tsx|mjs|js)$/.test(name) ? [rel] : [];
  });
}

describe('product literals', () => {
  it('appear only in the provider folders and the registry', () => {
    const found = SCANNED.flatMap(sourceFiles)
      .filter((file) => !ALLOWED.some((re) => re.test(file)))
      .flatMap((file) =>
        readFileSync(path.join(ROOT, file), 'utf8')
          .split('\n')
          .map((line, i) => ({ line, at: `${file}:${i + 1}` }))
          .filter(({ line }) => LITERAL.test(line))
          .map(({ line, at }) => `${at}: ${line.trim()}`),
      );
    expect(found).toEqual([]);
  });
});
