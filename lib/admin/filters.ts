// WHERE conditions of the admin list and counts, over `connections join users`.
import { and as both, eq, exists, ilike, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db';
import { connections, connectionSites } from '../db/schema';
import type { AdminQuery } from './params';
import { ownerCondition, resolveOwner, type OwnerScope } from './owner';
import { containsPattern, resolveSearch, searchCondition, type SearchScope } from './search';

/** The query, with its free-text search and owner filter resolved to plans (lib/admin/search.ts, owner.ts). */
export interface AdminFilter {
  query: AdminQuery;
  search?: SearchScope;
  /** When absent (a filter built by hand), the owner's email is tested on each row's joined user. */
  owner?: OwnerScope;
}

export async function resolveFilter(db: Executor, query: AdminQuery): Promise<AdminFilter> {
  const [search, owner] = await Promise.all([
    query.q ? resolveSearch(db, query.q) : undefined,
    query.owner ? resolveOwner(db, query.owner) : undefined,
  ]);
  return { query, search, owner };
}

/** Whether the counts read an id list (a search's or an owner's probe): one grouped count of those rows. */
export function listsIds({ search, owner }: AdminFilter): boolean {
  return Boolean(search || owner);
}

/** Whether the counts are those of what a probe saw, not of every match: lower bounds. */
export function probedOnly({ search, owner }: AdminFilter): boolean {
  return search?.kind === 'broad' || owner?.kind === 'broad';
}

/** All the conditions (true when there are none). */
export function and(conditions: SQL[]): SQL {
  return conditions.length ? both(...conditions)! : sql`true`;
}

function siteCondition(db: Executor, site: string, use: 'page' | 'counts'): SQL {
  const matches = or(eq(connectionSites.cloudId, site), ilike(connectionSites.name, containsPattern(site)));
  // The counts start from the matching sites (read once, by index), not from a walk over every connection.
  if (use === 'counts') return sql`${connections.id} = any(array(${db.select({ id: connectionSites.connectionId }).from(connectionSites).where(matches)}))`;
  return exists(db.select({ one: sql`1` }).from(connectionSites).where(both(eq(connectionSites.connectionId, connections.id), matches)));
}

/** Whether the conditions read `users`: the counts join it only then. */
export function readsUsers({ query, owner }: AdminFilter): boolean {
  return Boolean(query.owner) && !owner;
}

/**
 * The filter's conditions, for the page or for the per-status counts. The page leaves disconnected
 * connections out unless that status is chosen (the SPEC hides them by default); the counts ignore
 * the status filter altogether.
 */
export function filterConditions(db: Executor, { query, search, owner }: AdminFilter, use: 'page' | 'counts'): SQL[] {
  const conditions: SQL[] = [];
  if (use === 'page') conditions.push(query.status ? eq(connections.status, query.status) : ne(connections.status, 'disconnected'));
  if (query.product) conditions.push(eq(connections.product, query.product));
  if (query.owner) conditions.push(ownerCondition(db, query.owner, owner, use));
  if (query.site) conditions.push(siteCondition(db, query.site, use));
  if (search) conditions.push(searchCondition(db, search, use));
  return conditions;
}
