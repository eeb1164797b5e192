import postgres, { type Sql } from 'postgres';
import { PRODUCTS, type Product } from '../../lib/providers/registry';
import { scopesForConnect, type AtlassianProduct } from '../../lib/providers/atlassian/products';
import { createConnection, replaceTokenFamily } from '../../lib/connections/store';
import { providerFor } from '../../lib/providers';
import { productApps, type ProductApps } from '../../lib/providers/apps';
import { bitbucketConsentAndGetCode, BITBUCKET_SANDBOX_KEY, BITBUCKET_SANDBOX_SECRET } from '../../lib/providers/bitbucket/simulator/client';
import { consentAndGetCode } from '../../lib/providers/atlassian/simulator/client';
import { decryptSecret, type KeyRing } from '../../lib/crypto';
import { createTokenEngine, type TokenEngineOptions } from '../../lib/tokens/engine';
import { upsertUser } from '../../lib/users';
import { dbFor, driverOptions, type Executor } from '../../lib/db';

export const TEST_KEYS: KeyRing = { current: Buffer.alloc(32, 1), previous: [] };
export const APP_URL = 'http://localhost:3999';
const REDIRECT = `${APP_URL}/api/oauth/callback`;

export function oauthConfig(simUrl: string, timeoutMs = 5000) {
  return { authUrl: simUrl, clientId: 'reconnect-sandbox', clientSecret: 'sandbox-secret', timeoutMs };
}

/** Every product's app, all at the simulator (as in sandbox mode). */
export function simApps(simUrl: string, timeoutMs = 5000): ProductApps {
  return productApps(
    {
      atlassian: { authUrl: simUrl, apiUrl: simUrl, clientId: 'reconnect-sandbox', clientSecret: 'sandbox-secret' },
      bitbucket: { authUrl: simUrl, apiUrl: simUrl, clientId: BITBUCKET_SANDBOX_KEY, clientSecret: BITBUCKET_SANDBOX_SECRET },
      products: PRODUCTS,
    },
    { timeoutMs },
  );
}

/** A client on DATABASE_URL (or `url`); every statement unnamed when DATABASE_POOLER=transaction says it is a pooler's. */
export function testSql(max = 10, url = process.env.DATABASE_URL!): Sql {
  const pooled = url === process.env.DATABASE_URL && process.env.DATABASE_POOLER === 'transaction';
  return postgres(url, { ...driverOptions(pooled ? 'transaction' : undefined), max });
}

/** Consent at the simulator (Atlassian's or Bitbucket's), code exchange, identity and sites: a fresh grant. */
async function grantViaSimulator(simUrl: string, email: string, product: Product, scopes?: string[]) {
  const code =
    product === 'bitbucket'
      ? await bitbucketConsentAndGetCode(simUrl, { email, redirectUri: REDIRECT })
      : await consentAndGetCode(simUrl, { email, scopes: scopes ?? scopesForConnect(product as AtlassianProduct), redirectUri: REDIRECT });
  const provider = providerFor(product);
  const app = simApps(simUrl)(product)!;
  const tokens = await provider.exchangeCode(app, code, REDIRECT);
  const { profile, sites } = await provider.grantDetails(app, tokens.accessToken);
  return { product, tokens, profile, sites };
}

/**
 * A real connection: a fresh grant, stored like the app does, except that it records no provider account id.
 * Tests share one database and connect the same simulator people over and over; a person may have only one
 * live connection per product and account (connections_live_account_idx), and a connection whose account is
 * unknown is never "the same account". The connect flow (lib/flows/callback.ts) stores the account id.
 */
export async function connectViaSimulator(
  sql: Sql,
  simUrl: string,
  email: string,
  product: Product = 'jira',
  keys = TEST_KEYS,
  scopes?: string[],
) {
  const family = await grantViaSimulator(simUrl, email, product, scopes);
  const user = await upsertUser(dbFor(sql), email, family.profile.name, []);
  const id = await createConnection({ db: dbFor(sql), keys, appUrl: APP_URL }, user.id, { ...family, profile: { ...family.profile, accountId: null } });
  return { id, userId: user.id, tokens: family.tokens };
}

/** Reconnect: a new consent at the simulator replaces the connection's token family (same id; no account id, as above). */
export async function reconnectViaSimulator(sql: Sql, simUrl: string, connectionId: string, email: string, product: Product = 'jira') {
  const family = await grantViaSimulator(simUrl, email, product);
  return replaceTokenFamily({ db: dbFor(sql), keys: TEST_KEYS, appUrl: APP_URL }, connectionId, { ...family, profile: { ...family.profile, accountId: null } });
}

export function engineFor(sql: Sql, markerSql: Sql, simUrl: string, extra: Partial<TokenEngineOptions> = {}) {
  return engineOn(dbFor(sql), dbFor(markerSql), simUrl, extra);
}

/** The token engine on the given handles (e.g. the app's own: getDb and getMarkerDb), at the simulator. */
export function engineOn(db: Executor, markerDb: Executor, simUrl: string, extra: Partial<TokenEngineOptions> = {}) {
  return createTokenEngine({
    db,
    markerDb,
    apps: simApps(simUrl),
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

/** The environment the app's route modules read on first use: both providers on `simUrl`, the test keys. */
export function appEnv(simUrl: string): Record<string, string> {
  return {
    ATLASSIAN_AUTH_URL: simUrl,
    ATLASSIAN_API_URL: simUrl,
    BITBUCKET_AUTH_URL: simUrl,
    BITBUCKET_API_URL: simUrl,
    APP_URL,
    TOKEN_ENCRYPTION_KEY: TEST_KEYS.current.toString('base64'),
    AUTH_SECRET: 'test-secret-test-secret-test-secret',
  };
}
