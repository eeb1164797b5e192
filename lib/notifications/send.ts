// The mail worker step: claims due notifications (the outbox rules of lib/outbox/lease.ts, like webhook
// deliveries), sends each through SMTP, records the outcome.
//
// Exactly once from the reader's view: a claim commits a lease before the mail leaves; a process that
// dies between the SMTP server's acceptance and the outcome's write leaves the row pending, and after the
// lease it is sent again, identical (same Message-ID, same links): one duplicate at most, never a loss.
// Mails are sent one at a time, so a crash can catch only one of them mid-send.
import { and, asc, eq, inArray, lte, ne, or } from 'drizzle-orm';
import type { Product } from '../providers/registry';
import type { Db } from '../db';
import { connectionEvents, connectionSites, connections, notifications, users } from '../db/schema';
import { storeReconnectLink } from '../connections/reconnect-link';
import { drainDue, leaseDue, leaseHeld, nextAttemptAt, type Lease } from '../outbox/lease';
import { hashSecret } from '../secrets';
import { connectionMail, digestMail, type Envelope } from './compose';
import type { DigestPayload } from './digest';
import { reconnectLinkToken, RECONNECT_LINK_DAYS, unsubscribeToken } from './links';
import { describeSmtpError, isPermanentSmtpError, SEND_TIMEOUT_MS, smtpResponseCode, type OutgoingMail, type SendMail } from './mailer';

/** Seconds to wait after the 1st, 2nd, … failed attempt (about two days in all); then it fails. */
export const DEFAULT_NOTIFY_SCHEDULE: readonly number[] = [30, 120, 600, 1800, 3600, 7200, 14400, 28800, 43200, 86400];
export const NOTIFY_LEASE_MS = SEND_TIMEOUT_MS * 3 + 30_000;
const BATCH_SIZE = 10;

export type NotifyOutcome = 'sent' | 'retrying' | 'failed' | 'suppressed' | 'cancelled';

export interface NotifyOptions {
  db: Db;
  send: SendMail;
  from: string;
  appUrl: string;
  /** The app's secret (AUTH_SECRET): the mails' link tokens are derived from it. */
  secret: string;
  degradedAfterHours: number;
  now?: () => Date;
  schedule?: readonly number[];
  leaseMs?: number;
  /** Most notifications handled by one call (default 100). */
  limit?: number;
  random?: () => number;
  onOutcome?: (outcome: NotifyOutcome) => void;
}

export type NotifyResult = Record<NotifyOutcome, number> & { attempted: number };

type Claimed = typeof notifications.$inferSelect & Lease<string>;

export async function sendDueNotifications(opts: NotifyOptions): Promise<NotifyResult> {
  const now = opts.now ?? (() => new Date());
  const limit = opts.limit ?? 100;
  const result: NotifyResult = { attempted: 0, sent: 0, retrying: 0, failed: 0, suppressed: 0, cancelled: 0 };
  await drainDue(limit, BATCH_SIZE, (batch) => claimDue(opts, batch, now()), async (claimed) => {
    for (const n of claimed) {
      const outcome = await handle(opts, n, now);
      result.attempted++;
      result[outcome]++;
      opts.onOutcome?.(outcome);
    }
  });
  return result;
}

/** Due pending notifications, oldest first, leased. */
async function claimDue(opts: NotifyOptions, batch: number, at: Date): Promise<Claimed[]> {
  const { db } = opts;
  const degradedCutoff = new Date(at.getTime() - opts.degradedAfterHours * 3_600_000);
  const due = db
    .select({ id: notifications.id })
    .from(notifications)
    .where(
      and(
        eq(notifications.status, 'pending'),
        lte(notifications.nextAttemptAt, at),
        // A degraded spell is mailed only once it has lasted NOTIFY_DEGRADED_AFTER_HOURS (recovery cancels it).
        or(ne(notifications.kind, 'degraded'), lte(notifications.createdAt, degradedCutoff)),
      ),
    )
    .orderBy(asc(notifications.nextAttemptAt), asc(notifications.id))
    .limit(batch)
    .for('update', { skipLocked: true });
  const leases = await leaseDue<string>(db, notifications, due, new Date(at.getTime() + (opts.leaseMs ?? NOTIFY_LEASE_MS)), at);
  if (leases.length === 0) return [];
  const rows = await db.select().from(notifications).where(inArray(notifications.id, leases.map((l) => l.id)));
  return leases.map((l) => ({ ...rows.find((r) => r.id === l.id)!, ...l }));
}

async function handle(opts: NotifyOptions, n: Claimed, now: () => Date): Promise<NotifyOutcome> {
  const { db } = opts;
  const [ctx] = await db
    .select({
      email: users.email,
      role: users.role,
      userEnabled: users.notificationsEnabled,
      adminDigest: users.adminDigest,
      status: connections.status,
      reason: connections.reason,
      product: connections.product,
      account: connections.accountEmail,
      connectionEnabled: connections.notificationsEnabled,
      renewBy: connections.renewBy,
      renewWarnedAt: connections.renewWarnedAt,
    })
    .from(notifications)
    .innerJoin(users, eq(users.id, notifications.userId))
    .leftJoin(connections, eq(connections.id, notifications.connectionId))
    .where(eq(notifications.id, n.id));
  if (!ctx) return 'cancelled'; // deleted with its user meanwhile
  if (!stillTrue(n, ctx)) return close(opts, n, 'cancelled', now()); // no longer true: not worth a mail
  const optedOut = !ctx.userEnabled || (n.kind === 'digest' ? !ctx.adminDigest || ctx.role !== 'admin' : !ctx.connectionEnabled);
  if (optedOut) {
    const who = n.kind === 'digest' ? 'The admin turned the digest off' : 'The owner turned these emails off';
    return close(opts, n, 'suppressed', now(), `${who}: no mail sent.`);
  }
  const token = unsubscribeToken(opts.secret, n.id);
  await db.update(notifications).set({ unsubscribeTokenHash: hashSecret(token) }).where(eq(notifications.id, n.id));
  const envelope: Envelope = { notificationId: n.id, to: ctx.email, from: opts.from, appUrl: opts.appUrl, unsubscribeToken: token };
  let mail: OutgoingMail;
  if (n.kind === 'digest') {
    mail = await digestMail(envelope, n.payload as unknown as DigestPayload);
  } else {
    const link =
      n.kind === 'needs_reauth'
        ? await reconnectLink(opts, n, ctx.email, ctx.product!)
        : n.kind === 'expiring'
          ? await reconnectLink(opts, n, ctx.email, ctx.product!, ctx.renewBy!)
          : null;
    const sites = await db
      .select({ name: connectionSites.name })
      .from(connectionSites)
      .where(eq(connectionSites.connectionId, n.connectionId!))
      .orderBy(asc(connectionSites.name));
    mail = await connectionMail(envelope, {
      kind: n.kind,
      connectionId: n.connectionId!,
      product: ctx.product!,
      status: ctx.status!,
      reason: ctx.reason,
      sites: sites.map((s) => s.name),
      account: ctx.account,
      reconnectUrl: link?.url ?? null,
      linkExpiresAt: link?.expiresAt ?? null,
      degradedHours: opts.degradedAfterHours,
      renewBy: ctx.renewBy,
    });
  }
  try {
    await opts.send(mail);
  } catch (err) {
    return recordFailure(opts, n, err, now());
  }
  return close(opts, n, 'sent', now(), `Emailed the owner: “${mail.subject}”`);
}

/** A connection mail is sent only while what it says holds: still broken, or (a renewal reminder) still alive in the same family's window. */
function stillTrue(n: Claimed, c: { status: string | null; renewBy: Date | null; renewWarnedAt: Date | null }): boolean {
  if (n.kind === 'digest') return true;
  if (n.kind === 'expiring') return (c.status === 'active' || c.status === 'degraded') && c.renewBy !== null && c.renewWarnedAt !== null;
  return c.status === n.kind;
}

/**
 * The Reconnect (or Renew) button: a connect session for this connection, single use, valid 7 days from the
 * transition (a renewal reminder's: until renew_by). Its token is derived from the notification, so a resend
 * carries the same link (stored once, hashed).
 */
async function reconnectLink(opts: NotifyOptions, n: Claimed, email: string, product: Product, until?: Date) {
  const expiresAt = until ?? new Date(n.createdAt.getTime() + RECONNECT_LINK_DAYS * 86_400_000);
  const link = { connectionId: n.connectionId!, userEmail: email, product, expiresAt };
  return { url: await storeReconnectLink(opts.db, opts.appUrl, link, reconnectLinkToken(opts.secret, n.id)), expiresAt };
}

const EVENT_TYPE = { sent: 'notification_sent', failed: 'notification_failed', suppressed: 'notification_suppressed' } as const;

/** Final outcome; the timeline gets an event for sent, failed and suppressed ones (written once: only by the first to close it). */
async function close(opts: NotifyOptions, n: Claimed, status: 'sent' | 'failed' | 'suppressed' | 'cancelled', at: Date, message?: string, extra: { lastError?: string; lastResponseCode?: number | null } = {}): Promise<NotifyOutcome> {
  const attempted = status === 'sent' || status === 'failed';
  await opts.db.transaction(async (tx) => {
    // A mail that went out counts even if its lease ran out meanwhile or the spell ended.
    const guard = status === 'sent' ? ne(notifications.status, 'sent') : leaseHeld(notifications, n);
    const rows = await tx
      .update(notifications)
      .set({
        status,
        attempts: attempted ? n.attempts + 1 : n.attempts,
        sentAt: status === 'sent' ? at : null,
        leaseToken: null,
        lastError: status === 'sent' ? null : (extra.lastError ?? null),
        lastResponseCode: extra.lastResponseCode ?? null,
        updatedAt: at,
      })
      .where(and(eq(notifications.id, n.id), guard))
      .returning({ id: notifications.id });
    if (rows.length === 0 || status === 'cancelled' || !n.connectionId) return;
    await tx.insert(connectionEvents).values({
      connectionId: n.connectionId,
      type: EVENT_TYPE[status],
      code: status === 'failed' && extra.lastResponseCode ? `smtp_${extra.lastResponseCode}` : n.kind,
      message: message ?? null,
      data: { kind: n.kind },
      createdAt: at,
    });
  });
  return status;
}

async function recordFailure(opts: NotifyOptions, n: Claimed, err: unknown, at: Date): Promise<NotifyOutcome> {
  const failedAttempts = n.attempts + 1;
  const error = describeSmtpError(err);
  const code = smtpResponseCode(err);
  const permanent = isPermanentSmtpError(err);
  const retryAt = permanent ? undefined : nextAttemptAt(failedAttempts, at, { schedule: opts.schedule ?? DEFAULT_NOTIFY_SCHEDULE, random: opts.random });
  if (!retryAt) {
    const why = permanent ? 'The mail server refused the mail' : `Gave up after ${failedAttempts} attempts`;
    return close(opts, n, 'failed', at, `${why}: ${error}`, { lastError: error, lastResponseCode: code });
  }
  await opts.db
    .update(notifications)
    .set({ attempts: failedAttempts, lastError: error, lastResponseCode: code, nextAttemptAt: retryAt, leaseToken: null, updatedAt: at })
    .where(leaseHeld(notifications, n));
  return 'retrying';
}
