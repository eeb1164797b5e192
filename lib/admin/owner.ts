// The owner filter (part of the owner's email). Like the search (lib/admin/search.ts), a probe first reads
// the matching connections through the matching users (trigram index, then connections_user_idx), at most
// NARROW_LIMIT + 1 of them, so that a page load does bounded work whatever the table's size:
// - narrow (every match seen): the matching ids are passed as a list; the page and the exact counts read
//   just those rows, instead of walking each status's rows in search of a few owners' connections;
// - broad (more): the page tests rows along its sort index (matches are dense, a page fills after a short
//   walk); the counts are a lower bound, over the connections the probe saw ("1,000+").
import { ilike, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db';
import { connections, users } from '../db/schema';
import { containsPattern, idIn, NARROW_LIMIT } from './search';

/** `seen`: the connections the probe read (a broad owner's counts read only these). */
export type OwnerScope = { kind: 'ids'; ids: string[] } | { kind: 'broad'; seen: string[] };

/** Ids of the users whose email matches (few: read once into an array). */
const matchingUsers = (db: Executor, p: string) => db.select({ id: users.id }).from(users).where(ilike(users.email, p));

/** The probe's statement (not run): also what tests EXPLAIN. */
export function ownerProbeQuery(db: Executor, text: string, limit = NARROW_LIMIT) {
  const m = db
    .select({ id: connections.id })
    .from(connections)
    .where(sql`${connections.userId} = any(array(${matchingUsers(db, containsPattern(text))}))`)
    .limit(limit + 1)
    .as('m');
  return db.select({ ids: sql<string[] | null>`array_agg(${m.id})` }).from(m);
}

/** Probes the owner's connections (at most `limit` + 1, in one query) and picks the plan. */
export async function resolveOwner(db: Executor, text: string, limit = NARROW_LIMIT): Promise<OwnerScope> {
  const [probe] = await ownerProbeQuery(db, text, limit);
  const ids = probe!.ids ?? [];
  return ids.length <= limit ? { kind: 'ids', ids } : { kind: 'broad', seen: ids };
}

/**
 * The owner filter as a condition over `connections` (and `users`, when unresolved). Broad, for the page: a
 * hashed set of the matching users tested row by row; `or false` keeps the planner from turning it into a
 * join that would read every matching user's connections before sorting them.
 */
export function ownerCondition(db: Executor, text: string, scope: OwnerScope | undefined, use: 'page' | 'counts'): SQL {
  if (!scope) return ilike(users.email, containsPattern(text));
  if (scope.kind === 'ids') return idIn(scope.ids);
  if (use === 'counts') return idIn(scope.seen);
  return sql`(${connections.userId} in (${matchingUsers(db, containsPattern(text))}) or false)`;
}
