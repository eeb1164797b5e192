// The database goes away under load and comes back: two real app instances (`npm start`, one build) against a
// Postgres cluster of this test's own, stopped with `pg_ctl stop -m fast` for a few seconds while callers ask for
// access tokens (forcing rotations), list connections, open a signed-in page and a connect link, and poll health.
// Never a 500; while the database is away the API answers 503 + Retry-After `database_unavailable`, pages the
// "temporarily unavailable" page (503), health 503; soon after it is back everything answers again, with no
// rotated refresh token lost.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey } from '../../lib/api-keys';
import { createSession } from '../../lib/auth/sessions';
import { dbFor } from '../../lib/db';
import { runMigrations } from '../../lib/db/migrate';
import { freePort } from '../../lib/net';
import { SimulatorControl, type Counters } from '../../lib/providers/atlassian/simulator/client';
import { startSimulator, type Simulator } from '../../lib/sandbox/simulator';
import { connectViaSimulator, expireAccessTokens, storedTokens, TEST_KEYS } from '../helpers/connections';
import { startOwnPostgres, type OwnPostgres } from '../helpers/own-postgres';
import { sleep } from '../helpers/wait';

const OUTAGE_MS = 4_000;
/** A bound for "answers again within seconds" (correctness, not speed: speed lives in the benchmarks). */
const RECOVERY_MS = 15_000;
/** The longest any call may take, before, during or after the outage. */
const SLOWEST_CALL_MS = 3_000;
const LOOPS_PER_INSTANCE = 3;
const KINDS = ['access-token', 'list', 'page', 'link', 'health'] as const;
type Kind = (typeof KINDS)[number];

interface Sample {
  instance: number;
  kind: Kind;
  startedAt: number;
  endedAt: number;
  status: number;
  /** Path of the page finally shown (redirects followed), for pages and links. */
  finalPath?: string;
  code?: string;
  retryAfter?: string | null;
  unavailablePage?: boolean;
}

interface Instance {
  child: ChildProcess;
  base: string;
  output: () => string;
}

let pg: OwnPostgres;
let sim: Simulator;
let sql: Sql;
let apiKey: string;
let cookie: string;
const ids: string[] = [];
const instances: Instance[] = [];
const dataDirs: string[] = [];

async function startInstance(env: Record<string, string>): Promise<Instance> {
  const port = await freePort();
  mkdirSync('test-results', { recursive: true });
  const dataDir = mkdtempSync(path.resolve('test-results/restart-'));
  dataDirs.push(dataDir);
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env, PORT: String(port), APP_URL: `http://localhost:${port}`, RECONNECT_DATA_DIR: dataDir };
  for (const name of ['ATLASSIAN_CLIENT_ID', 'ATLASSIAN_CLIENT_SECRET', 'METRICS_TOKEN', 'NODE_ENV']) delete childEnv[name];
  // node --import tsx cli/start.ts, as `npm start` runs it; its own process group so that cleanup reaches it all.
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/start.ts'], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout!.on('data', (d) => (output += String(d)));
  child.stderr!.on('data', (d) => (output += String(d)));
  const base = `http://127.0.0.1:${port}`;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the app exited (${child.exitCode}):\n${output}`);
    if (/ready in/.test(output) && (await fetch(`${base}/api/health`).then((r) => r.ok, () => false))) break;
    await sleep(300);
  }
  return { child, base, output: () => output };
}

const lastToken = new Map<string, string>();

async function call(instance: number, kind: Kind, loop: number, n: number): Promise<Sample> {
  const base = instances[instance]!.base;
  const startedAt = Date.now();
  const sample = (status: number, extra: Partial<Sample> = {}): Sample => ({ instance, kind, startedAt, endedAt: Date.now(), status, ...extra });
  const auth = { authorization: `Bearer ${apiKey}` };
  try {
    if (kind === 'access-token') {
      const id = ids[(loop + n) % ids.length]!;
      // Each call rejects the connection's token seen last: a refresh (a rotation at the simulator) when it is still
      // the stored one, which makes refreshes run on both instances, also as the database goes away.
      const seen = lastToken.get(id);
      const body = seen ? { rejected_token: seen } : {};
      const res = await fetch(`${base}/api/v1/connections/${id}/access-token`, { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const json = (await res.json().catch(() => ({}))) as { access_token?: string; error?: { code?: string } };
      if (json.access_token) lastToken.set(id, json.access_token);
      return sample(res.status, { code: json.error?.code, retryAfter: res.headers.get('retry-after') });
    }
    if (kind === 'list') {
      const res = await fetch(`${base}/api/v1/connections?limit=10`, { headers: auth });
      const json = (await res.json().catch(() => ({}))) as { error?: { code?: string } };
      return sample(res.status, { code: json.error?.code, retryAfter: res.headers.get('retry-after') });
    }
    if (kind === 'health') {
      const res = await fetch(`${base}/api/health`);
      await res.arrayBuffer();
      return sample(res.status);
    }
    const url = kind === 'page' ? `${base}/` : `${base}/connect/not-a-real-link-${n}`;
    const res = await fetch(url, { headers: { cookie } });
    const html = await res.text();
    return sample(res.status, {
      finalPath: new URL(res.url).pathname,
      retryAfter: res.headers.get('retry-after'),
      unavailablePage: /Temporarily unavailable/i.test(html),
    });
  } catch {
    return sample(0); // no answer at all
  }
}

async function loadLoop(instance: number, loop: number, running: () => boolean, samples: Sample[]): Promise<void> {
  for (let n = 0; running(); n++) {
    samples.push(await call(instance, KINDS[(n + loop) % KINDS.length]!, loop, n));
  }
}

beforeAll(async () => {
  pg = await startOwnPostgres('restart');
  await runMigrations(pg.url);
  sim = await startSimulator({ leewaySeconds: 600 });
  sql = postgres(pg.url, { max: 4, onnotice: () => {} });
  const users: string[] = [];
  for (const [email, product] of [['alice@example.com', 'jira'], ['alice@example.com', 'confluence'], ['bob@example.com', 'jira'], ['bob@example.com', 'confluence']] as const) {
    const { id, userId } = await connectViaSimulator(sql, sim.url, email, product);
    ids.push(id);
    users.push(userId);
  }
  apiKey = (await createApiKey(dbFor(sql), 'restart test')).key;
  cookie = `authjs.session-token=${(await createSession(dbFor(sql), users[0]!)).token}`;
  const env = {
    DATABASE_URL: pg.url,
    TOKEN_ENCRYPTION_KEY: TEST_KEYS.current.toString('base64'),
    AUTH_SECRET: 'restart-test-auth-secret-restart-test-auth-secret',
    ATLASSIAN_AUTH_URL: sim.url,
    ATLASSIAN_API_URL: sim.url,
    BITBUCKET_AUTH_URL: sim.url,
    BITBUCKET_API_URL: sim.url,
    LOG_FORMAT: 'json',
  };
  // One after the other: the first builds when the build is missing or stale, the second finds it current.
  instances.push(await startInstance(env));
  instances.push(await startInstance(env));
}, 900_000);

afterAll(async () => {
  for (const { child } of instances) if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
  await sql?.end({ timeout: 1 });
  await sim?.stop();
  await pg?.destroy();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

describe('a database restart under load from two instances', () => {
  it('never answers 500, answers 503 while the database is away, recovers within seconds, and loses no rotation', async () => {
    const control = new SimulatorControl(sim.url);
    const before: Counters = await control.counters();
    const samples: Sample[] = [];
    let running = true;
    const loops = instances.flatMap((_, i) => Array.from({ length: LOOPS_PER_INSTANCE }, (_, l) => loadLoop(i, l, () => running, samples)));

    await sleep(3_000);
    await pg.stop();
    const stopped = Date.now();
    await sleep(OUTAGE_MS);
    const restarting = Date.now();
    await pg.start();
    const started = Date.now();
    // Every kind answers as usual again on both instances.
    const healthy = (s: Sample) => (s.kind === 'link' ? s.status === 404 : s.status === 200) && s.startedAt >= started;
    while (Date.now() - started < RECOVERY_MS) {
      const seen = new Set(samples.filter(healthy).map((s) => `${s.instance}:${s.kind}`));
      if (seen.size === instances.length * KINDS.length) break;
      await sleep(100);
    }
    const recoveredAt = Date.now();
    await sleep(1_000);
    running = false;
    await Promise.all(loops);

    const summary = (list: Sample[]) => list.map((s) => `${s.instance} ${s.kind} ${s.status} ${s.code ?? ''} ${s.finalPath ?? ''}`);
    // Never a 500 (or no answer), before, during or after.
    expect(summary(samples.filter((s) => s.status === 0 || (s.status >= 500 && s.status !== 503)))).toEqual([]);
    // Never a silent sign-out: the signed-in page never ends on the sign-in page.
    expect(summary(samples.filter((s) => s.kind === 'page' && s.finalPath !== '/' && !s.unavailablePage))).toEqual([]);

    // Nothing waits: while the database is away each call answers 503 within a reconnect attempt, not after
    // the driver's default backoff (it grows to 10-20 s, and calls queued behind it hung that long).
    expect(summary(samples.filter((s) => s.endedAt - s.startedAt > SLOWEST_CALL_MS))).toEqual([]);

    // While the database was away, every answer said so.
    const outage = samples.filter((s) => s.startedAt >= stopped && s.endedAt <= restarting);
    for (const kind of KINDS) expect(outage.filter((s) => s.kind === kind).length, `${kind} calls during the outage`).toBeGreaterThan(0);
    const api = outage.filter((s) => s.kind === 'access-token' || s.kind === 'list');
    expect(summary(api.filter((s) => s.status !== 503 || s.code !== 'database_unavailable' || !s.retryAfter))).toEqual([]);
    const pages = outage.filter((s) => s.kind === 'page' || s.kind === 'link');
    expect(summary(pages.filter((s) => s.status !== 503 || !s.unavailablePage || !s.retryAfter))).toEqual([]);
    expect(summary(outage.filter((s) => s.kind === 'health' && s.status !== 503))).toEqual([]);

    // Back within seconds, without restarting the app.
    expect(recoveredAt - started).toBeLessThan(RECOVERY_MS);
    for (const { child } of instances) expect(child.exitCode).toBeNull();

    // No rotation lost: the simulator refused no reuse, and every stored refresh token still refreshes.
    const after = await control.counters();
    const histogram = new Map<string, number>();
    for (const s of samples) histogram.set(`${s.kind} ${s.status} ${s.code ?? ''}`, (histogram.get(`${s.kind} ${s.status} ${s.code ?? ''}`) ?? 0) + 1);
    expect(after.refreshes - before.refreshes, JSON.stringify([...histogram])).toBeGreaterThan(0);
    expect(after.rejected_reuses - before.rejected_reuses).toBe(0);
    await expireAccessTokens(sql, ids);
    for (const id of ids) {
      const stored = await storedTokens(sql, id);
      const res = await fetch(`${instances[0]!.base}/api/v1/connections/${id}/access-token`, { method: 'POST', headers: { authorization: `Bearer ${apiKey}` } });
      expect(res.status).toBe(200);
      expect((await storedTokens(sql, id)).generation).toBe(stored.generation + 1);
    }
    const statuses = await sql`select status from connections where id = any(${ids})`;
    expect(statuses.map((r) => r.status)).toEqual(ids.map(() => 'active'));
    expect((await control.counters()).rejected_reuses - before.rejected_reuses).toBe(0);
  }, 120_000);
});
