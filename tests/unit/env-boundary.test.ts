// The environment is read in one place: lib/config.ts parses and checks every variable; the rest of lib/
// asks it (getConfig(), logSettings(), simulatorSecretsFile()). A second reader would be an undocumented,
// unchecked setting.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const READER = 'lib/config.ts';

function libFiles(dir = 'lib'): string[] {
  return readdirSync(path.join(ROOT, dir)).flatMap((name) => {
    const rel = `${dir}/${name}`;
    if (statSync(path.join(ROOT, rel)).isDirectory()) return libFiles(rel);
    return /\.(ts|tsx|mts|js|mjs)$/.test(name) ? [rel] : [];
  });
}

/** Files of `files` that mention process.env (code or comment), config.ts aside. */
export function envReaders(files: string[], read = (f: string) => readFileSync(path.join(ROOT, f), 'utf8')): string[] {
  return files.filter((f) => f !== READER && /\bprocess\s*\.\s*env\b/.test(read(f)));
}

describe('environment read once', () => {
  it('no file under lib/ but config.ts mentions process.env', () => {
    expect(envReaders(libFiles())).toEqual([]);
  });

  it('config.ts reads it', () => {
    expect(libFiles()).toContain(READER);
    expect(readFileSync(path.join(ROOT, READER), 'utf8')).toMatch(/process\.env/);
  });

  it('catches a read, a destructuring and a comment', () => {
    const planted: Record<string, string> = {
      'lib/a.ts': 'const x = process.env.FOO;',
      'lib/b.ts': 'const { FOO } = process .env;',
      'lib/c.ts': '// reads process.env.FOO',
      'lib/d.ts': 'const env = getConfig();',
      [READER]: 'process.env',
    };
    expect(envReaders(Object.keys(planted), (f) => planted[f])).toEqual(['lib/a.ts', 'lib/b.ts', 'lib/c.ts']);
  });
});
