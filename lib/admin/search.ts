// The free-text search: user email, Atlassian account email or name, site name (ILIKE '%text%').
//
// No single plan is fast for both a rare and a common term, so a probe first reads the matching rows of
// the trigram index scans, at most PROBE_ROWS of them (bounded work whatever the table's size):
// - narrow (the probe saw every match, ≤ NARROW_LIMIT connections): the matching ids are passed as a
//   list; the page and the exact counts read just those rows;
// - broad (more): the page tests each row along its sort index (matches are dense, so a page fills
//   after a short walk); the counts are a lower bound, over the connections the probe saw ("1,000+").
import { ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db';
import { connections, connectionSites, users } from '../db/schema';

export const NARROW_LIMIT = 1_000;
/** Rows the probe reads at most: a connection usually counts twice (its account email is its user's email). */
export const PROBE_ROWS = 3_000;

/** `seen`: the distinct connections among the probe's rows (a broad search's counts read only these). */
export type SearchScope = { kind: 'ids'; ids: string[] } | { kind: 'broad'; text: string; seen: string[] };

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

/** Probes the matches (at most `limits.probe` rows, in one query) and picks the plan. */
export async function resolveSearch(db: Executor, text: string, limits = { narrow: NARROW_LIMIT, probe: PROBE_ROWS }): Promise<SearchScope> {
  const m = matchingIds(db, containsPattern(text)).limit(limits.probe).as('m');
  const [probe] = await db.select({ n: sql<number>`count(*)::int`, ids: sql<string[] | null>`array_agg(distinct ${m.id})` }).from(m);
  const ids = probe!.ids ?? [];
  // A probe cut at its limit may have missed matches: only a complete one can be the exact list.
  if (probe!.n < limits.probe && ids.length <= limits.narrow) return { kind: 'ids', ids };
  return { kind: 'broad', text, seen: ids };
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

// Through array(select unnest(…)): the planner then reads the ids by primary key instead of weighing a
// walk over a whole index against a list of thousands.
export const idIn = (ids: string[]) => sql`${connections.id} = any(array(select unnest(${sql.param(ids)}::uuid[])))`;

/** The search as a condition over `connections`, for the page or for the counts. */
export function searchCondition(db: Executor, scope: SearchScope, use: 'page' | 'counts'): SQL {
  if (scope.kind === 'ids') return idIn(scope.ids);
  return use === 'counts' ? idIn(scope.seen) : rowMatches(db, containsPattern(scope.text));
}

