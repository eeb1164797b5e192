import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const SOURCES = ['app', 'components', 'lib', 'public', 'instrumentation.ts', 'proxy.ts', 'next.config.mjs', 'package.json', 'postcss.config.mjs', 'tsconfig.json'];
const stampFile = (distDir: string) => path.join(distDir, 'reconnect-build-stamp');

function listFiles(entry: string): string[] {
  if (!existsSync(entry)) return [];
  if (!statSync(entry).isDirectory()) return [entry];
  return readdirSync(entry).flatMap((name) => listFiles(path.join(entry, name)));
}

// A fingerprint of every source file's path, size and mtime: cheap, and changes whenever a build input does.
export function sourceFingerprint(): string {
  const hash = createHash('sha256');
  for (const file of SOURCES.flatMap(listFiles).sort()) {
    const s = statSync(file);
    hash.update(`${file}\0${s.size}\0${s.mtimeMs}\n`);
  }
  return hash.digest('hex');
}

/** Whether `distDir` holds a build of the current sources (paths relative to the project root = cwd). */
export function buildIsCurrent(distDir = '.next'): boolean {
  if (!existsSync(path.join(distDir, 'BUILD_ID')) || !existsSync(stampFile(distDir))) return false;
  return readFileSync(stampFile(distDir), 'utf8') === sourceFingerprint();
}

export function markBuildCurrent(distDir = '.next'): void {
  writeFileSync(stampFile(distDir), sourceFingerprint());
}
