import postgres, { type Sql } from 'postgres';
import { exchangeCode, fetchAccessibleResources, fetchProfile } from '../../lib/atlassian/oauth';
import { scopesForConnect, siteHasProduct, type Product } from '../../lib/atlassian/products';
import { createConnection } from '../../lib/connections/store';
import { consentAndGetCode, type Counters, type SimulatorControl } from '../../lib/sandbox/client';
import { decryptSecret, type KeyRing } from '../../lib/tokens/crypto';
import { createTokenEngine, type TokenEngine, type TokenEngineOptions } from '../../lib/tokens/engine';
import { upsertUser } from '../../lib/users';

export const TEST_KEYS: KeyRing = { current: Buffer.alloc(32, 1), previous: [] };
export const APP_URL = 'http://localhost:3999';
const REDIRECT = `${APP_URL}/api/oauth/callback`;

export function oauthConfig(simUrl: string, timeoutMs = 5000) {
  return { authUrl: simUrl, clientId: 'reconnect-sandbox', clientSecret: 'sandbox-secret', timeoutMs };
}

export function testSql(max = 10, url = process.env.DATABASE_URL!): Sql {
  return postgres(url, { max, onnotice: () => {} });
}

/** A real connection: consent at the simulator, code exchange, sites, stored like the app does. */
export async function connectViaSimulator(
  sql: Sql,
  simUrl: string,
  email: string,
  product: Product = 'jira',
  keys = TEST_KEYS,
  scopes = scopesForConnect(product),
) {
  const code = await consentAndGetCode(simUrl, { email, scopes, redirectUri: REDIRECT });
  const tokens = await exchangeCode(oauthConfig(simUrl), code, REDIRECT);
  const api = { apiUrl: simUrl };
  const profile = await fetchProfile(api, tokens.accessToken);
  const sites = (await fetchAccessibleResources(api, tokens.accessToken)).filter((s) => siteHasProduct(s.scopes, product));
  const user = await upsertUser(sql, email, profile.name, []);
  const id = await createConnection({ sql, keys, appUrl: APP_URL }, user.id, { product, tokens, profile, sites });
  return { id, userId: user.id, tokens };
}

export function engineFor(sql: Sql, markerSql: Sql, simUrl: string, extra: Partial<TokenEngineOptions> = {}) {
  return createTokenEngine({
    sql,
    markerSql,
    oauth: oauthConfig(simUrl),
    keys: TEST_KEYS,
    appUrl: APP_URL,
    refreshMarginSeconds: 300,
    keepaliveIdleDays: 60,
    ...extra,
  });
}

export async function expireAccessTokens(sql: Sql, ids: string[]): Promise<void> {
  await sql`update connections set access_expires_at = now() - interval '1 minute' where id = any(${ids})`;
}

export async function storedTokens(sql: Sql, id: string, keys = TEST_KEYS) {
  const [row] = await sql<{ access_token_enc: string; refresh_token_enc: string; token_generation: number }[]>`
    select access_token_enc, refresh_token_enc, token_generation from connections where id = ${id}`;
  return {
    access: decryptSecret(row.access_token_enc, keys),
    refresh: decryptSecret(row.refresh_token_enc, keys),
    generation: row.token_generation,
  };
}

export const secondsFromNow = (s: number) => new Date(Date.now() + s * 1000);

/**
 * The background worker's step (refreshNextDue) with its clock at `at`: what it did to `id`, or undefined
 * if `id` was not due. Takes every row due by then, so use it on a database of the test file's own.
 */
export async function workerRefresh(sql: Sql, markerSql: Sql, simUrl: string, id: string, at: Date): Promise<string | undefined> {
  const worker = engineFor(sql, markerSql, simUrl, { now: () => at });
  for (let i = 0; i < 100; i++) {
    const done = await worker.refreshNextDue();
    if (!done || done.id === id) return done?.outcome;
  }
  throw new Error('refreshNextDue did not run dry');
}

export interface FaultOutcome {
  /** (d) as found, before the forced refresh below: active again means it recovered by itself. */
  status: string;
  reason: string | null;
  consecutiveFailures: number;
  /** (b) the stored refresh token is the newest of its family: a forced refresh is a real rotation. */
  forcedRefresh: { refreshed: boolean; generationStep: number; rotations: number; leewayReuses: number; apiStatus: number };
  /** (b) since the fault began, Atlassian refused no reuse and answered no dead token. */
  refusedReuses: number;
  deadTokenAnswers: number;
  /** (a) never needs_reauth: that status is always written with this event, in one transaction. */
  needsReauthEvents: number;
  /** (c) the connection's webhook messages, oldest first. */
  webhooks: string[];
}

/**
 * What a fault left behind for connection `id`; `since`: the simulator's counters before the fault. Call it
 * once recovery is expected, before anything else refreshes the connection (it forces a refresh itself).
 */
export async function faultOutcome(
  ctx: { sql: Sql; engine: TokenEngine; control: SimulatorControl; simUrl: string },
  id: string,
  since: Counters,
): Promise<FaultOutcome> {
  const { sql, control } = ctx;
  const [row] = await sql`select status, reason, consecutive_failures from connections where id = ${id}`;
  const before = await storedTokens(sql, id);
  const counted = await control.counters();
  const forced = await ctx.engine.getAccessToken(id, { rejectedToken: before.access });
  const me = await fetch(`${ctx.simUrl}/me`, { headers: { authorization: `Bearer ${forced.accessToken}` } });
  const now = await control.counters();
  const [{ n }] = await sql`select count(*)::int as n from connection_events where connection_id = ${id} and type = 'needs_reauth'`;
  const messages = await sql`select type from webhook_messages where connection_id = ${id} order by created_at`;
  return {
    status: row.status,
    reason: row.reason,
    consecutiveFailures: row.consecutive_failures,
    forcedRefresh: {
      refreshed: forced.refreshed,
      generationStep: (await storedTokens(sql, id)).generation - before.generation,
      rotations: now.refreshes - counted.refreshes,
      leewayReuses: now.reuses_within_leeway - counted.reuses_within_leeway,
      apiStatus: me.status,
    },
    refusedReuses: now.rejected_reuses - since.rejected_reuses,
    deadTokenAnswers: now.dead_token_responses - since.dead_token_responses,
    needsReauthEvents: n,
    webhooks: messages.map((m) => m.type),
  };
}

/** The outcome of a fault that must not hurt: all four promises kept, and exactly `webhooks` after connection.created. */
export function unharmed(webhooks: string[]): FaultOutcome {
  return {
    status: 'active',
    reason: null,
    consecutiveFailures: 0,
    forcedRefresh: { refreshed: true, generationStep: 1, rotations: 1, leewayReuses: 0, apiStatus: 200 },
    refusedReuses: 0,
    deadTokenAnswers: 0,
    needsReauthEvents: 0,
    webhooks: ['connection.created', ...webhooks],
  };
}
