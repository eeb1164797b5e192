import { describe, expect, it } from 'vitest';
import { idleText, nextRetryIn, showsTokenExpiry } from '../../lib/connections/health';
import { backoffSeconds } from '../../lib/tokens/backoff';

describe('what a connection card shows', () => {
  it('the access token expiry only while the connection refreshes by itself', () => {
    expect(showsTokenExpiry('active')).toBe(true);
    expect(showsTokenExpiry('degraded')).toBe(true);
    for (const status of ['needs_reauth', 'error', 'disconnected']) expect(showsTokenExpiry(status)).toBe(false);
  });

  it('"kept alive by Reconnect" only while Reconnect still refreshes it: a dead connection is idle, not kept alive', () => {
    expect(idleText('active', 92, 30)).toBe('92 days — kept alive by Reconnect');
    expect(idleText('degraded', 30, 30)).toBe('30 days — kept alive by Reconnect');
    expect(idleText('active', 29, 30)).toBe('29 days');
    expect(idleText('active', 1, 30)).toBe('1 day');
    expect(idleText('active', null, 30)).toBe('never used');
    for (const status of ['needs_reauth', 'error', 'disconnected']) expect(idleText(status, 92, 30)).toBe('92 days');
  });

  it('when a Retrying connection tries again, from its next-retry time', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const at = (s: number) => new Date(now + s * 1000);
    expect(nextRetryIn('degraded', at(10), now)).toBe('in 10 s');
    expect(nextRetryIn('degraded', at(9.2), now)).toBe('in 10 s');
    expect(nextRetryIn('degraded', at(300), now)).toBe('in 5 min');
    expect(nextRetryIn('degraded', at(3 * 3600), now)).toBe('in 3 h');
    expect(nextRetryIn('degraded', at(-5), now)).toBe('now');
    expect(nextRetryIn('degraded', null, now)).toBeNull();
    expect(nextRetryIn('active', at(10), now)).toBeNull();
    expect(nextRetryIn('needs_reauth', at(10), now)).toBeNull();
  });
});

describe('backoff', () => {
  it("retries at the provider's Retry-After, not later (and not sooner than 1 s)", () => {
    expect(backoffSeconds(1, 10, () => 1)).toBe(10);
    expect(backoffSeconds(5, 10, () => 1)).toBe(10);
    expect(backoffSeconds(1, 900, () => 1)).toBe(900);
    expect(backoffSeconds(1, 0, () => 1)).toBe(1);
  });

  it('without Retry-After: exponential from 30 s with up to 20 % jitter, at most about an hour', () => {
    expect(backoffSeconds(1, undefined, () => 0)).toBe(30);
    expect(backoffSeconds(1, undefined, () => 1)).toBe(36);
    expect(backoffSeconds(3, undefined, () => 0)).toBe(120);
    expect(backoffSeconds(20, undefined, () => 0)).toBe(3600);
  });
});
