// What the refreshes did lately: outcomes per day over the last 7 days, and the most common failure
// reasons. Range scans on connection_events (type, created_at); the current reasons come from
// connections (status, reason).
import type { Sql } from 'postgres';

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
export async function refreshOutcomesByDay(sql: Sql, now = new Date()): Promise<DayOutcomes[]> {
  const since = activitySince(now);
  const lastDay = new Date(since.getTime() + (ACTIVITY_DAYS - 1) * DAY_MS);
  return sql<DayOutcomes[]>`
    select to_char(d at time zone 'UTC', 'YYYY-MM-DD') as day,
      (select count(*) from connection_events
        where type = any(${[...SUCCESS_EVENTS]}) and created_at >= d and created_at < d + interval '24 hours')::int as succeeded,
      (select count(*) from connection_events
        where type = any(${[...FAILURE_EVENTS]}) and created_at >= d and created_at < d + interval '24 hours')::int as failed
    from generate_series(${since}::timestamptz, ${lastDay}::timestamptz, interval '24 hours') d
    order by d`;
}

/** The most frequent codes of failure events over the last 7 days. */
export async function topFailureCodes(sql: Sql, now = new Date(), limit = 6): Promise<ReasonCount[]> {
  return sql<ReasonCount[]>`
    select code, count(*)::int as count from connection_events
    where type = any(${[...FAILURE_EVENTS]}) and created_at >= ${activitySince(now)}
    group by code order by count desc, code limit ${limit}`;
}

/** Why connections are broken right now: needs_reauth and degraded connections by reason. */
export async function currentFailureReasons(sql: Sql): Promise<CurrentReasonCount[]> {
  return sql<CurrentReasonCount[]>`
    select status, reason, count(*)::int as count from connections
    where status in ('needs_reauth', 'degraded')
    group by status, reason order by count desc, status, reason`;
}
