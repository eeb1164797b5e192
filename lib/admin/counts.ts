// Per-status counts for the filter chips (one grouped query) and the operator-error count for the banner.
import type { Sql } from 'postgres';
import { CONNECTION_STATUSES, type ConnectionStatus } from '../db/schema';
import { and, filterConditions, readsUsers, resolveFilter, type AdminFilter } from './filters';
import type { AdminQuery } from './params';

export type StatusCounts = Record<ConnectionStatus, number>;

/** Connections per status under the query's other filters (the status filter itself is ignored). */
export async function countByStatus(sql: Sql, queryOrFilter: AdminQuery | AdminFilter): Promise<StatusCounts> {
  const filter = 'query' in queryOrFilter ? queryOrFilter : await resolveFilter(sql, queryOrFilter);
  const users = readsUsers(filter) ? sql`join users u on u.id = c.user_id` : sql``;
  const rows = await sql<{ status: ConnectionStatus; count: number }[]>`
    select c.status, count(*)::int as count from connections c ${users}
    where ${and(sql, filterConditions(sql, filter, 'counts'))}
    group by c.status`;
  const counts = Object.fromEntries(CONNECTION_STATUSES.map((s) => [s, 0])) as StatusCounts;
  for (const row of rows) counts[row.status] = row.count;
  return counts;
}

/** Every connection but the disconnected ones: the "All" chip. */
export function countShown(counts: StatusCounts): number {
  return CONNECTION_STATUSES.filter((s) => s !== 'disconnected').reduce((sum, s) => sum + counts[s], 0);
}

/** Connections in `error` (Atlassian refused the app's client credentials), over all users. */
export async function countConfigurationErrors(sql: Sql): Promise<number> {
  const [{ count }] = await sql<{ count: number }[]>`select count(*)::int as count from connections where status = 'error'`;
  return count;
}
