// Who may scrape /api/metrics: anyone while METRICS_TOKEN is unset, else only `Authorization: Bearer <METRICS_TOKEN>`.
import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/** Whether `authorization` (the request's header) may read the metrics when `token` is the configured METRICS_TOKEN. */
export function metricsAuthorized(authorization: string | null | undefined, token: string | undefined): boolean {
  if (!token) return true;
  const sent = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(authorization ?? '')?.[1];
  // Equal-length digests compared in constant time: neither the token's content nor its length leaks through timing.
  return sent !== undefined && timingSafeEqual(digest(sent), digest(token));
}
