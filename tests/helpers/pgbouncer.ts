// A PgBouncer of the test's own, in transaction mode with a small server pool, on a free loopback port in
// front of the test database: what a deployment behind a transaction pooler looks like. PgBouncer refuses
// to run as root, so under root it runs as the postgres user, in a folder that user owns.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres from 'postgres';
import { freePort } from '../../lib/net';
import { until } from './wait';

const BINARY = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer'].find((p) => existsSync(p)) ?? 'pgbouncer';

export interface Pooler {
  /** `databaseUrl` with host and port swapped for the pooler's. */
  url: string;
  /** The server connections PgBouncer keeps per database and user. */
  serverPool: number;
  /** `PgBouncer 1.18.0`, say. */
  version: string;
  stop(): Promise<void>;
}

function runAsPostgres(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

function config(dir: string, port: number, server: URL, serverPool: number): string {
  return [
    '[databases]',
    `* = host=${server.hostname} port=${server.port || 5432}`,
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${port}`,
    'unix_socket_dir =',
    'auth_type = trust',
    `auth_file = ${dir}/userlist.txt`,
    'pool_mode = transaction',
    `default_pool_size = ${serverPool}`,
    'max_client_conn = 1000',
    'server_reset_query =',
    `logfile = ${dir}/pgbouncer.log`,
    `pidfile = ${dir}/pgbouncer.pid`,
    '',
  ].join('\n');
}

async function accepts(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 2, prepare: false, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

/** Starts PgBouncer (pool_mode=transaction, `serverPool` server connections) in front of `databaseUrl`. */
export async function startPooler(databaseUrl: string, serverPool = 4): Promise<Pooler> {
  const server = new URL(databaseUrl);
  const owner = runAsPostgres();
  const dir = mkdtempSync(path.join(tmpdir(), 'reconnect-pgbouncer-'));
  const port = await freePort();
  const user = decodeURIComponent(server.username || 'postgres');
  writeFileSync(path.join(dir, 'userlist.txt'), `"${user}" ""\n`);
  writeFileSync(path.join(dir, 'pgbouncer.ini'), config(dir, port, server, serverPool));
  if (owner) for (const f of ['', 'userlist.txt', 'pgbouncer.ini']) chownSync(path.join(dir, f), owner.uid, owner.gid);
  const command = owner ? ['runuser', '-u', 'postgres', '--', BINARY] : [BINARY];
  const child: ChildProcess = spawn(command[0], [...command.slice(1), path.join(dir, 'pgbouncer.ini')], { stdio: 'ignore' });
  let exited = false;
  child.once('exit', () => (exited = true));
  const url = new URL(databaseUrl);
  url.hostname = '127.0.0.1';
  url.port = String(port);
  const log = () => (existsSync(path.join(dir, 'pgbouncer.log')) ? readFileSync(path.join(dir, 'pgbouncer.log'), 'utf8') : '');
  await until(async () => {
    if (exited) throw new Error(`pgbouncer exited at start:\n${log()}`);
    return accepts(url.toString());
  }, 'pgbouncer to accept connections', 15_000);
  return {
    url: url.toString(),
    serverPool,
    version: spawnSync(BINARY, ['--version'], { encoding: 'utf8' }).stdout.split('\n')[0]!.trim(),
    async stop() {
      const pidFile = path.join(dir, 'pgbouncer.pid');
      // runuser waits for its child: signal PgBouncer itself (by its pid file), then its parent exits too.
      if (existsSync(pidFile)) process.kill(Number(readFileSync(pidFile, 'utf8').trim()), 'SIGTERM');
      else child.kill('SIGTERM');
      if (!exited) await new Promise((done) => child.once('exit', done));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
