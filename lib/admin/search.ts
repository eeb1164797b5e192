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
import type { Sql } from 'postgres';
import type { Fragment } from './filters';

export const NARROW_LIMIT = 1_000;
/** In probe rows: a connection usually counts twice (its account email is its user's email). */
export const HUGE_LIMIT = 40_000;

export type SearchScope = { kind: 'ids'; ids: string[] } | { kind: 'broad' | 'huge'; text: string };

/** `%text%` for ILIKE, with the user's own % and _ taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}

/** Ids of the connections matching the pattern (with repeats), one trigram index scan per field. */
function matchingIds(sql: Sql, p: string): Fragment {
  return sql`
    select id from connections where account_email ilike ${p} or account_name ilike ${p}
    union all
    select id from connections where user_id = any(array(select id from users where email ilike ${p}))
    union all
    select connection_id from connection_sites where name ilike ${p}`;
}

/** Probes how many connections match (counting at most `huge` + 1 rows, in one query) and picks the plan. */
export async function resolveSearch(sql: Sql, text: string, limits = { narrow: NARROW_LIMIT, huge: HUGE_LIMIT }): Promise<SearchScope> {
  const [probe] = await sql<{ n: number; ids: string[] | null }[]>`
    select count(*)::int as n, (array_agg(id))[1:${limits.narrow + 1}] as ids
    from (${matchingIds(sql, containsPattern(text))} limit ${limits.huge + 1}) m`;
  if (probe!.n <= limits.narrow) return { kind: 'ids', ids: [...new Set(probe!.ids ?? [])] };
  return { kind: probe!.n > limits.huge ? 'huge' : 'broad', text };
}

/**
 * Tested row by row. The user and site parts are hashed sets built once (users are few; sites match
 * a term far less often than connections do), and come first so that a common term short-circuits the
 * two ILIKEs on the row itself.
 */
function rowMatches(sql: Sql, p: string): Fragment {
  return sql`(c.user_id in (select id from users where email ilike ${p})
    or c.id in (select connection_id from connection_sites where name ilike ${p})
    or c.account_email ilike ${p} or c.account_name ilike ${p})`;
}

/** The search as a condition over `connections c`, for the page or for the counts. */
export function searchCondition(sql: Sql, scope: SearchScope, use: 'page' | 'counts'): Fragment {
  if (scope.kind === 'ids') return sql`c.id = any(${scope.ids}::uuid[])`;
  const p = containsPattern(scope.text);
  if (use === 'counts' && scope.kind === 'broad') return sql`c.id in (${matchingIds(sql, p)})`;
  return rowMatches(sql, p);
}
