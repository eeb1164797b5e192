import { spawn } from 'node:child_process';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scopesForConnect } from '../../lib/providers/atlassian/products';
import { SimulatorControl } from '../../lib/providers/atlassian/simulator/client';
import { startSimulator, type Simulator } from '../../lib/sandbox/simulator';
import { TEST_KEYS, connectViaSimulator, engineFor } from '../helpers/connections';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import postgres from 'postgres';

const DAY = 86_400_000;
let sim: Simulator;
let control: SimulatorControl;
let sql: Sql;
let markerSql: Sql;
// Its own database: the worker takes every due connection, so other test files' rows must not be there.
let db: TestDatabase;

function runWorkerProcess(): Promise<{ refreshed: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/worker-process.ts'], {
      env: { ...process.env, SIM_URL: sim.url, DATABASE_URL: db.url },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(err))));
  });
}

async function connectMany(n: number): Promise<string[]> {
  const ids: string[] = [];
  const emails = ['alice@example.com', 'bob@example.com', 'admin@example.com'];
  for (let i = 0; i < n; i += 20) {
    const batch = Array.from({ length: Math.min(20, n - i) }, (_, j) =>
      connectViaSimulator(sql, sim.url, emails[(i + j) % 3], (i + j) % 2 ? 'jira' : 'confluence', undefined, scopesForConnect((i + j) % 2 ? 'jira' : 'confluence')),
    );
    ids.push(...(await Promise.all(batch)).map((c) => c.id));
  }
  return ids;
}

beforeAll(async () => {
  sim = await startSimulator({ leewaySeconds: 0 });
  control = new SimulatorControl(sim.url);
  db = await createTestDatabase('worker');
  sql = postgres(db.url, { max: 10, onnotice: () => {} });
  markerSql = postgres(db.url, { max: 2, onnotice: () => {} });
});

afterAll(async () => {
  await sim.stop();
  await Promise.all([sql.end(), markerSql.end()]);
  await db.drop();
});

describe('background refresh', () => {
  it('two worker processes refresh 1,000 due connections exactly once each, with no refused reuse', async () => {
    const ids = await connectMany(1000);
    await sql`update connections set next_refresh_at = now() - interval '1 minute', last_used_at = now() where id = any(${ids})`;
    const before = await control.counters();
    const [a, b] = await Promise.all([runWorkerProcess(), runWorkerProcess()]);
    const after = await control.counters();
    expect(a.refreshed + b.refreshed).toBe(1000);
    expect(after.refreshes - before.refreshes).toBe(1000);
    expect(after.rejected_reuses).toBe(before.rejected_reuses);
    const generations = await sql`select token_generation, status, count(*)::int as n from connections
      where id = any(${ids}) group by 1, 2`;
    expect(generations).toEqual([{ token_generation: 2, status: 'active', n: 1000 }]);
  }, 180_000);

  it('does not refresh again a token it refreshed moments ago (margin measured against the new expiry)', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    await sql`update connections set access_expires_at = now() + interval '4 minutes', last_used_at = now(), next_refresh_at = now() - interval '1 second' where id = ${id}`;
    await sql`update connections set next_refresh_at = null where id <> ${id}`;
    const engine = engineFor(sql, markerSql, sim.url);
    expect(await engine.refreshNextDue()).toEqual({ id, outcome: 'refreshed' });
    expect(await engine.refreshNextDue()).toBeUndefined();
    const [row] = await sql`select access_expires_at, next_refresh_at from connections where id = ${id}`;
    expect(row.access_expires_at.getTime() - row.next_refresh_at.getTime()).toBe(300_000);
  });

  // Atlassian expires a refresh token unused for 90 days, Bitbucket one unused for 3 months: KEEPALIVE_IDLE_DAYS (60) beats both.
  it.each(['jira', 'bitbucket'] as const)('keeps an idle %s connection alive past the provider inactivity expiry', async (product) => {
    await sql`update connections set next_refresh_at = null`;
    const { id } = await connectViaSimulator(sql, sim.url, 'bob@example.com', product);
    const start = Date.now();
    for (const day of [61, 122, 183]) {
      await control.advanceClock(61 * 86_400);
      const engine = engineFor(sql, markerSql, sim.url, { now: () => new Date(start + day * DAY) });
      expect(await engine.refreshNextDue()).toEqual({ id, outcome: 'refreshed' });
      expect(await engine.refreshNextDue()).toBeUndefined();
    }
    const [row] = await sql`select status, token_generation from connections where id = ${id}`;
    expect(row).toEqual({ status: 'active', token_generation: 4 });
  });

  it('on SIGTERM, `npm run worker` lets refreshes under way commit before it exits', async () => {
    await sql`update connections set next_refresh_at = null`;
    const ids = await connectMany(4);
    await sql`update connections set next_refresh_at = now() - interval '1 minute', last_used_at = now() where id = any(${ids})`;
    await control.addFault({ kind: 'latency', ms: 1500, target: 'token' });
    const before = await control.counters();
    const child = spawn(process.execPath, ['--import', 'tsx', 'cli/index.ts', 'worker'], {
      env: {
        ...process.env,
        DATABASE_URL: db.url,
        ATLASSIAN_AUTH_URL: sim.url,
        ATLASSIAN_API_URL: sim.url,
        TOKEN_ENCRYPTION_KEY: TEST_KEYS.current.toString('base64'),
        AUTH_SECRET: 'worker-test-secret-worker-test-secret',
      },
    });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const deadline = Date.now() + 20_000;
    while ((await sql`select 1 from refresh_attempts`).length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect((await sql`select 1 from refresh_attempts`).length).toBeGreaterThan(0); // refreshes are under way
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    await new Promise((r) => setTimeout(r, 1600)); // Atlassian finishes whatever it received, exit or not
    await control.clearFaults();
    const after = await control.counters();
    const [{ stored }] = await sql`select count(*)::int as stored from connections where id = any(${ids}) and token_generation = 2`;
    expect(after.refreshes - before.refreshes).toBeGreaterThan(0);
    expect(stored).toBe(after.refreshes - before.refreshes); // every rotation Atlassian made is stored
    expect(await sql`select 1 from refresh_attempts`).toHaveLength(0);
  }, 60_000);
});
