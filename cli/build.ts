// One production build per checkout. `npm run build` and `npm start` share the stamp (cli/build-stamp.ts) and a
// lock, so two instances started at once build at most once; and a build never replaces the one that a running
// instance serves from (those register in .next-serving/ while they serve).
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from '../lib/log';
import { buildIsCurrent, markBuildCurrent } from './build-stamp';

const LOCK_DIR = '.next-build.lock';
const SERVING_DIR = '.next-serving';
const PROGRESS_EVERY_MS = 15_000;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const lockOwner = (): number => Number(readFileSync(path.join(LOCK_DIR, 'pid'), 'utf8')) || 0;

/** Takes the checkout's build lock (mkdir is atomic); a lock left by a dead process is taken over. */
export async function acquireBuildLock(log: Logger, stopped: () => boolean): Promise<() => void> {
  let told = false;
  for (;;) {
    try {
      mkdirSync(LOCK_DIR);
      writeFileSync(path.join(LOCK_DIR, 'pid'), String(process.pid));
      return () => rmSync(LOCK_DIR, { recursive: true, force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    let owner = 0;
    try {
      owner = lockOwner();
    } catch {
      // created but its pid not written yet: wait
    }
    if (owner && !isAlive(owner)) {
      rmSync(LOCK_DIR, { recursive: true, force: true });
      continue;
    }
    if (stopped()) throw new Error('stopped while waiting for the build lock');
    if (!told) log.info(`waiting for another instance (pid ${owner || '?'}) that is building or checking the build`);
    told = true;
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Other live processes serving from this checkout's build (dead entries are removed). */
export function otherServers(): number[] {
  if (!existsSync(SERVING_DIR)) return [];
  const pids = readdirSync(SERVING_DIR).map(Number).filter((pid) => pid && pid !== process.pid);
  for (const pid of pids.filter((p) => !isAlive(p))) rmSync(path.join(SERVING_DIR, String(pid)), { force: true });
  return pids.filter(isAlive);
}

/** Marks this process as serving from the build until the returned function is called. */
export function registerServing(): () => void {
  mkdirSync(SERVING_DIR, { recursive: true });
  const file = path.join(SERVING_DIR, String(process.pid));
  writeFileSync(file, '');
  return () => rmSync(file, { force: true });
}

function runNextBuild(logFile: string, log: Logger, onChild: (child: ChildProcess | undefined) => void): Promise<void> {
  mkdirSync(path.dirname(logFile), { recursive: true });
  const out = createWriteStream(logFile);
  const child = spawn('node_modules/.bin/next', ['build'], {
    env: { ...process.env, NODE_ENV: 'production', NO_COLOR: '1', FORCE_COLOR: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  onChild(child);
  child.stdout.pipe(out, { end: false });
  child.stderr.pipe(out, { end: false });
  const started = Date.now();
  const progress = setInterval(() => log.info(`still building (${Math.round((Date.now() - started) / 1000)} s)`), PROGRESS_EVERY_MS);
  return new Promise((resolve, reject) => {
    child.on('close', (code, signal) => {
      clearInterval(progress);
      onChild(undefined);
      out.end(() => {
        if (code === 0) return resolve();
        const tail = readFileSync(logFile, 'utf8').trimEnd().split('\n').slice(-25).join('\n');
        reject(new Error(`next build failed (${signal ?? `exit code ${code}`}); the end of ${logFile}:\n${tail}`));
      });
    });
  });
}

export interface BuildOptions {
  log: Logger;
  logFile: string;
  /** true once a stop has begun: no new build starts. */
  stopped: () => boolean;
  /** The `next build` process while it runs (for the stop), then undefined. */
  onChild?: (child: ChildProcess | undefined) => void;
  /** `npm run build`: fail rather than serve a stale build when an instance serves from the current one. */
  strict?: boolean;
}

/**
 * Makes sure a build of the current sources exists (building under the lock when needed) and, for `npm start`,
 * registers this process as serving from it. Returns the unregister function.
 */
export async function ensureBuild(opts: BuildOptions, serve: boolean): Promise<() => void> {
  const release = await acquireBuildLock(opts.log, opts.stopped);
  try {
    if (!buildIsCurrent()) {
      const busy = otherServers();
      if (busy.length > 0 && existsSync('.next/BUILD_ID')) {
        const message = `the sources changed since the build, but pid ${busy.join(', ')} serves from it`;
        if (opts.strict) throw new Error(`${message}: stop it, then build`);
        opts.log.warn(`${message}: serving that build; stop every instance to rebuild`);
      } else if (!opts.stopped()) {
        const started = Date.now();
        opts.log.info(`building the app (first start or sources changed; output in ${opts.logFile})`);
        await runNextBuild(opts.logFile, opts.log, opts.onChild ?? (() => {}));
        markBuildCurrent();
        opts.log.info(`built in ${Math.round((Date.now() - started) / 1000)} s`);
      }
    }
    return serve ? registerServing() : () => {};
  } finally {
    release();
  }
}
