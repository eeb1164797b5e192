// The client in client/ is a package of its own: ESM, compiles alone under NodeNext, and imports
// nothing but its own files (and standardwebhooks, its optional peer, from the webhooks entry only).
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const SRC = 'client/src';
const importsOf = (file: string) => [...readFileSync(join(SRC, file), 'utf8').matchAll(/^(?:import|export)[^'"]*from\s+'([^']+)'/gm)].map((m) => m[1]!);

describe('client package', () => {
  it('is ESM with no runtime dependency, and standardwebhooks an optional peer', () => {
    const pkg = JSON.parse(readFileSync('client/package.json', 'utf8')) as Record<string, unknown>;
    expect(pkg.type).toBe('module');
    expect(pkg.dependencies).toBeUndefined();
    expect(pkg.peerDependenciesMeta).toEqual({ standardwebhooks: { optional: true } });
  });

  it('imports only its own files; only the webhooks entry imports standardwebhooks', () => {
    for (const file of readdirSync(SRC)) {
      for (const spec of importsOf(file)) {
        if (spec === 'standardwebhooks') expect(file).toBe('webhooks.ts');
        else expect(spec, `${file} imports ${spec}`).toMatch(/^\.\/[\w-]+\.js$/);
      }
    }
  });

  it('compiles on its own (tsc -p client, NodeNext)', () => {
    expect(() => execFileSync('node_modules/.bin/tsc', ['-p', 'client/tsconfig.json', '--noEmit'], { stdio: 'pipe' })).not.toThrow();
  }, 120_000);
});
