import type { Sql } from 'postgres';

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
  async hit(sql: Sql, key: string, now = new Date()): Promise<{ refused: boolean; wait: number }> {
    const [row] = await sql<{ hits: number; window_end: Date }[]>`
      insert into rate_limits as r (key, window_start, hits) values (${`${this.name}:${key}`}, ${now}, 1)
      on conflict (key) do update set
        window_start = case when r.window_start <= ${now}::timestamptz - make_interval(secs => ${this.windowSeconds})
                            then excluded.window_start else r.window_start end,
        hits = case when r.window_start <= ${now}::timestamptz - make_interval(secs => ${this.windowSeconds})
                    then 1 else r.hits + 1 end
      returning hits, window_start + make_interval(secs => ${this.windowSeconds}) as window_end`;
    if (row.hits < this.limit) return { refused: false, wait: 0 };
    if (this.blockedUntil.size > 10_000) this.blockedUntil.clear(); // bounded memory under a flood of distinct keys
    this.blockedUntil.set(key, row.window_end.getTime());
    return { refused: row.hits > this.limit, wait: secondsUntil(row.window_end.getTime(), now) };
  }
}

function secondsUntil(until: number, now: Date): number {
  return Math.max(0, Math.ceil((until - now.getTime()) / 1000));
}
