// The sandbox's "Advance N days": the simulator moves its own clock N days ahead, and the app ages its connections
// by the same N days instead of moving its clock (docs/architecture.md, Clocks). Every time of every connection and
// of its timeline moves N days into the past, in the caller's transaction: both sides then agree that N days went
// by, and nothing is ever dated after the database's now(). Sessions, links, webhooks and mails keep their times.
import { sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { Executor } from '../db';
import { connectionEvents, connections } from '../db/schema';

/** Moves every time of every connection and of its timeline `seconds` into the past (null stays null). */
export async function ageConnections(db: Executor, seconds: number): Promise<void> {
  if (!(seconds > 0)) return;
  const back = (column: AnyColumn): SQL<Date> => sql<Date>`${column} - make_interval(secs => ${seconds})`;
  const c = connections;
  await db.update(c).set({
    createdAt: back(c.createdAt),
    updatedAt: back(c.updatedAt),
    accessExpiresAt: back(c.accessExpiresAt),
    refreshTokenIssuedAt: back(c.refreshTokenIssuedAt),
    refreshOutcomeUnknownAt: back(c.refreshOutcomeUnknownAt),
    lastRefreshedAt: back(c.lastRefreshedAt),
    lastUsedAt: back(c.lastUsedAt),
    nextRefreshAt: back(c.nextRefreshAt),
    consentedAt: back(c.consentedAt),
    renewBy: back(c.renewBy),
    renewWarnedAt: back(c.renewWarnedAt),
    disconnectedAt: back(c.disconnectedAt),
  });
  await db.update(connectionEvents).set({ createdAt: back(connectionEvents.createdAt) });
}
