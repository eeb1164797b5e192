// The mail outbox: owner notifications are written in the transaction of the state change that causes
// them (like webhook messages) and sent later by the worker (lib/notifications/send.ts).
import { and, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../db';
import { connections, notifications } from '../db/schema';

/** Transitions that mail the owner: needs_reauth at once, degraded only if it lasts (the worker waits). */
const MAILED = { 'connection.needs_reauth': 'needs_reauth', 'connection.degraded': 'degraded' } as const;
/** Transitions that end a broken spell: a notification not yet sent for it is no longer wanted. */
const ENDS_SPELL = new Set(['connection.recovered', 'connection.reconnected', 'connection.deleted', 'connection.needs_reauth']);

/** Writes (or cancels) the owner's notification for one state change, inside the caller's transaction. */
export async function enqueueTransitionNotification(tx: Executor, type: string, connectionId: string, at: Date): Promise<void> {
  if (ENDS_SPELL.has(type)) {
    // needs_reauth supersedes a degraded spell's pending mail; recovery and reconnect end both kinds.
    const kinds = type === 'connection.needs_reauth' ? (['degraded'] as const) : (['degraded', 'needs_reauth'] as const);
    await tx
      .update(notifications)
      .set({ status: 'cancelled', updatedAt: at })
      .where(and(eq(notifications.connectionId, connectionId), eq(notifications.status, 'pending'), inArray(notifications.kind, [...kinds])));
  }
  const kind = MAILED[type as keyof typeof MAILED];
  if (!kind) return;
  const [owner] = await tx.select({ userId: connections.userId }).from(connections).where(eq(connections.id, connectionId));
  if (!owner) return;
  // A degraded mail waits for NOTIFY_DEGRADED_AFTER_HOURS from created_at; the worker decides when it is due.
  await tx.insert(notifications).values({ kind, connectionId, userId: owner.userId, createdAt: at, updatedAt: at, nextAttemptAt: at });
}
