// The free-text search: user email, Atlassian account email or name, site name (ILIKE '%text%').
//
// No single plan is fast for both a rare and a common term, so a probe first reads matching rows, in a
// bounded amount whatever the table's size. Its first query reads the matching users' connections, user by
// user, from an index alone, and stops past NARROW_LIMIT: a common term is known to be broad without the
// second query (the connections' own fields and their sites), whose trigram bitmap scans would first
// collect every match.
// - narrow (the probe saw every match, ≤ NARROW_LIMIT connections): the matching ids are passed as a
//   list; the page reads just those rows, and the counts are exact;
// - broad (more): the page tests each row along its sort index (matches are dense, so a page fills
//   after a short walk); the counts are a lower bound, over the connections the probe saw ("1,000+").
// The counts of a search alone come from the probe's own rows (their statuses): no second read.
import { eq, ilike, inArray, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db';
import { connections, connectionSites, CONNECTION_STATUSES, users, type ConnectionStatus } from '../db/schema';

export const NARROW_LIMIT = 1_000;
/** Rows the probe reads at most: a connection usually counts twice (its account email is its user's email). */
export const PROBE_ROWS = 3_000;

/** Matching connections per status, among those the probe saw (all of them when narrow). */
export type ProbedStatuses = Record<ConnectionStatus, number>;

/** `seen`: the distinct connections among the probe's rows (a broad search's counts read only these). */
export type SearchScope =
  | { kind: 'ids'; ids: string[]; statuses: ProbedStatuses }
  | { kind: 'broad'; text: string; seen: string[]; statuses: ProbedStatuses };

/** `%text%` for ILIKE, with the user's own % and _ taken literally. */
export function containsPattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, '\\$&')}%`;
}

/** Ids of the users whose email matches (few: read once into an array). */
const matchingUsers = (db: Executor, p: string) => db.select({ id: users.id }).from(users).where(ilike(users.email, p));

const row = { id: connections.id, status: connections.status };

/**
 * The matching users' connections, user by user (a lateral read of connections_user_idx, which includes each
 * connection's id and status: the index alone): a common term fills the probe from its first users. The
 * inner limit (no user gives more than the probe takes) keeps the planner from turning it into a join that
 * hashes every matching user and walks all connections.
 */
function ownersPart(db: Executor, p: string, limit: number) {
  const own = db.select(row).from(connections).where(sql`${connections.userId} = ${users.id}`).limit(limit).as('own');
  return db.select({ id: own.id, status: own.status }).from(users).crossJoinLateral(own).where(ilike(users.email, p));
}

/** The connections matching on their own account fields or their sites (with repeats). */
const othersPart = (db: Executor, p: string) =>
  db
    .select(row)
    .from(connections)
    .where(or(ilike(connections.accountEmail, p), ilike(connections.accountName, p)))
    .unionAll(
      db
        .select(row)
        .from(connectionSites)
        .innerJoin(connections, eq(connections.id, connectionSites.connectionId))
        .where(ilike(connectionSites.name, p)),
    );

/**
 * The probe's two statements (not run; also what tests EXPLAIN): the owners' part, then, only when it found
 * at most the narrow limit, the other parts for the rest of the probe's rows.
 */
export function searchProbeQueries(db: Executor, text: string) {
  const p = containsPattern(text);
  const rows = (part: ReturnType<typeof ownersPart> | ReturnType<typeof othersPart>, limit: number) => {
    const m = part.limit(limit).as('m');
    return db.select({ ids: sql<string[] | null>`array_agg(${m.id})`, statuses: sql<ConnectionStatus[] | null>`array_agg(${m.status})` }).from(m);
  };
  return { owners: (limit: number) => rows(ownersPart(db, p, limit), limit), others: (limit: number) => rows(othersPart(db, p), limit) };
}

/** Probes the matches (at most `limits.probe` rows, in one or two queries) and picks the plan. */
export async function resolveSearch(db: Executor, text: string, limits = { narrow: NARROW_LIMIT, probe: PROBE_ROWS }): Promise<SearchScope> {
  const probe = searchProbeQueries(db, text);
  // The owners' part lists each connection once: past the narrow limit, the search is broad already.
  const [owners] = await probe.owners(limits.narrow + 1);
  const ids = owners!.ids ?? [];
  const statuses = owners!.statuses ?? [];
  if (ids.length <= limits.narrow) {
    const [others] = await probe.others(limits.probe - ids.length);
    ids.push(...(others!.ids ?? []));
    statuses.push(...(others!.statuses ?? []));
  }
  const seen = new Map<string, ConnectionStatus>(ids.map((id, i) => [id, statuses[i]!]));
  const counts = Object.fromEntries(CONNECTION_STATUSES.map((s) => [s, 0])) as ProbedStatuses;
  for (const status of seen.values()) counts[status]++;
  // A probe cut at a limit may have missed matches: only a complete one can be the exact list.
  if (ids.length < limits.probe && seen.size <= limits.narrow) return { kind: 'ids', ids: [...seen.keys()], statuses: counts };
  return { kind: 'broad', text, seen: [...seen.keys()], statuses: counts };
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

