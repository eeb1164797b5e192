// The admins' daily digest: queued once per opted-in admin per UTC day, only when something is broken.
import { and, asc, count, eq, gte, inArray, lte, ne, notExists, sql } from 'drizzle-orm';
import { productLabel } from '../providers/registry';
import { currentReasonLabel, failureCodeLabel } from '../connections/reasons';
import { statusLabel } from '../connections/health';
import type { Db } from '../db';
import { connectionEvents, connections, notifications, users } from '../db/schema';

const BROKEN = ['error', 'needs_reauth', 'degraded'];
const STATUS_ORDER = ['error', 'needs_reauth', 'degraded', 'active'];

export interface DigestPayload {
  operatorErrors: number;
  counts: { label: string; count: number }[];
  newFailures: { label: string; count: number }[];
  /** Live connections whose year ends within 7 days, soonest first (at most RENEW_LIST_LIMIT). */
  renewThisWeek?: RenewItem[];
}

export interface RenewItem {
  product: string;
  owner: string;
  renewBy: string;
}

const WEEK_MS = 7 * 86_400_000;
const RENEW_LIST_LIMIT = 50;

const dedupeKey = (userId: string, at: Date) => `digest:${userId}:${at.toISOString().slice(0, 10)}`;

/** Queues today's digest for each opted-in admin who has none yet; returns how many were queued. */
export async function enqueueDueDigests(db: Db, at: Date): Promise<number> {
  const waiting = await db
    .select({ id: users.id })
    .from(users)
    .where(
      and(
        eq(users.role, 'admin'),
        eq(users.adminDigest, true),
        eq(users.notificationsEnabled, true),
        notExists(
          db
            .select({ one: sql`1` })
            .from(notifications)
            .where(eq(notifications.dedupeKey, sql`'digest:' || ${users.id} || ':' || ${at.toISOString().slice(0, 10)}`)),
        ),
      ),
    );
  if (waiting.length === 0) return 0;
  const payload = await digestPayload(db, at);
  if (!payload) return 0;
  const rows = await db
    .insert(notifications)
    .values(waiting.map((u) => ({ kind: 'digest' as const, userId: u.id, dedupeKey: dedupeKey(u.id, at), payload: { ...payload }, createdAt: at, nextAttemptAt: at, updatedAt: at })))
    .onConflictDoNothing({ target: notifications.dedupeKey })
    .returning({ id: notifications.id });
  return rows.length;
}

/** What must be renewed within 7 days of `at`: live connections, soonest first. */
async function renewalsThisWeek(db: Db, at: Date): Promise<RenewItem[]> {
  const rows = await db
    .select({ product: connections.product, owner: users.email, renewBy: connections.renewBy })
    .from(connections)
    .innerJoin(users, eq(users.id, connections.userId))
    .where(and(inArray(connections.status, ['active', 'degraded']), lte(connections.renewBy, new Date(at.getTime() + WEEK_MS))))
    .orderBy(asc(connections.renewBy))
    .limit(RENEW_LIST_LIMIT);
  return rows.map((r) => ({ product: productLabel(r.product), owner: r.owner, renewBy: r.renewBy!.toISOString().slice(0, 10) }));
}

/**
 * Counts by status, the last day's new failures by reason (operator errors first) and what must be renewed this
 * week; undefined when nothing is broken and nothing is due for renewal.
 */
export async function digestPayload(db: Db, at: Date): Promise<DigestPayload | undefined> {
  const byStatus = await db
    .select({ status: connections.status, n: count() })
    .from(connections)
    .where(ne(connections.status, 'disconnected'))
    .groupBy(connections.status);
  const n = (s: string) => byStatus.find((r) => r.status === s)?.n ?? 0;
  const renewThisWeek = await renewalsThisWeek(db, at);
  if (BROKEN.every((s) => n(s) === 0) && renewThisWeek.length === 0) return undefined;
  const since = new Date(at.getTime() - 86_400_000);
  const failures = await db
    .select({ type: connectionEvents.type, code: connectionEvents.code, reason: sql<string | null>`${connectionEvents.data}->>'reason'`, n: count() })
    .from(connectionEvents)
    .where(and(inArray(connectionEvents.type, ['needs_reauth', 'configuration_error', 'degraded']), gte(connectionEvents.createdAt, since)))
    .groupBy(connectionEvents.type, connectionEvents.code, sql`${connectionEvents.data}->>'reason'`);
  const labelled = new Map<string, { count: number; operator: boolean }>();
  for (const f of failures) {
    const operator = f.type === 'configuration_error';
    const label = operator
      ? `${failureCodeLabel('invalid_client')} (operator error)`
      : f.type === 'needs_reauth'
        ? currentReasonLabel('needs_reauth', f.reason)
        : currentReasonLabel('degraded', f.code);
    const entry = labelled.get(label) ?? { count: 0, operator };
    entry.count += f.n;
    labelled.set(label, entry);
  }
  const newFailures = [...labelled.entries()]
    .sort(([, a], [, b]) => Number(b.operator) - Number(a.operator) || b.count - a.count)
    .map(([label, v]) => ({ label, count: v.count }));
  return {
    operatorErrors: n('error'),
    counts: STATUS_ORDER.map((s) => ({ label: statusLabel(s).label, count: n(s) })),
    newFailures,
    renewThisWeek,
  };
}
