const BASE_SECONDS = 30;
const MAX_SECONDS = 3600;

/**
 * Seconds until the next refresh attempt after `failures` consecutive transient failures:
 * exponential from 30 s to 1 h with up to 20 % jitter, never sooner than the provider's Retry-After.
 */
export function backoffSeconds(failures: number, retryAfterSeconds?: number, random = Math.random): number {
  const exponential = Math.min(MAX_SECONDS, BASE_SECONDS * 2 ** Math.max(0, failures - 1));
  const jittered = exponential * (1 + 0.2 * random());
  return Math.ceil(Math.max(jittered, retryAfterSeconds ?? 0));
}
