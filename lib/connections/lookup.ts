import { and, asc, eq, ne } from 'drizzle-orm';
import type { Product } from '../providers/registry';
import type { Executor } from '../db';
import { connections } from '../db/schema';

/** The user's live connection of `product` for one provider account, if any (at most one). */
export async function findLiveConnection(db: Executor, userId: string, product: Product, accountId: string): Promise<string | undefined> {
  const [row] = await db
    .select({ id: connections.id })
    .from(connections)
    .where(and(eq(connections.userId, userId), eq(connections.product, product), eq(connections.accountId, accountId), ne(connections.status, 'disconnected')))
    .orderBy(asc(connections.createdAt))
    .limit(1);
  return row?.id;
}
