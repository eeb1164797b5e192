// lib/ has no import cycles between its modules (a module is a folder or a loose file directly under lib/),
// type-only imports included: a cycle of types is still two modules that cannot be understood apart.
// dependency-cruiser resolves the imports (aliases, index files, `import type`); this file folds them into modules
// and looks for strongly connected sets. See docs/architecture.md for the layers the imports follow.
import path from 'node:path';
import { cruise } from 'dependency-cruiser';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');

type Edges = Map<string, Map<string, string>>;

/** `lib/tokens/engine.ts` → `tokens`; `lib/config.ts` → `config`; anything outside lib/ → undefined. */
export function moduleOf(file: string): string | undefined {
  const parts = file.split('/');
  if (parts[0] !== 'lib' || parts.length < 2) return undefined;
  return parts[1].replace(/\.(ts|tsx|mts|js|mjs)$/, '');
}

/** Module-level import edges of lib/, each with one import as evidence. */
async function libEdges(): Promise<Edges> {
  const previous = process.cwd();
  process.chdir(ROOT);
  try {
    const result = await cruise(['lib'], {
      tsPreCompilationDeps: true,
      exclude: { path: '(^|/)node_modules/' },
      doNotFollow: { path: 'node_modules' },
      tsConfig: { fileName: 'tsconfig.json' },
    });
    const edges: Edges = new Map();
    if (typeof result.output === 'string') throw new Error('dependency-cruiser returned text');
    for (const mod of result.output.modules) {
      const from = moduleOf(mod.source);
      if (!from) continue;
      for (const dep of mod.dependencies) {
        const to = moduleOf(dep.resolved);
        if (!to || to === from) continue;
        if (!edges.has(from)) edges.set(from, new Map());
        if (!edges.get(from)!.has(to)) edges.get(from)!.set(to, `${mod.source} imports ${dep.module}`);
      }
    }
    return edges;
  } finally {
    process.chdir(previous);
  }
}

/** Strongly connected sets of two or more modules (Tarjan), each sorted. */
export function cycles(edges: Edges): string[][] {
  const nodes = new Set([...edges.keys(), ...[...edges.values()].flatMap((m) => [...m.keys()])]);
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  let next = 0;
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of edges.get(v)?.keys() ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const set: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      set.push(w);
    } while (w !== v);
    if (set.length > 1) found.push(set.sort());
  };
  for (const v of nodes) if (!index.has(v)) visit(v);
  return found;
}

function describeCycle(set: string[], edges: Edges): string {
  const lines = set.flatMap((a) =>
    [...(edges.get(a) ?? [])].filter(([b]) => set.includes(b)).map(([b, why]) => `  ${a} -> ${b} (${why})`),
  );
  return [`cycle: ${set.join(', ')}`, ...lines].join('\n');
}

describe('lib/ module imports', () => {
  it('finds a planted cycle (the check can fail)', () => {
    const planted: Edges = new Map([
      ['config', new Map([['db', 'x']])],
      ['db', new Map([['tokens', 'y']])],
      ['tokens', new Map([['config', 'z']])],
      ['admin', new Map([['db', 'w']])],
    ]);
    expect(cycles(planted)).toEqual([['config', 'db', 'tokens']]);
  });

  it('form no cycle between modules', async () => {
    const edges = await libEdges();
    expect(edges.size).toBeGreaterThan(10);
    const found = cycles(edges).map((set) => describeCycle(set, edges));
    expect(found, found.join('\n')).toEqual([]);
  });
});
