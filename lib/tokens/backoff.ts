const BASE_SECONDS = 30;
const MAX_SECONDS = 3600;

/**
 * Seconds until the next refresh attempt after `failures` consecutive transient failures. The provider's
 * Retry-After, when it sent one, is the answer (at least 1 s): it said when to come back, and waiting longer
 * only keeps the connection degraded. Without it: exponential from 30 s to 1 h with up to 20 % jitter.
 */
export function backoffSeconds(failures: number, retryAfterSeconds?: number, random = Math.random): number {
  if (retryAfterSeconds !== undefined) return Math.max(1, Math.ceil(retryAfterSeconds));
  const exponential = Math.min(MAX_SECONDS, BASE_SECONDS * 2 ** Math.max(0, failures - 1));
  return Math.ceil(exponential * (1 + 0.2 * random()));
}

/** Atlassian accepts a rotated refresh token again for 10 minutes (its reuse leeway). */
export const REUSE_LEEWAY_SECONDS = 600;
const LEEWAY_MARGIN_SECONDS = 60;
const MIN_RETRY_SECONDS = 5;

/**
 * While a refresh's outcome is unknown (Atlassian may have rotated the token we hold), a retry after the
 * reuse leeway would find the grant revoked: the delay is cut so that the next try comes before it ends.
 * Retry-After included: one early call is cheaper than a lost grant.
 */
export function keepWithinReuseLeeway(
  delaySeconds: number,
  outcomeUnknownSince: Date | null,
  at: Date,
  leewaySeconds: number = REUSE_LEEWAY_SECONDS,
): number {
  if (!outcomeUnknownSince) return delaySeconds;
  const deadline = outcomeUnknownSince.getTime() + (leewaySeconds - LEEWAY_MARGIN_SECONDS) * 1000;
  const left = Math.floor((deadline - at.getTime()) / 1000);
  return left >= MIN_RETRY_SECONDS ? Math.min(delaySeconds, left) : delaySeconds;
}
