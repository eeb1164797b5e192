// A connection's open connect links (connect_sessions with its id: the Reconnect and Renew buttons of mails, the
// links the API hands out) are withdrawn once they are no longer needed: when the connection is reconnected, by
// whatever path, or recovers. A withdrawn link is marked used and expired at the same instant
// (used_at = expires_at), which a link opened in time or run out never is: its page says it is no longer valid.
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Executor } from '../db';
import { connections, connectSessions } from '../db/schema';

/** true for a link withdrawn by withdrawOpenLinks. */
export const linkWithdrawn = sql<boolean>`(${connectSessions.usedAt} is not null and ${connectSessions.usedAt} = ${connectSessions.expiresAt})`;

/**
 * Withdraws the connection's unused, unexpired links, in the caller's transaction. `keepWhileRenewing`: not while
 * the connection is in its renewal window (a recovery leaves the Renew link working: the year still ends).
 */
export async function withdrawOpenLinks(tx: Executor, connectionId: string, opts: { keepWhileRenewing?: boolean } = {}): Promise<number> {
  const renewing = opts.keepWhileRenewing
    ? sql`exists (select 1 from ${connections} where ${connections.id} = ${connectionId} and ${connections.renewWarnedAt} is not null)`
    : sql`false`;
  const rows = await tx
    .update(connectSessions)
    .set({ usedAt: sql`now()`, expiresAt: sql`now()` })
    .where(and(eq(connectSessions.connectionId, connectionId), isNull(connectSessions.usedAt), gt(connectSessions.expiresAt, sql`now()`), sql`not ${renewing}`))
    .returning({ id: connectSessions.id });
  return rows.length;
}
