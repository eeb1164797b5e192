import { asc, desc, eq, inArray, ne } from 'drizzle-orm';
import { getDb } from '../db';
import { connections, connectionSites, users } from '../db/schema';

export interface ConnectionSummary {
  id: string;
  product: 'jira' | 'confluence';
  status: string;
  reason: string | null;
  userEmail: string;
  accountName: string | null;
  scopes: string[];
  accessExpiresAt: Date | null;
  lastRefreshedAt: Date | null;
  sites: { cloudId: string; name: string; url: string }[];
}

// Token columns are never selected here: what leaves lib/ for a page or API carries no secret.
const summaryColumns = {
  id: connections.id,
  product: connections.product,
  status: connections.status,
  reason: connections.reason,
  userEmail: users.email,
  accountName: connections.accountName,
  scopes: connections.scopes,
  accessExpiresAt: connections.accessExpiresAt,
  lastRefreshedAt: connections.lastRefreshedAt,
};

export async function listConnections(limit = 50): Promise<ConnectionSummary[]> {
  const db = getDb();
  const rows = await db
    .select(summaryColumns)
    .from(connections)
    .innerJoin(users, eq(users.id, connections.userId))
    .where(ne(connections.status, 'disconnected'))
    .orderBy(desc(connections.createdAt))
    .limit(limit);
  const sites = rows.length
    ? await db
        .select()
        .from(connectionSites)
        .where(inArray(connectionSites.connectionId, rows.map((r) => r.id)))
        .orderBy(asc(connectionSites.name))
    : [];
  return rows.map((r) => ({
    ...r,
    sites: sites.filter((s) => s.connectionId === r.id).map(({ cloudId, name, url }) => ({ cloudId, name, url })),
  }));
}
