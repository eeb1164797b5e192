// The site filter (a cloud id, or part of a site name). A probe first reads the matching sites' connections
// (cloud id index, trigram index), at most NARROW_LIMIT + 1 of them: when it saw them all, the page reads
// just those connections by primary key; otherwise the page tests each row's sites along its sort index
// (never a join of every matching site against every connection).
import { eq, exists, ilike, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db';
import { connections, connectionSites } from '../db/schema';
import { containsPattern, idIn, NARROW_LIMIT } from './search';

export type SiteScope = { kind: 'ids'; ids: string[] } | { kind: 'broad' };

const siteMatches = (site: string) => or(eq(connectionSites.cloudId, site), ilike(connectionSites.name, containsPattern(site)))!;

export async function resolveSite(db: Executor, site: string, limit = NARROW_LIMIT): Promise<SiteScope> {
  const m = db.select({ id: connectionSites.connectionId }).from(connectionSites).where(siteMatches(site)).limit(limit + 1).as('m');
  const [probe] = await db.select({ n: sql<number>`count(*)::int`, ids: sql<string[] | null>`array_agg(distinct ${m.id})` }).from(m);
  return probe!.n <= limit ? { kind: 'ids', ids: probe!.ids ?? [] } : { kind: 'broad' };
}

/**
 * The site filter as a condition over `connections`. The counts start from the matching sites (read once, by
 * index), not from a walk over every connection. The page: the probe's ids, or each row's own sites (`or false`
 * keeps the planner from turning the test into a join over every matching site).
 */
export function siteCondition(db: Executor, site: string, scope: SiteScope | undefined, use: 'page' | 'counts'): SQL {
  if (use === 'counts') return sql`${connections.id} = any(array(${db.select({ id: connectionSites.connectionId }).from(connectionSites).where(siteMatches(site))}))`;
  if (scope?.kind === 'ids') return idIn(scope.ids);
  const own = exists(db.select({ one: sql`1` }).from(connectionSites).where(sql`${connectionSites.connectionId} = ${connections.id} and ${siteMatches(site)}`));
  return scope ? sql`(${own} or false)` : own;
}
