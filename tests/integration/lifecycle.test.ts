// The real `npm start` as users run it (embedded Postgres, sandbox simulator): SIGINT or SIGTERM to the npm
// process stops the whole process tree cleanly with exit code 0, the ports are free, Postgres shut down cleanly;
// and the data dir (database, sandbox state, dev secrets) carries a sandbox connection across the restart.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import postgres from 'postgres';
import { afterAll, describe, expect, it } from 'vitest';
import { testConnection } from '@/lib/connections/manage';
import { createApiKey } from '@/lib/api-keys';
import { rootProjectDir, startEmbeddedPostgres } from '@/lib/db/embedded';
import { freePort } from '@/lib/net';
import { SimulatorControl } from '@/lib/providers/atlassian/simulator/client';
import { recordSecret } from '@/lib/sandbox/secret-sink';
import { parseKey } from '../../lib/crypto';
import { connectViaSimulator, engineFor, expireAccessTokens, simApps, storedTokens } from '../helpers/connections';
import { dbFor } from '../../lib/db';

const dataDir = mkdtempSync(path.resolve('test-results/lifecycle-'));
const started: ChildProcess[] = [];

afterAll(() => {
  // The run's generated AUTH_SECRET and TOKEN_ENCRYPTION_KEY join the secrets tests/run-unit.ts looks for in the log.
  try {
    const dev = JSON.parse(readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')) as { authSecret: string; tokenEncryptionKey: string };
    recordSecret(dev.authSecret);
    recordSecret(dev.tokenEncryptionKey);
  } catch {
    // no run got that far
  }
  for (const child of started) if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(rootProjectDir(path.join(dataDir, 'pg')), { recursive: true, force: true });
});

interface Running {
  npm: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

async function npmStart(env: Record<string, string>): Promise<Running> {
  const port = await freePort();
  const childEnv: NodeJS.ProcessEnv = { ...process.env, PORT: String(port), APP_URL: `http://localhost:${port}`, RECONNECT_DATA_DIR: dataDir, ...env };
  for (const name of ['DATABASE_URL', 'ATLASSIAN_AUTH_URL', 'ATLASSIAN_API_URL', 'ATLASSIAN_CLIENT_ID', 'ATLASSIAN_CLIENT_SECRET', 'RECONNECT_WORKER']) delete childEnv[name];
  // Own process group: the cleanup above can reach whatever a failed run leaves.
  const npm = spawn('npm', ['start'], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  started.push(npm);
  let output = '';
  // Into the test output too: tests/run-unit.ts scans it for the run's tokens and secrets (both log formats).
  const keep = (chunk: Buffer) => {
    output += String(chunk);
    process.stdout.write(chunk);
  };
  npm.stdout!.on('data', keep);
  npm.stderr!.on('data', keep);
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    npm.on('exit', (code, signal) => resolve({ code, signal })),
  );
  for (;;) {
    if (npm.exitCode !== null) throw new Error(`npm start exited (${npm.exitCode}):\n${output}`);
    const ok = await fetch(`http://127.0.0.1:${port}/api/health`).then((r) => r.ok, () => false);
    if (ok && /ready in/.test(output)) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return { npm, port, output: () => output, exited };
}

function processTable(): Map<number, { ppid: number; start: string }> {
  const table = new Map<number, { ppid: number; start: string }>();
  for (const entry of readdirSync('/proc').filter((e) => /^\d+$/.test(e))) {
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      table.set(Number(entry), { ppid: Number(fields[1]), start: fields[19] });
    } catch {
      // exited meanwhile
    }
  }
  return table;
}

/** Every process under `root` (and root), with its start time so that a reused pid is not mistaken for it. */
function tree(root: number): Array<{ pid: number; start: string }> {
  const table = processTable();
  const pids = [root];
  for (let i = 0; i < pids.length; i++) for (const [pid, p] of table) if (p.ppid === pids[i]) pids.push(pid);
  return pids.map((pid) => ({ pid, start: table.get(pid)!.start }));
}

function stillRunning(procs: Array<{ pid: number; start: string }>): number[] {
  const table = processTable();
  return procs.filter((p) => table.get(p.pid)?.start === p.start).map((p) => p.pid);
}

// tsx's esbuild helper ends by itself once its parent has gone (it watches its stdin): give such helpers a few
// seconds. An orphaned server or Postgres would still be there.
async function leftAfterExit(procs: Array<{ pid: number; start: string }>): Promise<number[]> {
  for (let i = 0; i < 50 && stillRunning(procs).length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  return stillRunning(procs);
}

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, () => server.close(() => resolve(true)));
  });

const match = (output: string, re: RegExp) => {
  const m = re.exec(output);
  if (!m) throw new Error(`${re} not found in:\n${output}`);
  return m[1];
};

async function stopWith(run: Running, signal: NodeJS.Signals) {
  const procs = tree(run.npm.pid!);
  expect(procs.length).toBeGreaterThanOrEqual(3); // npm, node (the exec'd script), postgres and its workers
  const clusterDir = match(run.output(), /data in ([^\s",]+)/);
  const simPort = Number(match(run.output(), /simulator at http:\/\/127\.0\.0\.1:(\d+)/));
  expect(existsSync(path.join(clusterDir, 'postmaster.pid'))).toBe(true);
  run.npm.kill(signal);
  // The drain timeout is 20 s; a run that ignores the signal (as before: npm → sh → tsx) fails here, not by hanging.
  const exit = await Promise.race([run.exited, new Promise((r) => setTimeout(() => r('still running after 60 s'), 60_000))]);
  expect(exit).toEqual({ code: 0, signal: null });
  expect(await leftAfterExit(procs)).toEqual([]);
  expect(await portFree(run.port)).toBe(true);
  expect(await portFree(simPort)).toBe(true);
  // Postgres removes its pid file only at a clean shutdown.
  expect(existsSync(path.join(clusterDir, 'postmaster.pid'))).toBe(false);
  return { clusterDir, simPort };
}

function appAccess(output: string) {
  const clusterDir = match(output, /data in ([^\s",]+)/);
  const simUrl = match(output, /simulator at (http:\/\/[\d.:]+)/);
  const secrets = JSON.parse(readFileSync(path.join(dataDir, 'secrets.json'), 'utf8')) as { tokenEncryptionKey: string };
  const keys = { current: parseKey(secrets.tokenEncryptionKey, 'key'), previous: [] };
  const url = readFileSync(`${clusterDir}.url`, 'utf8').trim();
  return { simUrl, keys, sql: postgres(url, { max: 4, onnotice: () => {} }), marker: postgres(url, { max: 2, onnotice: () => {} }) };
}

describe('npm start, stopped by a signal to the npm process', () => {
  let connectionId = '';
  let generation = 0;

  it('SIGINT: everything stops, exit code 0; a sandbox connection made before is kept', { timeout: 20 * 60_000 }, async () => {
    const run = await npmStart({});
    // The first start creates the embedded database, and says so (later starts do not: see the next test).
    expect(run.output()).toContain('first start: installing the embedded Postgres');
    const app = appAccess(run.output());
    try {
      const { id } = await connectViaSimulator(app.sql, app.simUrl, 'alice@example.com', 'jira', app.keys);
      connectionId = id;
      generation = (await storedTokens(app.sql, id, app.keys)).generation;
    } finally {
      await app.sql.end();
      await app.marker.end();
    }
    await stopWith(run, 'SIGINT');
  });

  it('SIGTERM (JSON logs): the connection is still healthy after the restart; a token call under way at SIGTERM commits', { timeout: 10 * 60_000 }, async () => {
    expect(connectionId).not.toBe('');
    const run = await npmStart({ LOG_FORMAT: 'json', LOG_LEVEL: 'debug' });
    expect(run.output()).toMatch(/^\{"level":"info","time":"[^"]+","component":"reconnect","msg":"ready in /m);
    expect(run.output()).not.toMatch(/first start|installs it/); // the database exists since the first start
    const app = appAccess(run.output());
    try {
      const tokens = engineFor(app.sql, app.marker, app.simUrl, { keys: app.keys });
      expect(await testConnection(dbFor(app.sql), { apps: simApps(app.simUrl), tokens }, connectionId)).toMatchObject({ ok: true });
      await expireAccessTokens(app.sql, [connectionId]);
      expect(await testConnection(dbFor(app.sql), { apps: simApps(app.simUrl), tokens }, connectionId)).toMatchObject({ ok: true });
      expect((await storedTokens(app.sql, connectionId, app.keys)).generation).toBeGreaterThan(generation);
      const [row] = await app.sql<{ status: string }[]>`select status from connections where id = ${connectionId}`;
      expect(row.status).toBe('active');

      // A token call under way when SIGTERM arrives: it completes and its rotated token is committed.
      const { key } = await createApiKey(dbFor(app.sql), 'lifecycle test');
      recordSecret(key);
      generation = (await storedTokens(app.sql, connectionId, app.keys)).generation;
      await expireAccessTokens(app.sql, [connectionId]);
      await new SimulatorControl(app.simUrl).addFault({ kind: 'latency', ms: 3000, target: 'token', count: 1 });
      const call = fetch(`http://127.0.0.1:${run.port}/api/v1/connections/${connectionId}/access-token`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}` },
      });
      // The engine notes each refresh in refresh_attempts (committed) before it calls the token endpoint.
      while ((await app.sql`select 1 from refresh_attempts where connection_id = ${connectionId}`).length === 0) {
        await new Promise((r) => setTimeout(r, 50));
      }
      await app.sql.end();
      await app.marker.end();
      const [res] = await Promise.all([call, stopWith(run, 'SIGTERM')]);
      expect(res.status).toBe(200);
      const { access_token: issued } = (await res.json()) as { access_token: string };

      const db = await startEmbeddedPostgres(path.join(dataDir, 'pg'));
      const sql = postgres(db.url, { max: 1, onnotice: () => {} });
      try {
        const stored = await storedTokens(sql, connectionId, app.keys);
        expect(stored.generation).toBe(generation + 1);
        expect(stored.access).toBe(issued);
      } finally {
        await sql.end();
        await db.stop();
      }
    } finally {
      await app.sql.end();
      await app.marker.end();
    }
  });

  it('a second signal forces the stop while a token call is held up: nothing is left running', { timeout: 10 * 60_000 }, async () => {
    const run = await npmStart({});
    const app = appAccess(run.output());
    const procs = tree(run.npm.pid!);
    try {
      const { key } = await createApiKey(dbFor(app.sql), 'lifecycle force');
      recordSecret(key);
      await expireAccessTokens(app.sql, [connectionId]);
      await new SimulatorControl(app.simUrl).addFault({ kind: 'latency', ms: 60_000, target: 'token', count: 1 });
      const call = fetch(`http://127.0.0.1:${run.port}/api/v1/connections/${connectionId}/access-token`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}` },
      }).catch(() => undefined);
      while ((await app.sql`select 1 from refresh_attempts where connection_id = ${connectionId}`).length === 0) {
        await new Promise((r) => setTimeout(r, 50));
      }
      await app.sql.end();
      await app.marker.end();
      run.npm.kill('SIGTERM');
      while (!/SIGTERM: stopping/.test(run.output())) await new Promise((r) => setTimeout(r, 50));
      // More than the 1 s within which a repeat counts as the same signal (Ctrl-C reaches npm and the app at once).
      await new Promise((r) => setTimeout(r, 1_500));
      run.npm.kill('SIGTERM');
      const exit = await Promise.race([run.exited, new Promise((r) => setTimeout(() => r('still running after 30 s'), 30_000))]);
      expect(exit).toEqual({ code: 143, signal: null });
      expect(run.output()).toContain('SIGTERM again: forcing the stop');
      expect(await leftAfterExit(procs)).toEqual([]);
      expect(await portFree(run.port)).toBe(true);
      await call;
    } finally {
      await app.sql.end();
      await app.marker.end();
    }
  });
});
