// What the refreshes did lately: outcomes per day over the last 7 days, and the most common failure
// reasons. Read from the maintained per-day and per-status summaries (lib/db/schema.ts), a few rows each
// whatever the size of connection_events and connections.
import { and, asc, desc, gt, gte, inArray, lte, sql } from 'drizzle-orm';
import type { Executor } from '../db';
import { connectionEventCounts as events, connectionStatusCounts as statuses } from '../db/schema';

export const ACTIVITY_DAYS = 7;
export const SUCCESS_EVENTS: readonly string[] = ['refreshed'];
// configuration_error: a refresh the provider refused for the app's credentials (invalid_client) is a failure too.
export const FAILURE_EVENTS: readonly string[] = ['refresh_failed', 'needs_reauth', 'configuration_error'];
/** The statuses of a broken connection: it needs a reconnect, is retrying, or waits for an admin's fix. */
export const BROKEN_STATUSES = ['needs_reauth', 'degraded', 'error'] as const;

export interface DayOutcomes {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  succeeded: number;
  failed: number;
}

export interface ReasonCount {
  code: string | null;
  count: number;
}

export interface CurrentReasonCount {
  status: (typeof BROKEN_STATUSES)[number];
  reason: string | null;
  count: number;
}

const DAY_MS = 86_400_000;

/** Midnight UTC of the first of the `ACTIVITY_DAYS` days ending today. */
export function activitySince(now: Date): Date {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today - (ACTIVITY_DAYS - 1) * DAY_MS);
}

const utcDay = (d: Date) => d.toISOString().slice(0, 10);
const total = sql<number>`sum(${events.count})::int`;

/** Refresh successes and failures per UTC day, every one of the last 7 days present. */
export async function refreshOutcomesByDay(db: Executor, now = new Date()): Promise<DayOutcomes[]> {
  const since = activitySince(now);
  const days = Array.from({ length: ACTIVITY_DAYS }, (_, i) => utcDay(new Date(since.getTime() + i * DAY_MS)));
  const rows = await db
    .select({
      day: events.day,
      succeeded: sql<number>`coalesce(sum(${events.count}) filter (where ${inArray(events.type, [...SUCCESS_EVENTS])}), 0)::int`,
      failed: sql<number>`coalesce(sum(${events.count}) filter (where ${inArray(events.type, [...FAILURE_EVENTS])}), 0)::int`,
    })
    .from(events)
    .where(and(inArray(events.type, [...SUCCESS_EVENTS, ...FAILURE_EVENTS]), gte(events.day, days[0]!), lte(events.day, days.at(-1)!)))
    .groupBy(events.day);
  const byDay = new Map(rows.map((r) => [r.day, r]));
  return days.map((day) => ({ day, succeeded: byDay.get(day)?.succeeded ?? 0, failed: byDay.get(day)?.failed ?? 0 }));
}

/** The most frequent codes of failure events over the last 7 days. */
export async function topFailureCodes(db: Executor, now = new Date(), limit = 6): Promise<ReasonCount[]> {
  const code = sql<string | null>`nullif(${events.code}, '')`;
  return db
    .select({ code, count: total })
    .from(events)
    .where(and(inArray(events.type, [...FAILURE_EVENTS]), gte(events.day, utcDay(activitySince(now)))))
    .groupBy(events.code)
    .having(gt(total, 0))
    .orderBy(desc(total), sql`${code} asc nulls last`)
    .limit(limit);
}

/** Why connections are broken right now: needs_reauth, degraded and error connections by reason. */
export async function currentFailureReasons(db: Executor): Promise<CurrentReasonCount[]> {
  const reason = sql<string | null>`nullif(${statuses.reason}, '')`;
  const rows = await db
    .select({ status: statuses.status, reason, count: statuses.count })
    .from(statuses)
    .where(and(inArray(statuses.status, [...BROKEN_STATUSES]), gt(statuses.count, 0)))
    .orderBy(desc(statuses.count), asc(statuses.status), sql`${reason} asc nulls last`);
  return rows as CurrentReasonCount[];
}
