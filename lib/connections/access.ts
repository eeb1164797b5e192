import { and, eq, ne, or } from 'drizzle-orm';
import type { Executor } from '../db';
import { connections } from '../db/schema';
import { isUuid } from '../ids';

export interface Actor {
  id: string;
  role: 'user' | 'admin';
}

/** The connection if `actor` may act on it (its owner, or an admin); otherwise undefined, as for a missing one. */
export async function findActionableConnection(db: Executor, actor: Actor, id: string) {
  if (!isUuid(id)) return undefined;
  const owner = actor.role === 'admin' ? undefined : eq(connections.userId, actor.id);
  const [row] = await db
    .select({ id: connections.id, user_id: connections.userId, product: connections.product, status: connections.status })
    .from(connections)
    .where(and(eq(connections.id, id), ne(connections.status, 'disconnected'), or(owner)));
  return row;
}

export type OwnedConnection = NonNullable<Awaited<ReturnType<typeof findActionableConnection>>>;
