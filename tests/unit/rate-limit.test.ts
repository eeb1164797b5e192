import { describe, expect, it } from 'vitest';
import { clientAddress, RateLimiter } from '../../lib/rate-limit';

describe('RateLimiter', () => {
  it('allows `limit` hits a window per key, then says how long to wait, then allows again', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(3, 60_000, () => now);
    for (let i = 0; i < 3; i++) {
      expect(limiter.retryAfter('a')).toBe(0);
      limiter.hit('a');
    }
    expect(limiter.retryAfter('a')).toBe(60);
    expect(limiter.retryAfter('b')).toBe(0); // other clients are not affected
    now += 45_000;
    expect(limiter.retryAfter('a')).toBe(15);
    now += 15_000;
    expect(limiter.retryAfter('a')).toBe(0);
  });

  it('takes the client address from the nearest proxy header', () => {
    expect(clientAddress(new Headers({ 'x-forwarded-for': '203.0.113.7, 10.0.0.1' }))).toBe('203.0.113.7');
    expect(clientAddress(new Headers({ 'x-real-ip': '198.51.100.2' }))).toBe('198.51.100.2');
    expect(clientAddress(new Headers())).toBe('unknown');
  });
});
