// The dashboard issue's behaviour fixes, against a real simulator and a database of this file's own:
// the reasons a dead refresh token is given (scope_mismatch remembered from the API, inactivity_expired after the
// sandbox's "Advance 91 days"), retries at the provider's Retry-After by the worker, and configuration errors in the
// admin's failure reasons. (The sandbox clock itself: sandbox-clock.test.ts.)
import type { Sql } from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { currentFailureReasons, topFailureCodes } from '../../lib/admin/activity';
import { countConfigurationErrors } from '../../lib/admin/counts';
import { testConnection } from '../../lib/connections/manage';
import { dbFor } from '../../lib/db';
import { refreshTask } from '../../lib/jobs/tasks';
import { startWorker } from '../../lib/jobs/worker';
import { SimulatorControl } from '../../lib/providers/atlassian/simulator/client';
import { advanceSandboxClock } from '../../lib/sandbox/clock';
import { startSimulator, type Simulator } from '../../lib/sandbox/simulator';
import type { TokenEngine } from '../../lib/tokens/engine';
import { connectViaSimulator, engineFor, expireAccessTokens, simApps, testSql } from '../helpers/connections';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

let sim: Simulator;
let control: SimulatorControl;
let database: TestDatabase;
let sql: Sql;
let markerSql: Sql;

beforeAll(async () => {
  sim = await startSimulator({ leewaySeconds: 0 });
  control = new SimulatorControl(sim.url);
  database = await createTestDatabase('dashboard_fixes');
  [sql, markerSql] = [testSql(6, database.url), testSql(2, database.url)];
});

afterAll(async () => {
  await sim?.stop();
  await Promise.all([sql?.end(), markerSql?.end()]);
  await database?.drop();
});

beforeEach(async () => {
  await control.clearFaults();
  await control.resetClock();
  // The worker's step takes every due connection: only the one a test works on may be due.
  await sql`update connections set next_refresh_at = null`;
});

const engineOn = (now: () => Date, extra = {}): TokenEngine => engineFor(sql, markerSql, sim.url, { now, ...extra });

async function row(id: string) {
  const [r] = await sql`select status, reason, next_refresh_at from connections where id = ${id}`;
  return r!;
}

describe('why a dead refresh token died', () => {
  it('"Advance 91 days" in the sandbox: inactivity_expired (revoked when only the simulator moved: the app did not age)', async () => {
    const aged = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    await advanceSandboxClock(dbFor(sql), control, 91 * 86_400);
    await expect(engineOn(() => new Date()).getAccessToken(aged.id)).rejects.toMatchObject({ code: 'needs_reauth', reason: 'inactivity_expired' });
    expect(await row(aged.id)).toMatchObject({ status: 'needs_reauth', reason: 'inactivity_expired' });
    // The simulator's clock moved alone (its control API, not the sandbox's): the app sees a token rotated minutes ago.
    const unaware = await connectViaSimulator(sql, sim.url, 'bob@example.com');
    await control.advanceClock(91 * 86_400);
    await expireAccessTokens(sql, [unaware.id]);
    await expect(engineOn(() => new Date()).getAccessToken(unaware.id)).rejects.toMatchObject({ reason: 'revoked' });
  });

  it('scopes changed: Test connection hears "scope does not match", and the refresh that dies after it is scope_mismatch', async () => {
    const engine = engineOn(() => new Date());
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    await control.changeScopes('alice@example.com');
    const result = await testConnection(dbFor(sql), { apps: simApps(sim.url), tokens: engine }, id);
    expect(result.ok).toBe(false);
    expect(await row(id)).toMatchObject({ status: 'needs_reauth', reason: 'scope_mismatch' });
    const events = await sql`select type, code, data->>'reason' as reason from connection_events where connection_id = ${id} order by id`;
    expect(events.map((e) => [e.type, e.code, e.reason])).toEqual([
      ['connected', null, null],
      ['api_unauthorized', 'scope_mismatch', null],
      ['needs_reauth', 'invalid_grant', 'scope_mismatch'],
      ['test', 'needs_reauth', null],
    ]);
  });

  it('a revoked grant stays revoked: the API said "Unauthorized", not "scope does not match"', async () => {
    const engine = engineOn(() => new Date());
    const { id } = await connectViaSimulator(sql, sim.url, 'bob@example.com');
    await control.revokeApp('bob@example.com');
    await testConnection(dbFor(sql), { apps: simApps(sim.url), tokens: engine }, id);
    expect(await row(id)).toMatchObject({ status: 'needs_reauth', reason: 'revoked' });
  });

  it('a scope verdict about an older token generation does not name a later death', async () => {
    const engine = engineOn(() => new Date());
    const { id } = await connectViaSimulator(sql, sim.url, 'bob@example.com');
    await sql`insert into connection_events (connection_id, type, code, token_generation) values (${id}, 'api_unauthorized', 'scope_mismatch', 0)`;
    await control.revokeApp('bob@example.com');
    await expireAccessTokens(sql, [id]);
    await expect(engine.getAccessToken(id)).rejects.toMatchObject({ reason: 'revoked' });
  });
});

describe('the worker retries at Retry-After', () => {
  it('a 429 with Retry-After: 10 is retried 10 s later by the worker clock, and the running worker does it', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    await expireAccessTokens(sql, [id]);
    await sql`update connections set last_used_at = now(), next_refresh_at = now() - interval '1 second' where id = ${id}`;
    await control.addFault({ kind: 'rate_limit', retry_after_seconds: 10, target: 'token', count: 1 });
    const t0 = new Date();
    let clock = t0;
    const engine = engineOn(() => clock);

    expect(await engine.refreshNextDue()).toEqual({ id, outcome: 'rate_limited' });
    const degraded = await row(id);
    expect(degraded.status).toBe('degraded');
    expect(degraded.next_refresh_at.getTime() - t0.getTime()).toBe(10_000);
    clock = new Date(t0.getTime() + 9_000);
    expect(await engine.refreshNextDue()).toBeUndefined(); // not due yet

    // The app's worker loop, on the injected clock now at the due time: it wakes and retries by itself.
    expect(refreshTask(engine).everyMs).toBeLessThanOrEqual(1_000);
    clock = new Date(t0.getTime() + 10_000);
    const worker = startWorker([refreshTask(engine)]);
    try {
      await expect.poll(async () => (await row(id)).status, { timeout: 20_000 }).toBe('active');
    } finally {
      await worker.stop();
    }
    const attempts = await sql`select type, created_at from connection_events
      where connection_id = ${id} and type in ('refresh_failed', 'refreshed') order by id`;
    expect(attempts.map((a) => a.type)).toEqual(['refresh_failed', 'refreshed']);
    const gap = attempts[1]!.created_at.getTime() - attempts[0]!.created_at.getTime();
    expect(gap).toBeGreaterThanOrEqual(10_000);
    expect(gap).toBeLessThanOrEqual(12_000);
  });
});

describe("the admin's failure reasons", () => {
  it('count a configuration error (invalid_client) as broken right now and as a failed refresh', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'bob@example.com');
    await expireAccessTokens(sql, [id]);
    await control.addFault({ kind: 'invalid_client', target: 'token' });
    await expect(engineOn(() => new Date()).getAccessToken(id)).rejects.toMatchObject({ code: 'configuration_error' });
    expect(await row(id)).toMatchObject({ status: 'error', reason: 'invalid_client' });
    const db = dbFor(sql);
    const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from connections where status = 'error'`;
    expect(n).toBeGreaterThan(0);
    expect(await currentFailureReasons(db)).toContainEqual({ status: 'error', reason: 'invalid_client', count: n });
    expect(await countConfigurationErrors(db)).toBe(n);
    expect(await topFailureCodes(db)).toContainEqual(expect.objectContaining({ code: 'invalid_client' }));
  });
});
