import { ago, duration } from '../time';

export function formatCount(n: number): string {
  return n.toLocaleString('en-US');
}

/** "in 42 min", "expired 3 days ago", "no token". */
export function accessExpiry(expiresAt: Date | null, now: number): string {
  if (!expiresAt) return 'no token';
  const left = expiresAt.getTime() - now;
  return left > 0 ? `in ${duration(left)}` : `expired ${ago(expiresAt, now)}`;
}

export { ago };
