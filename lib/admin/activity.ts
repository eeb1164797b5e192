// What the refreshes did lately: outcomes per day over the last 7 days, and the most common failure
// reasons. Range scans on connection_events (type, created_at); the current reasons come from
// connections (status, reason).
import { and, asc, count, desc, gte, inArray, lt, sql } from 'drizzle-orm';
import type { Executor } from '../db';
import { connectionEvents as events, connections } from '../db/schema';

export const ACTIVITY_DAYS = 7;
export const SUCCESS_EVENTS: readonly string[] = ['refreshed'];
export const FAILURE_EVENTS: readonly string[] = ['refresh_failed', 'needs_reauth'];

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
  status: 'needs_reauth' | 'degraded';
  reason: string | null;
  count: number;
}

const DAY_MS = 86_400_000;

/** Midnight UTC of the first of the `ACTIVITY_DAYS` days ending today. */
export function activitySince(now: Date): Date {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  return new Date(today - (ACTIVITY_DAYS - 1) * DAY_MS);
}

/**
 * Refresh successes and failures per UTC day, every one of the last 7 days present. Two index-only
 * range counts on connection_events (type, created_at) per day: cheaper than grouping by a computed day.
 */
export async function refreshOutcomesByDay(db: Executor, now = new Date()): Promise<DayOutcomes[]> {
  const since = activitySince(now);
  const lastDay = new Date(since.getTime() + (ACTIVITY_DAYS - 1) * DAY_MS);
  const day = sql`d`;
  const countOn = (types: readonly string[]) =>
    sql<number>`(${db
      .select({ n: count() })
      .from(events)
      .where(and(inArray(events.type, [...types]), gte(events.createdAt, day), lt(events.createdAt, sql`${day} + interval '24 hours'`)))})::int`;
  return db
    .select({
      day: sql<string>`to_char(${day} at time zone 'UTC', 'YYYY-MM-DD')`,
      succeeded: countOn(SUCCESS_EVENTS),
      failed: countOn(FAILURE_EVENTS),
    })
    .from(sql`generate_series(${since.toISOString()}::timestamptz, ${lastDay.toISOString()}::timestamptz, interval '24 hours') as d`)
    .orderBy(day);
}

/** The most frequent codes of failure events over the last 7 days. */
export async function topFailureCodes(db: Executor, now = new Date(), limit = 6): Promise<ReasonCount[]> {
  return db
    .select({ code: events.code, count: count() })
    .from(events)
    .where(and(inArray(events.type, [...FAILURE_EVENTS]), gte(events.createdAt, activitySince(now))))
    .groupBy(events.code)
    .orderBy(desc(count()), asc(events.code))
    .limit(limit);
}

/** Why connections are broken right now: needs_reauth and degraded connections by reason. */
export async function currentFailureReasons(db: Executor): Promise<CurrentReasonCount[]> {
  const rows = await db
    .select({ status: connections.status, reason: connections.reason, count: count() })
    .from(connections)
    .where(inArray(connections.status, ['needs_reauth', 'degraded']))
    .groupBy(connections.status, connections.reason)
    .orderBy(desc(count()), asc(connections.status), asc(connections.reason));
  return rows as CurrentReasonCount[];
}
