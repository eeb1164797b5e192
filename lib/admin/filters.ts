// WHERE conditions of the admin list and counts, over `connections c join users u`.
import type { PendingQuery, Row, Sql } from 'postgres';
import type { AdminQuery } from './params';
import { containsPattern, resolveSearch, searchCondition, type SearchScope } from './search';

export type Fragment = PendingQuery<Row[]>;

/** The query, with its free-text search resolved to a plan (lib/admin/search.ts). */
export interface AdminFilter {
  query: AdminQuery;
  search?: SearchScope;
}

export async function resolveFilter(sql: Sql, query: AdminQuery): Promise<AdminFilter> {
  return { query, search: query.q ? await resolveSearch(sql, query.q) : undefined };
}

export function and(sql: Sql, conditions: Fragment[]): Fragment {
  return conditions.length ? conditions.reduce((all, c) => sql`${all} and ${c}`) : sql`true`;
}

function siteCondition(sql: Sql, site: string): Fragment {
  return sql`exists (select 1 from connection_sites s where s.connection_id = c.id
    and (s.cloud_id = ${site} or s.name ilike ${containsPattern(site)}))`;
}

/** Whether the conditions read `u` (users): the counts join it only then. */
export function readsUsers({ query }: AdminFilter): boolean {
  return Boolean(query.owner);
}

/**
 * The filter's conditions, for the page or for the per-status counts. The page leaves disconnected
 * connections out unless that status is chosen (the SPEC hides them by default); the counts ignore
 * the status filter altogether.
 */
export function filterConditions(sql: Sql, { query, search }: AdminFilter, use: 'page' | 'counts'): Fragment[] {
  const conditions: Fragment[] = [];
  if (use === 'page') conditions.push(query.status ? sql`c.status = ${query.status}` : sql`c.status <> 'disconnected'`);
  if (query.product) conditions.push(sql`c.product = ${query.product}`);
  if (query.owner) conditions.push(sql`u.email ilike ${containsPattern(query.owner)}`);
  if (query.site) conditions.push(siteCondition(sql, query.site));
  if (search) conditions.push(searchCondition(sql, search, use));
  return conditions;
}
