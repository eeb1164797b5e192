// The mail outbox's write side: owner notifications are written (or withdrawn) in the transaction of the
// state change that causes them, and sent later by the worker (lib/notifications/send.ts).
import { and, eq, inArray } from 'drizzle-orm';
import type { Executor } from '../db';
import { connections, notifications } from '../db/schema';

export type OwnerMailKind = 'needs_reauth' | 'degraded' | 'expiring';

/** Withdraws the connection's mails of these kinds not sent yet: the spell they were about is over. */
export async function cancelPendingMails(tx: Executor, connectionId: string, kinds: readonly OwnerMailKind[], at: Date): Promise<void> {
  if (kinds.length === 0) return;
  await tx
    .update(notifications)
    .set({ status: 'cancelled', updatedAt: at })
    .where(and(eq(notifications.connectionId, connectionId), eq(notifications.status, 'pending'), inArray(notifications.kind, [...kinds])));
}

/** Queues a mail to the connection's owner. A degraded one waits for NOTIFY_DEGRADED_AFTER_HOURS from `at`: the worker decides. */
export async function queueOwnerMail(tx: Executor, connectionId: string, kind: OwnerMailKind, at: Date): Promise<void> {
  const [owner] = await tx.select({ userId: connections.userId }).from(connections).where(eq(connections.id, connectionId));
  if (!owner) return;
  await tx.insert(notifications).values({ kind, connectionId, userId: owner.userId, createdAt: at, updatedAt: at, nextAttemptAt: at });
}
