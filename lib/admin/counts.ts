// Per-status counts for the filter chips (one grouped query) and the operator-error count for the banner.
import { count, eq, sql } from 'drizzle-orm';
import type { Executor } from '../db';
import { connections, CONNECTION_STATUSES, connectionStatusCounts as summary, users, type ConnectionStatus } from '../db/schema';
import { and, filterConditions, readsUsers, resolveFilter, type AdminFilter } from './filters';
import type { AdminQuery } from './params';

export type StatusCounts = Record<ConnectionStatus, number>;

/** Connections per status under the query's other filters (the status filter itself is ignored). */
export async function countByStatus(db: Executor, queryOrFilter: AdminQuery | AdminFilter): Promise<StatusCounts> {
  const filter = 'query' in queryOrFilter ? queryOrFilter : await resolveFilter(db, queryOrFilter);
  if (filterConditions(db, filter, 'counts').length === 0) return summedCounts(db);
  const base = db.select({ status: connections.status, count: count() }).from(connections).$dynamic();
  const joined = readsUsers(filter) ? base.innerJoin(users, eq(users.id, connections.userId)) : base;
  const rows = await joined.where(and(filterConditions(db, filter, 'counts'))).groupBy(connections.status);
  const counts = Object.fromEntries(CONNECTION_STATUSES.map((s) => [s, 0])) as StatusCounts;
  for (const row of rows) counts[row.status] = row.count;
  return counts;
}

/** Unfiltered: the maintained summary (a few rows), not a count of the connections. */
async function summedCounts(db: Executor): Promise<StatusCounts> {
  const rows = await db
    .select({ status: summary.status, count: sql<number>`sum(${summary.count})::int` })
    .from(summary)
    .groupBy(summary.status);
  const counts = Object.fromEntries(CONNECTION_STATUSES.map((s) => [s, 0])) as StatusCounts;
  for (const row of rows) counts[row.status] = row.count;
  return counts;
}

/** Every connection but the disconnected ones: the "All" chip. */
export function countShown(counts: StatusCounts): number {
  return CONNECTION_STATUSES.filter((s) => s !== 'disconnected').reduce((sum, s) => sum + counts[s], 0);
}

/** Connections in `error` (Atlassian refused the app's client credentials), over all users. */
export async function countConfigurationErrors(db: Executor): Promise<number> {
  const [row] = await db
    .select({ count: sql<number>`coalesce(sum(${summary.count}), 0)::int` })
    .from(summary)
    .where(eq(summary.status, 'error'));
  return row!.count;
}
