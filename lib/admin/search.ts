// The free-text search: user email, Atlassian account email or name, site name (ILIKE '%text%').
//
// No single plan is fast for both a rare and a common term, so a probe first counts the matching rows
// of the trigram index scans (stopping at a cap), and each query then takes the fitting form:
// - narrow (≤ NARROW_LIMIT matches): the matching ids, read once from the trigram GIN indexes, are
//   passed as a list; the page and the counts read just those rows;
// - broad: the page tests each row along its sort index (matches are dense, so a page fills after a
//   short walk); the counts join the id set from the trigram indexes (cost grows with the matches);
// - huge (> HUGE_LIMIT probe rows): the counts too test every row, a single pass over the table
//   being cheaper than building an id set of most of it.
import { ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db';
import { connections, connectionSites, users } from '../db/schema';

export const NARROW_LIMIT = 1_000;
/** In probe rows: a connection usually counts twice (its account email is its user's email). */
export const HUGE_LIMIT = 40_000;

export type SearchScope = { kind: 'ids'; ids: string[] } | { kind: 'broad' | 'huge'; text: string };

/** `%text%` for ILIKE, with the user's own % and _ taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}

/** Ids of the users whose email matches (few: read once into an array). */
const matchingUsers = (db: Executor, p: string) => db.select({ id: users.id }).from(users).where(ilike(users.email, p));

/** Ids of the connections matching the pattern (with repeats), one trigram index scan per field. */
function matchingIds(db: Executor, p: string) {
  return db
    .select({ id: connections.id })
    .from(connections)
    .where(or(ilike(connections.accountEmail, p), ilike(connections.accountName, p)))
    .unionAll(
      db
        .select({ id: connections.id })
        .from(connections)
        .where(sql`${connections.userId} = any(array(${matchingUsers(db, p)}))`),
    )
    .unionAll(db.select({ id: connectionSites.connectionId }).from(connectionSites).where(ilike(connectionSites.name, p)));
}

/** Probes how many connections match (counting at most `huge` + 1 rows, in one query) and picks the plan. */
export async function resolveSearch(db: Executor, text: string, limits = { narrow: NARROW_LIMIT, huge: HUGE_LIMIT }): Promise<SearchScope> {
  const m = matchingIds(db, containsPattern(text)).limit(limits.huge + 1).as('m');
  const [probe] = await db
    .select({ n: sql<number>`count(*)::int`, ids: sql<string[] | null>`(array_agg(${m.id}))[1:${sql.raw(String(limits.narrow + 1))}]` })
    .from(m);
  if (probe!.n <= limits.narrow) return { kind: 'ids', ids: [...new Set(probe!.ids ?? [])] };
  return { kind: probe!.n > limits.huge ? 'huge' : 'broad', text };
}

/**
 * Tested row by row. The user and site parts are hashed sets built once (users are few; sites match
 * a term far less often than connections do), and come first so that a common term short-circuits the
 * two ILIKEs on the row itself.
 */
function rowMatches(db: Executor, p: string): SQL {
  const sites = db.select({ id: connectionSites.connectionId }).from(connectionSites).where(ilike(connectionSites.name, p));
  return or(
    inArray(connections.userId, matchingUsers(db, p)),
    inArray(connections.id, sites),
    ilike(connections.accountEmail, p),
    ilike(connections.accountName, p),
  )!;
}

/** The search as a condition over `connections`, for the page or for the counts. */
export function searchCondition(db: Executor, scope: SearchScope, use: 'page' | 'counts'): SQL {
  if (scope.kind === 'ids') return sql`${connections.id} = any(${sql.param(scope.ids)}::uuid[])`;
  const p = containsPattern(scope.text);
  if (use === 'counts' && scope.kind === 'broad') return inArray(connections.id, matchingIds(db, p));
  return rowMatches(db, p);
}

