// The one Retry-After rule (lib/retry-after.ts): delta-seconds as given, an HTTP-date as whole seconds until
// it (0 once past), anything else undefined. Token endpoint, product APIs and webhook consumers share it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../lib/retry-after';

const NOW = Date.parse('2026-03-01T12:00:00Z');
const instant = fc.integer({ min: Date.parse('2000-01-01T00:00:00Z'), max: Date.parse('2100-01-01T00:00:00Z') });

describe('parseRetryAfter', () => {
  it('delta-seconds: the number itself, surrounding spaces ignored', () => {
    fc.assert(
      fc.property(fc.nat({ max: 10_000_000 }), fc.constantFrom('', ' ', '  '), (n, pad) => {
        expect(parseRetryAfter(`${pad}${n}${pad}`, NOW)).toBe(n);
      }),
    );
  });

  it('HTTP-date: the whole seconds until it, never negative', () => {
    fc.assert(
      fc.property(instant, (t) => {
        const date = new Date(Math.floor(t / 1000) * 1000); // an HTTP-date has whole seconds
        expect(parseRetryAfter(date.toUTCString(), NOW)).toBe(Math.max(0, (date.getTime() - NOW) / 1000));
      }),
    );
  });

  it('rounds a date between seconds up (never retries early)', () => {
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:00:10 GMT', NOW - 500)).toBe(11);
    expect(parseRetryAfter('Sun, 01 Mar 2026 12:00:10 GMT', new Date(NOW))).toBe(10);
  });

  it.each([null, undefined, '', '   ', 'soon', '-5', '1.5', '+3', '2026-03-01T12:01:00Z', 'Xyz, 99 Foo 2026 99:99:99 GMT'])('%j → undefined', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });

  it('whatever the input: undefined or a whole number of seconds ≥ 0', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const seconds = parseRetryAfter(text, NOW);
        if (seconds !== undefined) expect(Number.isInteger(seconds) && seconds >= 0).toBe(true);
      }),
    );
  });
});
