import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { callProductApi } from '../../lib/providers/product-api';
import { SimulatorControl, type Counters } from '../../lib/providers/atlassian/simulator/client';
import { startSimulator, type Simulator } from '../../lib/sandbox/simulator';
import { sleep, until } from '../helpers/wait';
import type { TokenEngine } from '../../lib/tokens/engine';
import { ConnectionUnavailableError } from '../../lib/connections/errors';
import { connectViaSimulator, engineFor, expireAccessTokens, simApps, storedTokens, testSql } from '../helpers/connections';
import { openFaultBench, secondsFromNow, unharmed, workerRefresh, type FaultBench } from '../helpers/fault-bench';
import { SIM_PRODUCTS, simProduct, type SimProduct } from '../helpers/sim-products';
import { providerFor } from '../../lib/providers';
import type { Product } from '../../lib/providers/registry';

let bench: FaultBench;
let sim: Simulator;
let control: SimulatorControl;
let sql: Sql;
let markerSql: Sql;
let observer: Sql;
let engine: TokenEngine;

const worker = (id: string, at: Date) => bench.worker(id, at);
const outcome = (id: string, since: Counters, product: Product) => bench.outcome(id, since, product);
/** The worker's step a second after the row says it is due. */
const workerWhenDue = async (id: string) => worker(id, new Date((await statusOf(id)).next_refresh_at.getTime() + 1000));

async function statusOf(id: string) {
  const [row] = await sql`select status, reason, consecutive_failures, next_refresh_at from connections where id = ${id}`;
  return row;
}

beforeAll(async () => {
  bench = await openFaultBench('faults', { leewaySeconds: 600 });
  ({ sim, control, sql, markerSql, observer, engine } = bench);
});

afterAll(() => bench.close());

beforeEach(async () => {
  await control.clearFaults();
  await control.patchConfig({ leeway_seconds: 600 });
});

// Every fault for Jira (Atlassian's 3LO app) and Bitbucket (its OAuth consumer), both with a 10-minute reuse leeway.
describe.each(SIM_PRODUCTS)('%s', (product) => {
  let p: SimProduct;

  beforeAll(() => {
    p = simProduct(sim.url, product);
  });

  beforeEach(async () => {
    await p.configure({ leewaySeconds: 600 });
  });

  describe('faults', () => {
    it('Postgres kills the refreshing backend mid-refresh: a transient error, then recovery by itself', async () => {
      const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com', product);
      await expireAccessTokens(sql, [id]);
      const since = await p.counters();
      const before = await storedTokens(sql, id);
      // Its own pool, named, so that only its backend is terminated.
      const victim = postgres(bench.url, { max: 2, onnotice: () => {}, connection: { application_name: 'faults-victim' } });
      const victimEngine = engineFor(victim, markerSql, sim.url);
      await control.addFault({ kind: 'latency', ms: 600, target: 'token', count: 1 });
      const call = victimEngine.getAccessToken(id).then(
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
      await sleep(700); // the provider finishes the request it received and rotates the family
      expect(await statusOf(id)).toMatchObject({ status: 'active', reason: null }); // nothing to recover from
      // The worker refreshes it when due with the refresh token it holds: a reuse within the leeway, nothing lost.
      expect(await workerWhenDue(id)).toBe('refreshed');
      expect((await storedTokens(sql, id)).generation).toBe(before.generation + 1);
      expect((await p.counters()).reuses_within_leeway - since.reuses_within_leeway).toBe(1);
      expect(await sql`select 1 from refresh_attempts where connection_id = ${id}`).toHaveLength(0);
      expect(await outcome(id, since, product)).toEqual(unharmed([])); // the transaction rolled back: no degraded webhook either
      await victim.end({ timeout: 1 });
    });

    it('the token endpoint hangs past the timeout and rotates anyway: degraded, then the worker reuses the same refresh token', async () => {
      const { id, tokens } = await connectViaSimulator(sql, sim.url, 'bob@example.com', product);
      await expireAccessTokens(sql, [id]);
      const since = await p.counters();
      const impatient = engineFor(sql, markerSql, sim.url, { apps: simApps(sim.url, 300) });
      await control.addFault({ kind: 'latency', ms: 800, target: 'token', count: 1 });
      const err = await impatient.getAccessToken(id).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'temporarily_unavailable', reason: 'timeout' });
      expect(await statusOf(id)).toMatchObject({ status: 'degraded', reason: 'timeout' });
      expect((await storedTokens(sql, id)).refresh).toBe(tokens.refreshToken);
      await until(async () => (await p.counters()).refreshes > since.refreshes, 'Atlassian to rotate anyway');
      expect(await worker(id, secondsFromNow(25))).toBeUndefined(); // backing off
      expect(await worker(id, secondsFromNow(40))).toBe('refreshed');
      expect((await p.counters()).reuses_within_leeway - since.reuses_within_leeway).toBe(1);
      expect(await outcome(id, since, product)).toEqual(unharmed(['connection.degraded', 'connection.recovered']));
    });

    // With the provider's own reuse leeway: Atlassian's 10 minutes keep the grant alive; Bitbucket documents none,
    // so the one retry with the same token is refused and the connection says token_lost, once, with no loop.
    const leeway = providerFor(product).reuseLeewaySeconds;
    it(`a refresh dropped after rotation, then a long outage (reuse leeway ${leeway} s): ${leeway ? 'retries stay inside it and the grant survives' : 'one refused retry, token_lost'}`, async () => {
      const own = await startSimulator({ leewaySeconds: leeway, bitbucket: { leewaySeconds: leeway } }); // its clock is moved to keep pace with the worker's
      const ownControl = new SimulatorControl(own.url);
      const { id } = await connectViaSimulator(sql, own.url, 'alice@example.com', product);
      try {
        await expireAccessTokens(sql, [id]);
        await ownControl.addFault({ kind: 'drop_after_rotate', target: 'token', count: 1 });
        const t0 = Date.now();
        expect(await engineFor(sql, markerSql, own.url).getAccessToken(id).catch((e: unknown) => e)).toMatchObject({ code: 'temporarily_unavailable' });
        await ownControl.addFault({ kind: 'status', status: 503, target: 'token', count: 4 });
        const outcomes: (string | undefined)[] = [];
        let due = t0;
        for (let next = await statusOf(id); next.next_refresh_at && outcomes.at(-1) !== 'refreshed' && outcomes.length < 8; next = await statusOf(id)) {
          due = next.next_refresh_at.getTime() + 1000;
          await ownControl.advanceClock(Math.max(0, (due - t0) / 1000 - (await ownControl.clock()).offset_seconds));
          outcomes.push(await workerRefresh(sql, markerSql, own.url, id, new Date(due)));
        }
        const counters = await simProduct(own.url, product).counters();
        if (leeway > 0) {
          expect(outcomes).toEqual(['server_error', 'server_error', 'server_error', 'server_error', 'refreshed']);
          expect(due - t0).toBeLessThan(leeway * 1000); // the last try came inside the provider's leeway
          expect(await statusOf(id)).toMatchObject({ status: 'active', reason: null, consecutive_failures: 0 });
          expect([counters.rejected_reuses, counters.reuses_within_leeway]).toEqual([0, 1]);
        } else {
          expect(outcomes).toEqual(['server_error', 'server_error', 'server_error', 'server_error', 'token_lost']);
          expect(await statusOf(id)).toMatchObject({ status: 'needs_reauth', reason: 'token_lost', next_refresh_at: null });
          expect([counters.rejected_reuses, counters.reuses_within_leeway]).toEqual([1, 0]);
          const [{ n }] = await sql`select count(*)::int as n from webhook_messages where connection_id = ${id} and type = 'connection.needs_reauth'`;
          expect(n).toBe(1);
        }
      } finally {
        await own.stop();
        await sql`delete from connections where id = ${id}`; // its grant is at another simulator: keep later workers off it
      }
    });

    it('429 without Retry-After degrades with the default backoff and never marks needs_reauth', async () => {
      const { id } = await connectViaSimulator(sql, sim.url, 'bob@example.com', product);
      await expireAccessTokens(sql, [id]);
      const since = await p.counters();
      await control.addFault({ kind: 'rate_limit', retry_after_seconds: null, target: 'token', count: 1 });
      const err = await engine.getAccessToken(id).catch((e: unknown) => e);
      expect(err).toMatchObject({ code: 'temporarily_unavailable', reason: 'rate_limited' });
      const row = await statusOf(id);
      expect(row).toMatchObject({ status: 'degraded', reason: 'rate_limited', consecutive_failures: 1 });
      expect(row.next_refresh_at.getTime() - Date.now()).toBeGreaterThanOrEqual(29_000);
      expect(await worker(id, secondsFromNow(25))).toBeUndefined(); // backing off
      expect(await worker(id, secondsFromNow(40))).toBe('refreshed');
      expect(await outcome(id, since, product)).toEqual(unharmed(['connection.degraded', 'connection.recovered']));
    });

    it('app clock jumps forward two hours and back: one refresh, no loop, no wrong needs_reauth', async () => {
      const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com', product);
      const later = () => new Date(Date.now() + 2 * 3_600_000);
      const jumped = engineFor(sql, markerSql, sim.url, { now: later });
      const since = await p.counters();
      const token = await jumped.getAccessToken(id);
      expect(token.refreshed).toBe(true);
      await jumped.getAccessToken(id);
      expect((await p.counters()).refreshes - since.refreshes).toBe(1);
      expect(await worker(id, later())).toBeUndefined(); // nor does the worker on the jumped clock refresh it again
      // The clock comes back: the stored token is served and works, and the worker refreshes it when due.
      const back = await engine.getAccessToken(id);
      expect(back.refreshed).toBe(false);
      expect((await fetch(`${sim.url}${p.identityPath}`, { headers: { authorization: `Bearer ${back.accessToken}` } })).status).toBe(200);
      expect(await workerWhenDue(id)).toBe('refreshed');
      expect(await outcome(id, since, product)).toEqual(unharmed([]));
    });

    it("the provider's clock runs ahead (token expired there, not here): the 401 leads to one refresh and a retry", async () => {
      const { id } = await connectViaSimulator(sql, sim.url, 'bob@example.com', product);
      const since = await p.counters();
      await control.advanceClock(2 * 3600);
      const [{ cloud_id }] = await sql`select cloud_id from connection_sites where connection_id = ${id} limit 1`;
      const identity = providerFor(product).identityPath(cloud_id);
      const res = await callProductApi({ apps: simApps(sim.url), tokens: engine }, { connectionId: id, product, cloudId: identity.site, path: identity.path });
      expect(res.status).toBe(200);
      expect((await p.counters()).refreshes - since.refreshes).toBe(1);
      expect(await workerWhenDue(id)).toBe('refreshed');
      expect(await outcome(id, since, product)).toEqual(unharmed([]));
    });

    it('200 concurrent calls on a dead connection: one token call, one needs_reauth event, one webhook', async () => {
      const { id } = await connectViaSimulator(sql, sim.url, 'admin@example.com', product);
      await p.revokeApp('admin@example.com');
      await expireAccessTokens(sql, [id]);
      const before = await p.counters();
      const second = [testSql(10, bench.url), testSql(2, bench.url)] as const; // a second process's pools
      const engines = [engineFor(sql, markerSql, sim.url), engineFor(second[0], second[1], sim.url)];
      const results = await Promise.allSettled(Array.from({ length: 200 }, (_, i) => engines[i % 2].getAccessToken(id)));
      expect(results.every((r) => r.status === 'rejected' && (r.reason as ConnectionUnavailableError).code === 'needs_reauth')).toBe(true);
      expect((await p.counters()).token_calls - before.token_calls).toBe(1);
      const [{ n }] = await sql`select count(*)::int as n from webhook_messages where connection_id = ${id} and type = 'connection.needs_reauth'`;
      expect(n).toBe(1);
      const [{ e }] = await sql`select count(*)::int as e from connection_events where connection_id = ${id} and type = 'needs_reauth'`;
      expect(e).toBe(1);
      await Promise.all(second.map((p) => p.end()));
    });
  });
});
