import { and, asc, eq, ne, sql } from 'drizzle-orm';
import { callProductApi, type TokenSource } from '../providers/product-api';
import { productLabel } from '../providers/registry';
import type { Executor } from '../db';
import { connections, connectionSites } from '../db/schema';
import { providerFor } from '../providers';
import type { ProductApps } from '../providers/apps';
import { ConnectionUnavailableError } from './errors';
import { recordTransition } from './transitions';
import { recordEvent } from './events';

export interface TestResult {
  ok: boolean;
  message: string;
}

// Worded for the provider that issued the tokens ("Atlassian", "Bitbucket").
const UNAVAILABLE_MESSAGE: Record<string, (issuer: string) => string> = {
  needs_reauth: () => 'needs a reconnect before it can work again',
  configuration_error: (p) => `cannot refresh: ${p} rejected the app credentials (contact your admin)`,
  temporarily_unavailable: (p) => `could not get a token: ${p} is temporarily unavailable`,
  not_found: () => 'no longer exists',
};

/** Calls the product's identity endpoint (on the connection's first site) and records the outcome. */
export async function testConnection(db: Executor, api: { apps: ProductApps; tokens: TokenSource }, id: string): Promise<TestResult> {
  const [found] = await db.select({ product: connections.product }).from(connections).where(eq(connections.id, id));
  const [site] = found
    ? await db
        .select({ cloudId: connectionSites.cloudId, name: connectionSites.name })
        .from(connectionSites)
        .where(eq(connectionSites.connectionId, id))
        .orderBy(asc(connectionSites.name))
        .limit(1)
    : [];
  if (!found || !site) return { ok: false, message: 'This connection has no site to test.' };
  const conn = { product: found.product, cloud_id: site.cloudId, name: site.name };
  const label = productLabel(conn.product);
  let result: TestResult & { status?: number; code?: string };
  try {
    const identity = providerFor(conn.product).identityPath(conn.cloud_id);
    const res = await callProductApi(api, { connectionId: id, product: conn.product, cloudId: identity.site, path: identity.path });
    const ok = res.ok;
    result = { ok, status: res.status, message: ok ? `${label} answered on ${conn.name}: the connection works.` : `${label} answered ${res.status} on ${conn.name}.` };
  } catch (err) {
    if (!(err instanceof ConnectionUnavailableError)) throw err;
    const why = UNAVAILABLE_MESSAGE[err.code]?.(providerFor(conn.product).issuerName) ?? err.code;
    result = { ok: false, code: err.code, message: `The connection ${why}.` };
  }
  await recordEvent(db, id, { type: 'test', code: result.ok ? 'ok' : (result.code ?? `http_${result.status}`), message: result.message });
  return { ok: result.ok, message: result.message };
}

/** Removes the connection's tokens for good; history stays, consumers are told. */
export async function disconnectConnection(db: Executor, appUrl: string, id: string, by: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const rows = await tx
      .update(connections)
      .set({
        status: 'disconnected',
        reason: null,
        accessTokenEnc: null,
        refreshTokenEnc: null,
        nextRefreshAt: null,
        disconnectedAt: sql`now()`,
        updatedAt: sql`now()`,
      })
      .where(and(eq(connections.id, id), ne(connections.status, 'disconnected')))
      .returning({ id: connections.id });
    if (rows.length === 0) return false;
    await recordTransition(tx, { type: 'deleted', connectionId: id, appUrl, event: { data: { by } } });
    return true;
  });
}
