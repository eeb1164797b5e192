import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { callProductApi } from '../../lib/atlassian/client';
import { SimulatorControl } from '../../lib/sandbox/client';
import { startSimulator, type Simulator } from '../../lib/sandbox/simulator';
import { sleep, until } from '../helpers/wait';
import { ConnectionUnavailableError } from '../../lib/tokens/errors';
import { connectViaSimulator, engineFor, expireAccessTokens, storedTokens, testSql } from '../helpers/connections';

let sim: Simulator;
let control: SimulatorControl;
let sql: Sql;
let markerSql: Sql;
let observer: Sql;

async function statusOf(id: string) {
  const [row] = await sql`select status, reason, consecutive_failures, next_refresh_at from connections where id = ${id}`;
  return row;
}

beforeAll(async () => {
  sim = await startSimulator({ leewaySeconds: 600 });
  control = new SimulatorControl(sim.url);
  sql = testSql();
  markerSql = testSql(2);
  observer = testSql(1);
});

afterAll(async () => {
  await sim.stop();
  await Promise.all([sql.end(), markerSql.end(), observer.end()]);
});

beforeEach(async () => {
  await control.clearFaults();
  await control.patchConfig({ leeway_seconds: 600 });
});

describe('faults', () => {
  it('Postgres kills the refreshing backend mid-refresh: a transient error, then recovery by itself', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    await expireAccessTokens(sql, [id]);
    const before = await storedTokens(sql, id);
    // Its own pool, named, so that only its backend is terminated (other test files share this database).
    const victim = postgres(process.env.DATABASE_URL!, { max: 2, onnotice: () => {}, connection: { application_name: 'faults-victim' } });
    const engine = engineFor(victim, markerSql, sim.url);
    await control.addFault({ kind: 'latency', ms: 600, target: 'token', count: 1 });
    const call = engine.getAccessToken(id).then(
      () => undefined,
      (e: unknown) => e,
    );
    await until(async () => (await observer`select 1 from refresh_attempts where connection_id = ${id}`).length > 0, 'the refresh to start');
    const killed = await observer`select pg_terminate_backend(pid) as ok from pg_stat_activity
      where application_name = 'faults-victim' and state = 'idle in transaction'`;
    expect(killed.length).toBeGreaterThan(0);
    const err = await call;
    expect(err).toBeInstanceOf(ConnectionUnavailableError);
    expect(err).toMatchObject({ code: 'temporarily_unavailable', reason: 'database' });
    expect(await storedTokens(sql, id)).toEqual(before); // the transaction rolled back: nothing half-written
    await sleep(700); // Atlassian finishes the request it received and rotates the family
    const recovered = await engine.getAccessToken(id);
    expect(recovered.refreshed).toBe(true);
    expect(await statusOf(id)).toMatchObject({ status: 'active', reason: null });
    expect((await storedTokens(sql, id)).generation).toBe(before.generation + 1);
    expect((await fetch(`${sim.url}/me`, { headers: { authorization: `Bearer ${recovered.accessToken}` } })).status).toBe(200);
    await victim.end({ timeout: 1 });
  });

  it('429 without Retry-After degrades with the default backoff and never marks needs_reauth', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'bob@example.com');
    await expireAccessTokens(sql, [id]);
    await control.addFault({ kind: 'rate_limit', retry_after_seconds: null, target: 'token', count: 1 });
    const engine = engineFor(sql, markerSql, sim.url);
    const err = await engine.getAccessToken(id).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'temporarily_unavailable', reason: 'rate_limited' });
    const row = await statusOf(id);
    expect(row).toMatchObject({ status: 'degraded', reason: 'rate_limited', consecutive_failures: 1 });
    expect(row.next_refresh_at.getTime() - Date.now()).toBeGreaterThanOrEqual(29_000);
  });

  it('app clock jumps forward two hours: one refresh, no loop, no wrong needs_reauth', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    const jumped = engineFor(sql, markerSql, sim.url, { now: () => new Date(Date.now() + 2 * 3_600_000) });
    const before = await control.counters();
    const token = await jumped.getAccessToken(id);
    expect(token.refreshed).toBe(true);
    await jumped.getAccessToken(id);
    expect((await control.counters()).refreshes - before.refreshes).toBe(1);
    expect((await statusOf(id)).status).toBe('active');
  });

  it("Atlassian's clock runs ahead (token expired there, not here): the 401 leads to one refresh and a retry", async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'bob@example.com');
    await control.advanceClock(2 * 3600);
    const engine = engineFor(sql, markerSql, sim.url);
    const [{ cloud_id }] = await sql`select cloud_id from connection_sites where connection_id = ${id} limit 1`;
    const res = await callProductApi({ apiUrl: sim.url, tokens: engine }, { connectionId: id, product: 'jira', cloudId: cloud_id, path: 'rest/api/3/myself' });
    expect(res.status).toBe(200);
    expect((await statusOf(id)).status).toBe('active');
  });

  it('200 concurrent calls on a dead connection: one token call, one needs_reauth event, one webhook', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'admin@example.com');
    await control.revokeApp('admin@example.com');
    await expireAccessTokens(sql, [id]);
    const before = await control.counters();
    const second = [testSql(), testSql(2)] as const; // a second process's pools
    const engines = [engineFor(sql, markerSql, sim.url), engineFor(second[0], second[1], sim.url)];
    const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => engines[i % 2].getAccessToken(id)));
    expect(results.every((r) => r.status === 'rejected' && (r.reason as ConnectionUnavailableError).code === 'needs_reauth')).toBe(true);
    expect((await control.counters()).token_calls - before.token_calls).toBe(1);
    const [{ n }] = await sql`select count(*)::int as n from webhook_messages where connection_id = ${id} and type = 'connection.needs_reauth'`;
    expect(n).toBe(1);
    const [{ e }] = await sql`select count(*)::int as e from connection_events where connection_id = ${id} and type = 'needs_reauth'`;
    expect(e).toBe(1);
    await Promise.all(second.map((p) => p.end()));
  });
});
