// One page of the admin list: one query, keyset-paginated, with each row's sites aggregated for the
// page's rows only. Token columns are never selected.
import { eq, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db';
import { connections, connectionSites, users } from '../db/schema';
import { decodeCursor, encodeCursor, type Cursor } from './cursor';
import { and, filterConditions, readsUsers, resolveFilter, type AdminFilter } from './filters';
import type { AdminQuery, SortDirection } from './params';
import { COVERED_SORT, SORT_KEYS } from './sorts';

export const ADMIN_PAGE_SIZE = 50;

const flip = (dir: SortDirection): SortDirection => (dir === 'asc' ? 'desc' : 'asc');

function keyExprs(query: AdminQuery): SQL[] {
  return [...SORT_KEYS[query.sort].map((k) => k.expr), sql`${connections.id}`];
}

const cs = connectionSites;
const list = (parts: SQL[]) => sql.join(parts, sql`, `);

/**
 * Rows after the cursor in `dir` order: `(keys…, id) > (values…)` (`<` when descending), and the
 * leading key alone (`>=`), which lets an index range-scan it even when it lives in another table.
 */
function keysetCondition(query: AdminQuery, cursor: Cursor, dir: SortDirection): SQL {
  const exprs = keyExprs(query);
  const types = [...SORT_KEYS[query.sort].map((k) => k.type), 'uuid'];
  // Sent as text and cast by Postgres: a timestamptz parameter would go through a JS Date (milliseconds).
  const values = cursor.values.map((v, i) => sql`${v}::text::${sql.raw(types[i]!)}`);
  const [after, from] = dir === 'asc' ? ['>', '>='] : ['<', '<='];
  return sql`(${list(exprs)}) ${sql.raw(after)} (${list(values)}) and ${exprs[0]!} ${sql.raw(from)} ${values[0]!}`;
}

const orderBy = (exprs: SQL[], dir: SortDirection) => exprs.map((e) => sql`${e} ${sql.raw(dir)}`);

/** The page's columns; the sites are aggregated after the limit, for the page's rows only. */
const pageColumns = (exprs: SQL[]) => ({
  id: connections.id,
  product: connections.product,
  status: connections.status,
  reason: connections.reason,
  last_error_code: connections.lastErrorCode,
  user_email: users.email,
  account_name: connections.accountName,
  account_email: connections.accountEmail,
  last_refreshed_at: connections.lastRefreshedAt,
  access_expires_at: connections.accessExpiresAt,
  consecutive_failures: connections.consecutiveFailures,
  created_at: connections.createdAt,
  updated_at: connections.updatedAt,
  // Each key as Postgres prints it, so that a cursor loses no precision.
  cursor_values: sql<string[]>`array[${list(exprs.map((e) => sql`(${e})::text`))}]`,
  sites: sql<{ cloud_id: string; name: string }[]>`coalesce((select json_agg(json_build_object('cloud_id', ${cs.cloudId}, 'name', ${cs.name}) order by ${cs.name})
    from ${cs} where ${cs.connectionId} = ${connections.id}), '[]')`,
});

/**
 * The page's statement (not run): also what tests EXPLAIN to check that an index serves it. A broad search
 * tests thousands of rows along the sort index for a page's fifty: in the default order it picks the page's
 * ids first, from the columns connections_updated_idx includes (an index-only walk, not a table read per
 * tested row), then reads those rows.
 */
export function pageQuery(db: Executor, filter: AdminFilter, cursor: Cursor | undefined, dir: SortDirection, limit: number) {
  const { query } = filter;
  const exprs = keyExprs(query);
  const conditions = filterConditions(db, filter, 'page');
  if (cursor) conditions.push(keysetCondition(query, cursor, dir));
  if (filter.search?.kind === 'broad' && query.sort === COVERED_SORT && !readsUsers(filter)) {
    const keys = db.select({ id: connections.id }).from(connections).where(and(conditions)).orderBy(...orderBy(exprs, dir)).limit(limit).as('k');
    return db
      .select(pageColumns(exprs))
      .from(keys)
      .innerJoin(connections, eq(connections.id, keys.id))
      .innerJoin(users, eq(users.id, connections.userId))
      .orderBy(...orderBy(exprs, dir))
      .limit(limit);
  }
  return db
    .select(pageColumns(exprs))
    .from(connections)
    .innerJoin(users, eq(users.id, connections.userId))
    .where(and(conditions))
    .orderBy(...orderBy(exprs, dir))
    .limit(limit);
}

const selectPage = async (...args: Parameters<typeof pageQuery>) => pageQuery(...args);

type PageRow = Awaited<ReturnType<typeof selectPage>>[number];
export type AdminConnectionRow = Omit<PageRow, 'cursor_values'>;

export interface AdminConnectionPage {
  rows: AdminConnectionRow[];
  /** Cursor of the page after this one, if there is one. */
  next?: string;
  /** Cursor of the page before this one, if this is not the first page. */
  previous?: string;
}

function toRow({ cursor_values: _cursor, ...row }: PageRow): AdminConnectionRow {
  void _cursor;
  return row;
}

/**
 * The page after `query.after`, or before `query.before`, or the first page. A page before a cursor
 * is read backwards (flipped order) and then reversed, so that both directions are index range scans.
 */
export async function listAdminConnections(
  db: Executor,
  queryOrFilter: AdminQuery | AdminFilter,
  pageSize = ADMIN_PAGE_SIZE,
): Promise<AdminConnectionPage> {
  const filter = 'query' in queryOrFilter ? queryOrFilter : await resolveFilter(db, queryOrFilter);
  const { query } = filter;
  const before = decodeCursor(query.before, query.sort, query.dir);
  const after = before ? undefined : decodeCursor(query.after, query.sort, query.dir);
  const fetched = await selectPage(db, filter, before ?? after, before ? flip(query.dir) : query.dir, pageSize + 1);
  const more = fetched.length > pageSize;
  const rows = fetched.slice(0, pageSize);
  if (before) rows.reverse();
  const cursorOf = (row: PageRow | undefined) => row && encodeCursor({ sort: query.sort, dir: query.dir, values: row.cursor_values });
  const hasNext = before ? true : more;
  const hasPrevious = before ? more : Boolean(after);
  return {
    rows: rows.map(toRow),
    next: hasNext ? cursorOf(rows.at(-1)) : undefined,
    previous: hasPrevious ? cursorOf(rows[0]) : undefined,
  };
}
