import type { Sql } from 'postgres';
import type { Product } from '../../lib/providers/registry';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { SimulatorControl, type Counters } from '../../lib/providers/atlassian/simulator/client';
import type { Simulator } from '../../lib/sandbox/simulator';
import type { TokenEngine } from '../../lib/tokens/engine';
import { ConnectionUnavailableError } from '../../lib/connections/errors';
import { connectViaSimulator, expireAccessTokens, storedTokens } from '../helpers/connections';
import { openFaultBench, secondsFromNow, unharmed, type FaultBench } from '../helpers/fault-bench';
import { SIM_PRODUCTS, simProduct, type SimProduct } from '../helpers/sim-products';

let bench: FaultBench;
let sim: Simulator;
let control: SimulatorControl;
let sql: Sql;
let observer: Sql; // its own connection, so that a saturated pool cannot hide what it watches
let engine: TokenEngine;
let n = 0;

const email = () => ['alice@example.com', 'bob@example.com'][n++ % 2];

async function failure(p: Promise<unknown>): Promise<ConnectionUnavailableError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConnectionUnavailableError);
  return err as ConnectionUnavailableError;
}

async function row(id: string) {
  const [r] = await sql`select status, reason, consecutive_failures, token_generation, next_refresh_at,
    refresh_outcome_unknown_at, last_error_code from connections where id = ${id}`;
  return r;
}

async function events(id: string) {
  return (await sql`select type, code from connection_events where connection_id = ${id} order by id`).map((e) => e.type);
}

async function webhooks(id: string) {
  return (await sql`select type from webhook_messages where connection_id = ${id} order by created_at`).map((m) => m.type);
}

const worker = (id: string, at: Date) => bench.worker(id, at);
const outcome = (id: string, since: Counters, product: Product) => bench.outcome(id, since, product);

beforeAll(async () => {
  bench = await openFaultBench('token_engine', { leewaySeconds: 0, tokenTimeoutMs: 400 });
  ({ sim, control, sql, observer, engine } = bench);
});

afterAll(() => bench.close());

beforeEach(async () => {
  await control.clearFaults();
  await control.patchConfig({ leeway_seconds: 0, dead_token_error: 'invalid_grant' });
});

// Every scenario runs for Jira (Atlassian's 3LO app) and Bitbucket (its OAuth consumer, SPEC 1b).
describe.each(SIM_PRODUCTS)('%s', (product) => {
  const facts = simProduct('http://simulator.invalid', product);
  let p: SimProduct;

  beforeAll(() => {
    p = simProduct(sim.url, product);
  });

  beforeEach(async () => {
    await p.configure({ leewaySeconds: 0, deadTokenError: facts.deadTokenAnswers[0]![0] });
  });

  describe('getAccessToken', () => {
    it('serves a valid stored token with no token call', async () => {
      const { id, tokens } = await connectViaSimulator(sql, sim.url, email(), product);
      const before = await p.counters();
      const token = await engine.getAccessToken(id);
      expect(token.accessToken).toBe(tokens.accessToken);
      expect(token.refreshed).toBe(false);
      expect((await p.counters()).token_calls).toBe(before.token_calls);
    });

    it('refreshes an expired token once for 50 concurrent callers and stores the rotated family', async () => {
      const { id, tokens } = await connectViaSimulator(sql, sim.url, email(), product);
      await expireAccessTokens(sql, [id]);
      const before = await p.counters();
      const results = await Promise.all(Array.from({ length: 50 }, () => engine.getAccessToken(id)));
      const after = await p.counters();
      expect(after.refreshes - before.refreshes).toBe(1);
      expect(after.rejected_reuses).toBe(before.rejected_reuses);
      expect(new Set(results.map((r) => r.accessToken)).size).toBe(1);
      const stored = await storedTokens(sql, id);
      expect(stored.access).toBe(results[0].accessToken);
      expect(stored.refresh).not.toBe(tokens.refreshToken);
      expect(stored.generation).toBe(2);
      expect(await events(id)).toEqual(['connected', 'refreshed']);
    });

    it('callers in one process share one in-flight refresh instead of queueing on the row lock', async () => {
      const { id } = await connectViaSimulator(sql, sim.url, email(), product);
      await expireAccessTokens(sql, [id]);
      await control.addFault({ kind: 'latency', ms: 300, target: 'token', count: 1 });
      const calls = Promise.all(Array.from({ length: 20 }, () => engine.getAccessToken(id)));
      // The marker is written just before the token request leaves: the refresh is now in flight.
      while ((await observer`select 1 from refresh_attempts where connection_id = ${id}`).length === 0) {
        await new Promise((r) => setTimeout(r, 10));
      }
      await new Promise((r) => setTimeout(r, 50));
      const [{ waiting }] = await observer`select count(*)::int as waiting from pg_stat_activity
        where datname = current_database() and wait_event_type = 'Lock'`;
      const results = await calls;
      expect(waiting).toBe(0);
      expect(new Set(results.map((r) => r.accessToken)).size).toBe(1);
    });

    it('returns the token a peer stored after a 401 without refreshing again (the seed scenario)', async () => {
      const { id, tokens } = await connectViaSimulator(sql, sim.url, email(), product);
      const held = tokens.accessToken; // worker A holds this
      await expireAccessTokens(sql, [id]);
      const fresh = await engine.getAccessToken(id); // worker B refreshes
      const api = await fetch(`${sim.url}${p.identityPath}`, { headers: { authorization: `Bearer ${held}` } });
      expect(api.status).toBe(p.revokesAccessOnRefresh ? 401 : 200); // Atlassian revoked A's token on refresh; Bitbucket lets it expire
      const before = await p.counters();
      const recovered = await engine.getAccessToken(id, { rejectedToken: held });
      expect(recovered.accessToken).toBe(fresh.accessToken);
      expect((await p.counters()).token_calls).toBe(before.token_calls);
      const retry = await fetch(`${sim.url}${p.identityPath}`, { headers: { authorization: `Bearer ${recovered.accessToken}` } });
      expect(retry.status).toBe(200);
    });

    it('refreshes when the rejected token is still the stored one', async () => {
      const { id, tokens } = await connectViaSimulator(sql, sim.url, email(), product);
      const before = await p.counters();
      const token = await engine.getAccessToken(id, { rejectedToken: tokens.accessToken });
      expect(token.refreshed).toBe(true);
      expect(token.accessToken).not.toBe(tokens.accessToken);
      expect((await p.counters()).refreshes - before.refreshes).toBe(1);
    });

    it('makes one refresh, not a loop, when tokens live shorter than minValiditySeconds', async () => {
      const { id } = await connectViaSimulator(sql, sim.url, email(), product);
      const before = await p.counters();
      const token = await engine.getAccessToken(id, { minValiditySeconds: facts.accessTokenSeconds * 2 });
      expect(token.refreshed).toBe(true);
      expect((await p.counters()).refreshes - before.refreshes).toBe(1);
    });

    it('answers not_found for an unknown or malformed id', async () => {
      expect((await failure(engine.getAccessToken('00000000-0000-4000-8000-000000000000'))).code).toBe('not_found');
      expect((await failure(engine.getAccessToken("1' or '1'='1"))).code).toBe('not_found');
    });
  });

  describe('terminal errors', () => {
    it.each(facts.deadTokenAnswers)('%s → needs_reauth (revoked, code %s), one event and one webhook for 30 callers, never retried', async (body, code) => {
      const reason = 'revoked';
      const user = email();
      const { id } = await connectViaSimulator(sql, sim.url, user, product);
      await p.configure({ deadTokenError: body });
      await p.revokeApp(user);
      await expireAccessTokens(sql, [id]);
      const before = await p.counters();
      const errors = await Promise.all(Array.from({ length: 30 }, () => failure(engine.getAccessToken(id))));
      expect(new Set(errors.map((e) => `${e.code}:${e.reason}`))).toEqual(new Set([`needs_reauth:${reason}`]));
      expect((await p.counters()).token_calls - before.token_calls).toBe(1);
      expect(await row(id)).toMatchObject({ status: 'needs_reauth', reason, next_refresh_at: null, last_error_code: code });
      expect((await events(id)).filter((t) => t === 'needs_reauth')).toHaveLength(1);
      expect(await webhooks(id)).toEqual(['connection.created', 'connection.needs_reauth']);
      await failure(engine.getAccessToken(id, { minValiditySeconds: 0 }));
      expect((await p.counters()).token_calls - before.token_calls).toBe(1);
    });

    it('tells inactivity expiry from revocation', async () => {
      const { id } = await connectViaSimulator(sql, sim.url, email(), product);
      await sql`update connections set refresh_token_issued_at = now() - interval '91 days' where id = ${id}`;
      await control.advanceClock(91 * 86_400);
      await expireAccessTokens(sql, [id]);
      const err = await failure(engine.getAccessToken(id));
      expect(err).toMatchObject({ code: 'needs_reauth', reason: 'inactivity_expired' });
    });
  });

  describe('transient errors', () => {
    it.each([500, 503])('%i marks degraded once, keeps serving the valid token, backs off, then recovers by itself', async (status) => {
      const { id, tokens } = await connectViaSimulator(sql, sim.url, email(), product);
      const since = await p.counters();
      await sql`update connections set access_expires_at = now() + interval '30 seconds' where id = ${id}`;
      await control.addFault({ kind: 'status', status, target: 'token' });
      const served = await engine.getAccessToken(id); // wants 60 s, has 30 s: tries, fails, serves what it has
      expect(served.accessToken).toBe(tokens.accessToken);
      const degraded = await row(id);
      expect(degraded).toMatchObject({ status: 'degraded', reason: 'server_error', consecutive_failures: 1 });
      expect(degraded.next_refresh_at.getTime()).toBeGreaterThan(Date.now() + 25_000);
      const before = await p.counters();
      await engine.getAccessToken(id); // inside the backoff: no token call
      expect((await p.counters()).token_calls).toBe(before.token_calls);
      await expireAccessTokens(sql, [id]);
      const err = await failure(engine.getAccessToken(id));
      expect(err.code).toBe('temporarily_unavailable');
      expect(err.retryAfterSeconds).toBeGreaterThan(20);
      // The worker waits out the backoff, fails once more while Atlassian is down, then recovers it.
      expect(await worker(id, secondsFromNow(25))).toBeUndefined();
      expect(await worker(id, secondsFromNow(40))).toBe('server_error');
      expect(await row(id)).toMatchObject({ status: 'degraded', consecutive_failures: 2 });
      await control.clearFaults();
      expect(await worker(id, secondsFromNow(120))).toBe('refreshed');
      expect(await events(id)).toEqual(['connected', 'refresh_failed', 'degraded', 'refresh_failed', 'refreshed', 'recovered']);
      expect(await outcome(id, since, product)).toEqual(unharmed(['connection.degraded', 'connection.recovered']));
    });

    it('honours Retry-After on 429, in the caller and in the worker, then recovers by itself', async () => {
      const { id } = await connectViaSimulator(sql, sim.url, email(), product);
      const since = await p.counters();
      await expireAccessTokens(sql, [id]);
      await control.addFault({ kind: 'rate_limit', retry_after_seconds: 900, target: 'token' });
      const err = await failure(engine.getAccessToken(id));
      expect(err).toMatchObject({ code: 'temporarily_unavailable', reason: 'rate_limited' });
      expect(err.retryAfterSeconds).toBeGreaterThanOrEqual(900);
      const r = await row(id);
      expect(r).toMatchObject({ status: 'degraded', reason: 'rate_limited' });
      expect(r.next_refresh_at.getTime()).toBeGreaterThanOrEqual(Date.now() + 895_000);
      await control.clearFaults();
      expect(await worker(id, secondsFromNow(890))).toBeUndefined(); // the default 30-36 s backoff would have retried
      expect(await worker(id, secondsFromNow(910))).toBe('refreshed');
      expect(await outcome(id, since, product)).toEqual(unharmed(['connection.degraded', 'connection.recovered']));
    });

    it('a refresh dropped after rotation: degraded, then the worker reuses the same refresh token within the leeway', async () => {
      await p.configure({ leewaySeconds: 600 });
      const { id, tokens } = await connectViaSimulator(sql, sim.url, email(), product);
      const since = await p.counters();
      await expireAccessTokens(sql, [id]);
      await control.addFault({ kind: 'drop_after_rotate', target: 'token', count: 1 });
      expect(await failure(engine.getAccessToken(id))).toMatchObject({ code: 'temporarily_unavailable', reason: 'outcome_unknown' });
      const unknown = await row(id);
      expect(unknown).toMatchObject({ status: 'degraded', reason: 'outcome_unknown' });
      expect(unknown.refresh_outcome_unknown_at).not.toBeNull();
      expect((await storedTokens(sql, id)).refresh).toBe(tokens.refreshToken);
      expect(await worker(id, secondsFromNow(25))).toBeUndefined(); // backing off
      expect(await worker(id, secondsFromNow(40))).toBe('refreshed');
      expect((await p.counters()).reuses_within_leeway - since.reuses_within_leeway).toBe(1);
      expect(await row(id)).toMatchObject({ status: 'active', refresh_outcome_unknown_at: null });
      expect(await outcome(id, since, product)).toEqual(unharmed(['connection.degraded', 'connection.recovered']));
    });

    it('a lost rotation answered by the dead-token error is reported as token_lost', async () => {
      const { id } = await connectViaSimulator(sql, sim.url, email(), product);
      await expireAccessTokens(sql, [id]);
      await control.addFault({ kind: 'drop_after_rotate', target: 'token', count: 1 });
      await failure(engine.getAccessToken(id));
      await sql`update connections set next_refresh_at = now() where id = ${id}`;
      const err = await failure(engine.getAccessToken(id));
      expect(err).toMatchObject({ code: 'needs_reauth', reason: 'token_lost' });
    });

    it('a timeout (no answer at all) is transient, keeps the refresh token, and recovers by itself', async () => {
      const { id, tokens } = await connectViaSimulator(sql, sim.url, email(), product);
      const since = await p.counters();
      await expireAccessTokens(sql, [id]);
      await control.addFault({ kind: 'timeout', target: 'token', count: 1 });
      const started = Date.now();
      const err = await failure(engine.getAccessToken(id));
      expect(Date.now() - started).toBeLessThan(3000); // the engine's 400 ms limit, not the hang
      expect(err).toMatchObject({ code: 'temporarily_unavailable', reason: 'timeout' });
      expect(await row(id)).toMatchObject({ status: 'degraded', reason: 'timeout' });
      expect((await storedTokens(sql, id)).refresh).toBe(tokens.refreshToken);
      expect(await worker(id, secondsFromNow(25))).toBeUndefined(); // backing off
      expect(await worker(id, secondsFromNow(40))).toBe('refreshed');
      expect(await outcome(id, since, product)).toEqual(unharmed(['connection.degraded', 'connection.recovered']));
    }, 15_000);
  });

  describe('operator errors', () => {
    it('invalid_client sets error, asks nobody to reconnect, sends no needs_reauth webhook', async () => {
      const { id } = await connectViaSimulator(sql, sim.url, email(), product);
      await expireAccessTokens(sql, [id]);
      await control.addFault({ kind: 'invalid_client', target: 'token' });
      const err = await failure(engine.getAccessToken(id));
      expect(err.code).toBe('configuration_error');
      expect(await row(id)).toMatchObject({ status: 'error', reason: 'invalid_client' });
      expect(await webhooks(id)).toEqual(['connection.created']);
      expect(await events(id)).toContain('configuration_error');
    });
  });
});
