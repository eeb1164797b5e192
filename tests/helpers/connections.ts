import postgres, { type Sql } from 'postgres';
import { exchangeCode, fetchAccessibleResources, fetchProfile } from '../../lib/atlassian/oauth';
import { scopesForConnect, siteHasProduct, type Product } from '../../lib/atlassian/products';
import { createConnection, replaceTokenFamily } from '../../lib/connections/store';
import { consentAndGetCode } from '../../lib/sandbox/client';
import { decryptSecret, type KeyRing } from '../../lib/tokens/crypto';
import { createTokenEngine, type TokenEngineOptions } from '../../lib/tokens/engine';
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

/** Reconnect: a new consent at the simulator replaces the connection's token family (same id). */
export async function reconnectViaSimulator(sql: Sql, simUrl: string, connectionId: string, email: string, product: Product = 'jira') {
  const code = await consentAndGetCode(simUrl, { email, scopes: scopesForConnect(product), redirectUri: REDIRECT });
  const tokens = await exchangeCode(oauthConfig(simUrl), code, REDIRECT);
  const api = { apiUrl: simUrl };
  const profile = await fetchProfile(api, tokens.accessToken);
  const sites = (await fetchAccessibleResources(api, tokens.accessToken)).filter((s) => siteHasProduct(s.scopes, product));
  return replaceTokenFamily({ sql, keys: TEST_KEYS, appUrl: APP_URL }, connectionId, { product, tokens, profile, sites });
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
