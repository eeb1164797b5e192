import type { Product } from '../atlassian/products';
// One page of the admin list: one query, keyset-paginated, with each row's sites aggregated for the
// page's rows only. Token columns are never selected.
import type { Sql } from 'postgres';
import { decodeCursor, encodeCursor, type Cursor } from './cursor';
import { and, filterConditions, resolveFilter, type AdminFilter, type Fragment } from './filters';
import type { AdminQuery, SortDirection } from './params';
import { SORT_KEYS } from './sorts';

export const ADMIN_PAGE_SIZE = 50;

export interface AdminConnectionRow {
  id: string;
  product: Product;
  status: string;
  reason: string | null;
  last_error_code: string | null;
  user_email: string;
  account_name: string | null;
  account_email: string | null;
  last_refreshed_at: Date | null;
  access_expires_at: Date | null;
  consecutive_failures: number;
  created_at: Date;
  updated_at: Date;
  sites: { cloud_id: string; name: string }[];
}

export interface AdminConnectionPage {
  rows: AdminConnectionRow[];
  /** Cursor of the page after this one, if there is one. */
  next?: string;
  /** Cursor of the page before this one, if this is not the first page. */
  previous?: string;
}

interface PageRow extends AdminConnectionRow {
  cursor_values: string[];
}

const flip = (dir: SortDirection): SortDirection => (dir === 'asc' ? 'desc' : 'asc');

function keyExprs(query: AdminQuery): string[] {
  return [...SORT_KEYS[query.sort].map((k) => k.expr), 'c.id'];
}

/**
 * Rows after the cursor in `dir` order: `(keys…, id) > (values…)` (`<` when descending), and the
 * leading key alone (`>=`), which lets an index range-scan it even when it lives in another table.
 */
function keysetCondition(sql: Sql, query: AdminQuery, cursor: Cursor, dir: SortDirection): Fragment {
  const exprs = keyExprs(query);
  const types = [...SORT_KEYS[query.sort].map((k) => k.type), 'uuid'];
  // Sent as text and cast by Postgres: postgres-js would turn a timestamptz parameter into a JS Date (milliseconds).
  const values = cursor.values.map((v, i) => sql`${v}::text::${sql.unsafe(types[i]!)}`);
  const list = values.reduce((all, v) => sql`${all}, ${v}`);
  const [after, from] = dir === 'asc' ? ['>', '>='] : ['<', '<='];
  return sql`(${sql.unsafe(exprs.join(', '))}) ${sql.unsafe(after)} (${list})
    and ${sql.unsafe(exprs[0]!)} ${sql.unsafe(from)} ${values[0]!}`;
}

function orderBy(exprs: string[], dir: SortDirection): string {
  return exprs.map((e) => `${e} ${dir}`).join(', ');
}

async function selectPage(sql: Sql, filter: AdminFilter, cursor: Cursor | undefined, dir: SortDirection, limit: number): Promise<PageRow[]> {
  const { query } = filter;
  const exprs = keyExprs(query);
  const conditions = filterConditions(sql, filter, 'page');
  if (cursor) conditions.push(keysetCondition(sql, query, cursor, dir));
  const keys = exprs.map((e, i) => `${e} as k${i}`).join(', ');
  const outerKeys = exprs.map((_, i) => `p.k${i}`);
  return sql<PageRow[]>`
    select p.id, p.product, p.status, p.reason, p.last_error_code, p.user_email, p.account_name, p.account_email,
      p.last_refreshed_at, p.access_expires_at, p.consecutive_failures, p.created_at, p.updated_at,
      array[${sql.unsafe(outerKeys.map((k) => `${k}::text`).join(', '))}] as cursor_values,
      coalesce(s.sites, '[]') as sites
    from (
      select c.id, c.product, c.status, c.reason, c.last_error_code, u.email as user_email, c.account_name, c.account_email,
        c.last_refreshed_at, c.access_expires_at, c.consecutive_failures, c.created_at, c.updated_at, ${sql.unsafe(keys)}
      from connections c join users u on u.id = c.user_id
      where ${and(sql, conditions)}
      order by ${sql.unsafe(orderBy(exprs, dir))}
      limit ${limit}
    ) p
    left join lateral (
      select json_agg(json_build_object('cloud_id', cs.cloud_id, 'name', cs.name) order by cs.name) as sites
      from connection_sites cs where cs.connection_id = p.id
    ) s on true
    order by ${sql.unsafe(orderBy(outerKeys, dir))}`;
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
  sql: Sql,
  queryOrFilter: AdminQuery | AdminFilter,
  pageSize = ADMIN_PAGE_SIZE,
): Promise<AdminConnectionPage> {
  const filter = 'query' in queryOrFilter ? queryOrFilter : await resolveFilter(sql, queryOrFilter);
  const { query } = filter;
  const before = decodeCursor(query.before, query.sort, query.dir);
  const after = before ? undefined : decodeCursor(query.after, query.sort, query.dir);
  const fetched = await selectPage(sql, filter, before ?? after, before ? flip(query.dir) : query.dir, pageSize + 1);
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
