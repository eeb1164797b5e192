import { and, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import type { Executor } from '../db';
import { connectionEvents as events } from '../db/schema';
import type { TimelineEvent } from './timeline';

/** A number field of `data`, null when absent or not a number (a cast would fail the whole page). */
const dataNumber = (field: string) =>
  sql<number | null>`case when jsonb_typeof(${events.data}->${field}) = 'number' then (${events.data}->>${field})::float8 end`.mapWith(
    (v: string | number | null) => (v === null ? null : Number(v)),
  );

export interface TimelinePage {
  events: TimelineEvent[];
  /** The cursor of the next (older) page: pass as `before`; undefined on the last page. */
  nextBefore?: number;
}

/**
 * One page of a connection's events, newest first, keyset-paginated by id (`before`: older than this id),
 * optionally only some types. Reads only the few `data` fields the timeline words.
 */
export async function listTimelineEvents(
  db: Executor,
  connectionId: string,
  opts: { before?: number; types?: readonly string[] | null; limit: number },
): Promise<TimelinePage> {
  const rows = await db
    .select({
      id: events.id,
      type: events.type,
      code: events.code,
      message: events.message,
      token_generation: events.tokenGeneration,
      created_at: events.createdAt,
      reason: sql<string | null>`${events.data}->>'reason'`,
      retry_in_seconds: dataNumber('retry_in_seconds'),
      status: dataNumber('status'),
      sites: dataNumber('sites'),
    })
    .from(events)
    .where(
      and(
        eq(events.connectionId, connectionId),
        opts.before ? lt(events.id, opts.before) : undefined,
        opts.types ? inArray(events.type, [...opts.types]) : undefined,
      ),
    )
    .orderBy(desc(events.id))
    .limit(opts.limit + 1);
  const page = rows.slice(0, opts.limit);
  return { events: page, nextBefore: rows.length > opts.limit ? page.at(-1)!.id : undefined };
}
