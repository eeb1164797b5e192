import { spawn } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// `npm run build` (cli/build-app.ts) in a scratch project whose `next build` is a stand-in that counts its runs
// (the real build is what the e2e suite and the lifecycle test start): the stamp, the lock and the refusal to
// replace a build that an instance serves. Each run is its own process, as two `npm start`s would be.
const ROOT = process.cwd();
const LOADER = pathToFileURL(path.join(ROOT, 'node_modules/tsx/dist/loader.mjs')).href;
let project: string;

const runs = () => readFileSync(path.join(project, 'runs'), 'utf8').split('\n').filter(Boolean).length;

function buildApp(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', LOADER, path.join(ROOT, 'cli/build-app.ts')], { cwd: project, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += String(d)));
    child.stderr.on('data', (d) => (output += String(d)));
    child.on('close', (code) => resolve({ code, output }));
  });
}

beforeAll(() => {
  project = mkdtempSync(path.join(ROOT, 'test-results/build-once-'));
  mkdirSync(path.join(project, 'node_modules/.bin'), { recursive: true });
  mkdirSync(path.join(project, 'app'));
  writeFileSync(path.join(project, 'app/page.tsx'), 'export default function Page() { return null; }\n');
  writeFileSync(path.join(project, 'runs'), '');
  // The stand-in build takes a moment (so that concurrent runs overlap) and writes what `next build` leaves.
  const next = path.join(project, 'node_modules/.bin/next');
  writeFileSync(next, '#!/bin/sh\necho build >> runs\nsleep 1\nrm -rf .next && mkdir -p .next && echo id > .next/BUILD_ID\n');
  chmodSync(next, 0o755);
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

describe('build once', () => {
  it('two builds started at once build once; a later one finds the build current', async () => {
    const [a, b] = await Promise.all([buildApp(), buildApp()]);
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(runs()).toBe(1);
    const again = await buildApp();
    expect(again.output).toContain('the build is current');
    expect(runs()).toBe(1);
  });

  it('a source change makes the next build run again', async () => {
    writeFileSync(path.join(project, 'app/page.tsx'), 'export default function Page() { return "changed"; }\n');
    expect((await buildApp()).code).toBe(0);
    expect(runs()).toBe(2);
  });

  it('refuses to replace a build that a live instance serves from', async () => {
    const instance = spawn('sleep', ['60']);
    try {
      mkdirSync(path.join(project, '.next-serving'), { recursive: true });
      writeFileSync(path.join(project, '.next-serving', String(instance.pid)), '');
      writeFileSync(path.join(project, 'app/page.tsx'), 'export default function Page() { return "again"; }\n');
      const refused = await buildApp();
      expect(refused.code).toBe(1);
      expect(refused.output).toContain(`pid ${instance.pid} serves from it`);
      expect(runs()).toBe(2);
    } finally {
      instance.kill();
    }
  });
});
