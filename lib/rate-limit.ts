import { sql } from 'drizzle-orm';
import type { Executor } from './db';
import { rateLimits } from './db/schema';

/**
 * A fixed-window counter per key, kept in Postgres so that every instance counts the same hits. What
 * this process has learnt (a key over its limit, until when) is remembered here, so that a client
 * already refused is refused again without a database read.
 */
export class RateLimiter {
  private readonly blockedUntil = new Map<string, number>();

  constructor(
    private readonly name: string,
    private readonly limit: number,
    private readonly windowSeconds: number,
  ) {}

  /** Seconds to wait while this process knows `key` is over its limit, else 0 (no database read). */
  knownWait(key: string, now = new Date()): number {
    const until = this.blockedUntil.get(key);
    if (until === undefined) return 0;
    if (until <= now.getTime()) this.blockedUntil.delete(key);
    return secondsUntil(until, now);
  }

  /**
   * Counts one hit for `key` in every instance's shared window. `refused` when this hit is over the
   * limit; from the hit that reaches it on, `wait` is the seconds until the window ends (else 0).
   */
  async hit(db: Executor, key: string, now = new Date()): Promise<{ refused: boolean; wait: number }> {
    const windowOver = sql`${rateLimits.windowStart} <= ${now.toISOString()}::timestamptz - make_interval(secs => ${this.windowSeconds})`;
    const [row] = await db
      .insert(rateLimits)
      .values({ key: `${this.name}:${key}`, windowStart: now, hits: 1 })
      .onConflictDoUpdate({
        target: rateLimits.key,
        set: {
          windowStart: sql`case when ${windowOver} then excluded.window_start else ${rateLimits.windowStart} end`,
          hits: sql`case when ${windowOver} then 1 else ${rateLimits.hits} + 1 end`,
        },
      })
      .returning({
        hits: rateLimits.hits,
        windowEnd: sql<Date>`${rateLimits.windowStart} + make_interval(secs => ${this.windowSeconds})`.mapWith(rateLimits.windowStart),
      });
    const { hits, windowEnd } = row!;
    if (hits < this.limit) return { refused: false, wait: 0 };
    if (this.blockedUntil.size > 10_000) this.blockedUntil.clear(); // bounded memory under a flood of distinct keys
    this.blockedUntil.set(key, windowEnd.getTime());
    return { refused: hits > this.limit, wait: secondsUntil(windowEnd.getTime(), now) };
  }
}

function secondsUntil(until: number, now: Date): number {
  return Math.max(0, Math.ceil((until - now.getTime()) / 1000));
}
