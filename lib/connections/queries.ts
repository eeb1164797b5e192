import { and, asc, desc, eq, lt, ne, sql } from 'drizzle-orm';
import type { Executor } from '../db';
import { connectionEvents, connections, connectionSites, users } from '../db/schema';

export type SiteView = Pick<typeof connectionSites.$inferSelect, 'name' | 'url'> & { cloud_id: string };

/** The connection's sites as JSON, by name (one correlated subquery, read with the row). */
const s = connectionSites;
export const sitesJson = sql<SiteView[]>`coalesce((select json_agg(json_build_object('cloud_id', ${s.cloudId}, 'name', ${s.name}, 'url', ${s.url}) order by ${s.name})
  from ${s} where ${s.connectionId} = ${connections.id}), '[]')`;

// Token columns are never selected here: what leaves lib/ for a page or the API carries no secret.
// Read over `connections join users`.
export const VIEW_COLUMNS = {
  id: connections.id,
  product: connections.product,
  status: connections.status,
  reason: connections.reason,
  user_id: connections.userId,
  user_email: users.email,
  account_id: connections.accountId,
  account_name: connections.accountName,
  account_email: connections.accountEmail,
  scopes: connections.scopes,
  access_expires_at: connections.accessExpiresAt,
  last_refreshed_at: connections.lastRefreshedAt,
  last_used_at: connections.lastUsedAt,
  refresh_token_issued_at: connections.refreshTokenIssuedAt,
  consecutive_failures: connections.consecutiveFailures,
  consented_at: connections.consentedAt,
  renew_by: connections.renewBy,
  last_error_code: connections.lastErrorCode,
  next_refresh_at: connections.nextRefreshAt,
  token_generation: connections.tokenGeneration,
  created_at: connections.createdAt,
  updated_at: connections.updatedAt,
  sites: sitesJson,
};

/** Connections joined with their owner, selecting `columns`. */
export const selectViews = <T extends typeof VIEW_COLUMNS>(db: Executor, columns: T) =>
  db.select(columns).from(connections).innerJoin(users, eq(users.id, connections.userId));

export async function listUserConnections(db: Executor, userId: string) {
  return selectViews(db, VIEW_COLUMNS)
    .where(and(eq(connections.userId, userId), ne(connections.status, 'disconnected')))
    .orderBy(asc(connections.product), asc(connections.createdAt));
}

export type ConnectionView = Awaited<ReturnType<typeof listUserConnections>>[number];

export async function getConnectionView(db: Executor, id: string): Promise<ConnectionView | undefined> {
  const [row] = await selectViews(db, VIEW_COLUMNS).where(eq(connections.id, id));
  return row;
}

/** Newest first, keyset-paginated by id. */
export async function listEvents(db: Executor, connectionId: string, before?: number, limit = 50) {
  return db
    .select({
      id: connectionEvents.id,
      type: connectionEvents.type,
      code: connectionEvents.code,
      message: connectionEvents.message,
      token_generation: connectionEvents.tokenGeneration,
      created_at: connectionEvents.createdAt,
    })
    .from(connectionEvents)
    .where(and(eq(connectionEvents.connectionId, connectionId), before ? lt(connectionEvents.id, before) : undefined))
    .orderBy(desc(connectionEvents.id))
    .limit(limit);
}

export type EventView = Awaited<ReturnType<typeof listEvents>>[number];
