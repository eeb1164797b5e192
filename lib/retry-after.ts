// The one reading of a Retry-After header (RFC 9110 §10.2.3), for the token endpoint, the product APIs and
// webhook consumers alike. Each caller decides what to do with it (a floor under its own backoff, a cap…).

/**
 * Seconds to wait from `now`: delta-seconds as given, an HTTP-date as the whole seconds until it (0 once
 * past); undefined when absent or neither (a negative number, a bare date, words).
 */
export function parseRetryAfter(value: string | null | undefined, now: number | Date = Date.now()): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text);
  // Date.parse takes bare numbers such as "-5" as years; every HTTP-date form starts with its weekday.
  if (!/^[A-Za-z]{3}/.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, Math.ceil((date - Number(now)) / 1000));
}
