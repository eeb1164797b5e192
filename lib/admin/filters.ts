// WHERE conditions of the admin list and counts, over `connections join users`.
import { and as both, eq, inArray, ne, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db';
import { connections } from '../db/schema';
import type { AdminQuery } from './params';
import { ownerCondition, resolveOwner, type OwnerScope } from './owner';
import { resolveSite, siteCondition, type SiteScope } from './site';
import { resolveSearch, searchCondition, type SearchScope } from './search';

/** The query, with its free-text search and owner filter resolved to plans (lib/admin/search.ts, owner.ts). */
export interface AdminFilter {
  query: AdminQuery;
  search?: SearchScope;
  /** When absent (a filter built by hand), the owner's email is tested on each row's joined user. */
  owner?: OwnerScope;
  site?: SiteScope;
  /** `renew=soon`: the end of the renewal window (now + RENEW_WARNING_DAYS). */
  renewHorizon?: Date;
}

export async function resolveFilter(db: Executor, query: AdminQuery, renewHorizon?: Date): Promise<AdminFilter> {
  const [search, owner, site] = await Promise.all([
    query.q ? resolveSearch(db, query.q) : undefined,
    query.owner ? resolveOwner(db, query.owner) : undefined,
    query.site ? resolveSite(db, query.site) : undefined,
  ]);
  return { query, search, owner, site, renewHorizon: query.renew ? renewHorizon : undefined };
}

/** Whether the counts read an id list (a search's or an owner's probe): one grouped count of those rows. */
export function listsIds({ search, owner }: AdminFilter): boolean {
  return Boolean(search || owner);
}

/** Live connections whose family ends by `horizon` (the "Renew soon" chip and filter); the expression of connections_renew_by_idx. */
export function renewSoonCondition(horizon: Date): SQL {
  return both(sql`coalesce(${connections.renewBy}, 'infinity'::timestamptz) <= ${horizon.toISOString()}::timestamptz`, inArray(connections.status, ['active', 'degraded']))!;
}

/** Whether the counts are those of what a probe saw, not of every match: lower bounds. */
export function probedOnly({ search, owner }: AdminFilter): boolean {
  return search?.kind === 'broad' || owner?.kind === 'broad';
}

/** All the conditions (true when there are none). */
export function and(conditions: SQL[]): SQL {
  return conditions.length ? both(...conditions)! : sql`true`;
}

/** Whether the conditions read `users`: the counts join it only then. */
export function readsUsers({ query, owner }: AdminFilter): boolean {
  return Boolean(query.owner) && !owner;
}

/**
 * The filter's conditions, for the page or for the per-status counts. The page leaves disconnected
 * connections out unless that status is chosen (hidden by default); the counts ignore
 * the status filter altogether.
 */
export function filterConditions(db: Executor, { query, search, owner, site, renewHorizon }: AdminFilter, use: 'page' | 'counts'): SQL[] {
  const conditions: SQL[] = [];
  if (use === 'page') conditions.push(query.status ? eq(connections.status, query.status) : ne(connections.status, 'disconnected'));
  if (query.product) conditions.push(eq(connections.product, query.product));
  if (query.owner) conditions.push(ownerCondition(db, query.owner, owner, use));
  if (query.site) conditions.push(siteCondition(db, query.site, site, use));
  if (search) conditions.push(searchCondition(db, search, use));
  if (renewHorizon) conditions.push(renewSoonCondition(renewHorizon));
  return conditions;
}
