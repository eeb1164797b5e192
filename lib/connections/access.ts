import type { Product } from '../atlassian/products';
import type { Sql } from 'postgres';
import { isUuid } from '../ids';

export interface Actor {
  id: string;
  role: 'user' | 'admin';
}

export interface OwnedConnection {
  id: string;
  user_id: string;
  product: Product;
  status: string;
}


/** The connection if `actor` may act on it (its owner, or an admin); otherwise undefined, as for a missing one. */
export async function findActionableConnection(sql: Sql, actor: Actor, id: string): Promise<OwnedConnection | undefined> {
  if (!isUuid(id)) return undefined;
  const [row] = await sql<OwnedConnection[]>`
    select id, user_id, product, status from connections
    where id = ${id} and status <> 'disconnected' and (user_id = ${actor.id} or ${actor.role} = 'admin')`;
  return row;
}
