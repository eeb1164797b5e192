import { and, asc, eq, gt, lt, ne, sql } from 'drizzle-orm';
import { dbErrorCode, type Executor } from '../db';
import { connections, users } from '../db/schema';
import { selectViews, VIEW_COLUMNS, type ConnectionView } from '../connections/queries';
import { isUuid } from '../ids';
import type { ConnectionJson, ListConnectionsQuery } from './schemas';

/** The service API's connection object (docs/service-api.md): health and sites, never a token. */
export function serializeConnection(c: ConnectionView): ConnectionJson {
  return {
    id: c.id,
    product: c.product,
    status: c.status as ConnectionJson['status'],
    reason: c.reason,
    user_email: c.user_email,
    account_id: c.account_id,
    scopes: c.scopes,
    sites: c.sites,
    access_expires_at: c.access_expires_at?.toISOString() ?? null,
    last_refreshed_at: c.last_refreshed_at?.toISOString() ?? null,
    last_used_at: c.last_used_at?.toISOString() ?? null,
    consecutive_failures: c.consecutive_failures,
    consented_at: c.consented_at?.toISOString() ?? null,
    renew_by: c.renew_by?.toISOString() ?? null,
    created_at: c.created_at.toISOString(),
    updated_at: c.updated_at.toISOString(),
  };
}


interface Cursor {
  created_at: string;
  id: string;
}

const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify([c.created_at, c.id])).toString('base64url');

function decodeCursor(cursor: string): Cursor | undefined {
  try {
    const [created_at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const timestamp = /^\d{4}-\d{2}-\d{2}[ T][\d:.]+(Z|[+-]\d{2}(:?\d{2})?)$/;
    return typeof created_at === 'string' && timestamp.test(created_at) && isUuid(id) ? { created_at, id } : undefined;
  } catch {
    return undefined;
  }
}

// The dashboard's columns, plus created_at as Postgres prints it (microseconds) for cursors.
const COLUMNS = { ...VIEW_COLUMNS, created_key: sql<string>`${connections.createdAt}::text` };

/** Keyset pagination on (created_at, id): stable under inserts, no OFFSET. */
export async function listConnectionsPage(db: Executor, q: ListConnectionsQuery) {
  const after = q.cursor ? decodeCursor(q.cursor) : undefined;
  if (q.cursor && !after) return { error: 'cursor' as const };
  const rows = await pageRows(db, q, after);
  if (!rows) return { error: 'cursor' as const };
  const page = rows.slice(0, q.limit);
  const last = page[page.length - 1];
  const more = rows.length > q.limit && last;
  // created_at as Postgres prints it keeps microseconds, which a JS Date would drop (and repeat rows);
  // it goes back as text too, since postgres-js sends a timestamptz parameter through a Date.
  return { data: page.map(serializeConnection), next_cursor: more ? encodeCursor({ created_at: last.created_key, id: last.id }) : null };
}

// A well-formed cursor can still name an impossible time (2024-99-99): Postgres refuses it, we answer 400.
async function pageRows(db: Executor, q: ListConnectionsQuery, after: Cursor | undefined) {
  try {
    return await selectViews(db, COLUMNS)
      .where(
        and(
          q.status ? eq(connections.status, q.status) : ne(connections.status, 'disconnected'),
          q.product ? eq(connections.product, q.product) : undefined,
          q.user_email ? eq(users.email, q.user_email) : undefined,
          q.renew_before ? lt(connections.renewBy, new Date(q.renew_before)) : undefined,
          after ? gt(sql`(${connections.createdAt}, ${connections.id})`, sql`(${after.created_at}::text::timestamptz, ${after.id}::uuid)`) : undefined,
        ),
      )
      .orderBy(asc(connections.createdAt), asc(connections.id))
      .limit(q.limit + 1);
  } catch (err) {
    if (after && ['22007', '22008'].includes(dbErrorCode(err) ?? '')) return undefined;
    throw err;
  }
}

export async function getConnection(db: Executor, id: string): Promise<ConnectionView | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await selectViews(db, VIEW_COLUMNS).where(and(eq(connections.id, id), ne(connections.status, 'disconnected')));
  return row;
}
