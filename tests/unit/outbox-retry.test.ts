// The retry rule both outboxes share (lib/outbox/lease.ts): the schedule's delay ±20 %, never before the
// consumer's own Retry-After, nothing once the schedule is spent.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextAttemptAt } from '../../lib/outbox/lease';

const AT = new Date('2026-03-01T12:00:00Z');
const schedule = fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 1, maxLength: 12 });
const random = fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true });

describe('nextAttemptAt', () => {
  it('after the n-th failure: the n-th delay within ±20 %, at least the Retry-After', () => {
    fc.assert(
      fc.property(schedule, fc.nat(), random, fc.nat({ max: 200_000 }), (s, k, r, retryAfter) => {
        const n = (k % s.length) + 1;
        const next = nextAttemptAt(n, AT, { schedule: s, random: () => r, atLeastSeconds: retryAfter })!;
        const seconds = (next.getTime() - AT.getTime()) / 1000;
        expect(seconds).toBeGreaterThanOrEqual(Math.max(s[n - 1] * 0.8, retryAfter) - 0.001);
        expect(seconds).toBeLessThanOrEqual(Math.max(s[n - 1] * 1.2, retryAfter) + 0.001);
      }),
    );
  });

  it('nothing once the schedule is spent', () => {
    fc.assert(
      fc.property(schedule, fc.integer({ min: 1, max: 5 }), (s, extra) => {
        expect(nextAttemptAt(s.length + extra, AT, { schedule: s, random: () => 0.5 })).toBeUndefined();
      }),
    );
  });

  it('the middle of the jitter is the scheduled delay', () => {
    expect(nextAttemptAt(2, AT, { schedule: [5, 300], random: () => 0.5 })).toEqual(new Date(AT.getTime() + 300_000));
  });
});
