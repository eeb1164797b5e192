/**
 * A fixed-window counter per key, in this process's memory: enough to slow down guessing of API keys
 * and sign-in floods from one client. (Several instances each keep their own count.)
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Seconds to wait while `key` is over its limit, else 0. */
  retryAfter(key: string): number {
    const w = this.current(key);
    return w.count >= this.limit ? Math.ceil((w.start + this.windowMs - this.now()) / 1000) : 0;
  }

  hit(key: string): void {
    this.current(key).count++;
  }

  private current(key: string) {
    const t = this.now();
    let w = this.windows.get(key);
    if (!w || t - w.start >= this.windowMs) {
      if (this.windows.size > 10_000) this.windows.clear(); // bounded memory under a flood of distinct keys
      w = { start: t, count: 0 };
      this.windows.set(key, w);
    }
    return w;
  }
}

/** The client address as the nearest proxy reports it. */
export function clientAddress(headers: Headers): string {
  return headers.get('x-forwarded-for')?.split(',')[0]?.trim() || headers.get('x-real-ip') || 'unknown';
}
