// Per-status counts for the filter chips (one grouped query) and the operator-error count for the banner.
import { count, eq, sql } from 'drizzle-orm';
import type { SelectedFields } from 'drizzle-orm/pg-core';
import type { Executor } from '../db';
import { connections, CONNECTION_STATUSES, connectionStatusCounts as summary, users, type ConnectionStatus } from '../db/schema';
import { and, filterConditions, listsIds, probedOnly, readsUsers, renewSoonCondition, resolveFilter, type AdminFilter } from './filters';
import type { AdminQuery } from './params';
import type { SearchScope } from './search';

export type StatusCounts = Record<ConnectionStatus, number>;

// Counts whose numbers are lower bounds (a filtered view with more than the cap's matches): shown as "1,000+".
const lowerBounds = new WeakSet<StatusCounts>();

/** Whether `counts` are lower bounds rather than exact numbers. */
export const areLowerBounds = (counts: StatusCounts): boolean => lowerBounds.has(counts);

/** A filtered view counts at most this many matching connections: past it, the chips say "N+". */
export const COUNT_CAP = 1_000;

/**
 * Connections per status under the query's other filters (the status filter itself is ignored). Unfiltered:
 * the maintained summary, exact. Filtered: the first `cap` + 1 matching rows at most, so that a page load
 * does not count a large table; exact up to `cap`, lower bounds past it (and for a broad search or owner).
 */
export async function countByStatus(db: Executor, queryOrFilter: AdminQuery | AdminFilter, cap = COUNT_CAP): Promise<StatusCounts> {
  const filter = 'query' in queryOrFilter ? queryOrFilter : await resolveFilter(db, queryOrFilter);
  const probed = searchAlone(filter);
  if (probed) {
    const counts = { ...probed.statuses };
    if (probed.kind === 'broad') lowerBounds.add(counts);
    return counts;
  }
  const query = filteredCountsQuery(db, filter, cap);
  if (!query) return summedCounts(db);
  const counts = Object.fromEntries(CONNECTION_STATUSES.map((s) => [s, 0])) as StatusCounts;
  for (const row of await query) counts[row.status] = row.count;
  const capped = !listsIds(filter) && CONNECTION_STATUSES.some((s) => counts[s] > cap);
  if (capped || probedOnly(filter)) lowerBounds.add(counts);
  return counts;
}

/** A search with no other filter the counts apply: its probe already counted what it saw, per status. */
function searchAlone({ query, search, renewHorizon }: AdminFilter): SearchScope | undefined {
  return search && !query.product && !query.owner && !query.site && !renewHorizon ? search : undefined;
}

/**
 * The filtered counts' statement (not run; undefined when unfiltered), also what tests EXPLAIN. A search
 * or an owner is an id list (at most its probe's rows): counted whole. Other filters: each status
 * counted up to `cap` + 1 rows, one bounded index range per status.
 */
export function filteredCountsQuery(db: Executor, filter: AdminFilter, cap = COUNT_CAP): CountsStatement | undefined {
  const conditions = filterConditions(db, filter, 'counts');
  if (conditions.length === 0) return undefined;
  const from = <T extends SelectedFields>(fields: T) => {
    const base = db.select(fields).from(connections).$dynamic();
    return readsUsers(filter) ? base.innerJoin(users, eq(users.id, connections.userId)) : base;
  };
  if (listsIds(filter)) return from({ status: connections.status, count: count() }).where(and(conditions)).groupBy(connections.status);
  const [first, ...rest] = CONNECTION_STATUSES.map((status) => {
    const matching = from({ one: sql<number>`1` }).where(and([eq(connections.status, status), ...conditions])).limit(cap + 1).as(`m_${status}`);
    return db.select({ status: sql<ConnectionStatus>`${status}::text`.as('status'), count: count() }).from(matching).$dynamic();
  });
  return rest.reduce((all, next) => all.unionAll(next), first!);
}

type CountsStatement = PromiseLike<{ status: ConnectionStatus; count: number }[]> & { toSQL(): { sql: string; params: unknown[] } };

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

/** Live connections whose family ends by `horizon` (the "Renew soon" chip): one index range, capped like the filtered counts. */
export async function countRenewSoon(db: Executor, horizon: Date, cap = COUNT_CAP): Promise<{ count: number; atLeast: boolean }> {
  const matching = db.select({ one: sql<number>`1` }).from(connections).where(renewSoonCondition(horizon)).limit(cap + 1).as('m');
  const [row] = await db.select({ count: count() }).from(matching);
  return { count: Math.min(row!.count, cap), atLeast: row!.count > cap };
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
