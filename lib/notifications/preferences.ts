// Who gets which mail: a user-wide switch, one per connection, and the admins' digest opt-in.
// The one-click unsubscribe of a mail works by its token alone (no session): it turns off that mail's kind.
import { and, eq, inArray } from 'drizzle-orm';
import { productLabel } from '../providers/registry';
import type { Db } from '../db';
import { connections, notifications, users } from '../db/schema';
import { hashSecret } from '../secrets';

// unsubscribeToken() gives 43 base64url characters; anything else is not one of ours.
const TOKEN = /^[A-Za-z0-9_-]{43}$/;

export interface UnsubscribeTarget {
  email: string;
  /** What "this kind of mail" is, in words: "emails about your Jira connection" or "the daily admin digest". */
  what: string;
}

/** A target and what is already off: this kind of mail, every notification email of its recipient, or nothing. */
export interface UnsubscribeStatus extends UnsubscribeTarget {
  off: 'mail' | 'all' | null;
}

async function findByToken(db: Db, token: string) {
  if (!TOKEN.test(token)) return undefined;
  const [row] = await db
    .select({
      kind: notifications.kind,
      userId: notifications.userId,
      connectionId: notifications.connectionId,
      email: users.email,
      product: connections.product,
      userEnabled: users.notificationsEnabled,
      adminDigest: users.adminDigest,
      connectionEnabled: connections.notificationsEnabled,
    })
    .from(notifications)
    .innerJoin(users, eq(users.id, notifications.userId))
    .leftJoin(connections, eq(connections.id, notifications.connectionId))
    .where(eq(notifications.unsubscribeTokenHash, hashSecret(token)));
  return row;
}

type TokenRow = NonNullable<Awaited<ReturnType<typeof findByToken>>>;

const describe = (row: TokenRow): UnsubscribeTarget => ({
  email: row.email,
  what: row.kind === 'digest' ? 'the daily admin digest' : `emails about your ${row.product ? productLabel(row.product) : 'Atlassian'} connection`,
});

// The same switches the sender reads (send.ts): the user-wide one first, then this mail's own kind.
function alreadyOff(row: TokenRow): UnsubscribeStatus['off'] {
  if (!row.userEnabled) return 'all';
  const kindOn = row.kind === 'digest' ? row.adminDigest : row.connectionEnabled !== false;
  return kindOn ? null : 'mail';
}

/** What a mail's unsubscribe link would turn off, and whether it already is; undefined for an unknown token. Changes nothing. */
export async function lookupUnsubscribe(db: Db, token: string): Promise<UnsubscribeStatus | undefined> {
  const row = await findByToken(db, token);
  return row && { ...describe(row), off: alreadyOff(row) };
}

/**
 * Unsubscribes by a mail's token: `mail` turns off that mail's kind (this connection's emails, or the
 * digest), `all` every notification email of its recipient. Undefined (nothing written) for an unknown token.
 */
export async function unsubscribe(db: Db, token: string, scope: 'mail' | 'all'): Promise<UnsubscribeTarget | undefined> {
  const row = await findByToken(db, token);
  if (!row) return undefined;
  if (scope === 'all') await setUserNotifications(db, row.userId, false);
  else if (row.kind === 'digest') await setAdminDigest(db, row.userId, false);
  else if (row.connectionId) await db.update(connections).set({ notificationsEnabled: false }).where(eq(connections.id, row.connectionId));
  return describe(row);
}

export async function setUserNotifications(db: Db, userId: string, enabled: boolean): Promise<void> {
  await db.update(users).set({ notificationsEnabled: enabled, updatedAt: new Date() }).where(eq(users.id, userId));
}

export async function setAdminDigest(db: Db, userId: string, enabled: boolean): Promise<void> {
  await db.update(users).set({ adminDigest: enabled, updatedAt: new Date() }).where(eq(users.id, userId));
}

/** The owner's switch for one connection; false when it is not theirs (nothing written). */
export async function setConnectionNotifications(db: Db, userId: string, connectionId: string, enabled: boolean): Promise<boolean> {
  const rows = await db
    .update(connections)
    .set({ notificationsEnabled: enabled })
    .where(and(eq(connections.id, connectionId), eq(connections.userId, userId)))
    .returning({ id: connections.id });
  return rows.length > 0;
}

export async function userNotificationSettings(db: Db, userId: string): Promise<{ notificationsEnabled: boolean; adminDigest: boolean }> {
  const [row] = await db.select({ notificationsEnabled: users.notificationsEnabled, adminDigest: users.adminDigest }).from(users).where(eq(users.id, userId));
  return row ?? { notificationsEnabled: true, adminDigest: false };
}

/** The per-connection switches of these connections, by id. */
export async function connectionNotificationSwitches(db: Db, ids: string[]): Promise<Map<string, boolean>> {
  if (ids.length === 0) return new Map();
  const rows = await db.select({ id: connections.id, on: connections.notificationsEnabled }).from(connections).where(inArray(connections.id, ids));
  return new Map(rows.map((r) => [r.id, r.on]));
}
