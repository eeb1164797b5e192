import type { Product } from '../atlassian/products';
import type { Sql } from 'postgres';

export interface ConnectionView {
  id: string;
  product: Product;
  status: string;
  reason: string | null;
  user_id: string;
  user_email: string;
  account_id: string | null;
  account_name: string | null;
  account_email: string | null;
  scopes: string[];
  access_expires_at: Date | null;
  last_refreshed_at: Date | null;
  last_used_at: Date | null;
  refresh_token_issued_at: Date | null;
  consecutive_failures: number;
  last_error_code: string | null;
  token_generation: number;
  created_at: Date;
  updated_at: Date;
  sites: { cloud_id: string; name: string; url: string }[];
}

// Token columns are never selected here: what leaves lib/ for a page or the API carries no secret.
export const VIEW_COLUMNS = (sql: Sql) => sql`
  c.id, c.product, c.status, c.reason, c.user_id, u.email as user_email, c.account_id, c.account_name, c.account_email, c.scopes,
  c.access_expires_at, c.last_refreshed_at, c.last_used_at, c.refresh_token_issued_at, c.consecutive_failures,
  c.last_error_code, c.token_generation, c.created_at, c.updated_at,
  coalesce((select json_agg(json_build_object('cloud_id', s.cloud_id, 'name', s.name, 'url', s.url) order by s.name)
            from connection_sites s where s.connection_id = c.id), '[]') as sites`;

export async function listUserConnections(sql: Sql, userId: string): Promise<ConnectionView[]> {
  return sql<ConnectionView[]>`select ${VIEW_COLUMNS(sql)} from connections c join users u on u.id = c.user_id
    where c.user_id = ${userId} and c.status <> 'disconnected' order by c.product, c.created_at`;
}

export async function getConnectionView(sql: Sql, id: string): Promise<ConnectionView | undefined> {
  const [row] = await sql<ConnectionView[]>`select ${VIEW_COLUMNS(sql)} from connections c join users u on u.id = c.user_id
    where c.id = ${id}`;
  return row;
}

export interface EventView {
  id: number;
  type: string;
  code: string | null;
  message: string | null;
  token_generation: number | null;
  created_at: Date;
}

/** Newest first, keyset-paginated by id. */
export async function listEvents(sql: Sql, connectionId: string, before?: number, limit = 50): Promise<EventView[]> {
  return sql<EventView[]>`select id, type, code, message, token_generation, created_at from connection_events
    where connection_id = ${connectionId} ${before ? sql`and id < ${before}` : sql``}
    order by id desc limit ${limit}`;
}
