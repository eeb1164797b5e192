import type { Sql } from 'postgres';
import type { Product } from '../atlassian/products';

/** The user's live connection of `product` for one provider account, if any (SPEC 2: at most one). */
export async function findLiveConnection(sql: Sql, userId: string, product: Product, accountId: string): Promise<string | undefined> {
  const [row] = await sql<{ id: string }[]>`
    select id from connections
    where user_id = ${userId} and product = ${product} and account_id = ${accountId} and status <> 'disconnected'
    order by created_at limit 1`;
  return row?.id;
}
