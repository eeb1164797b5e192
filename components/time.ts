const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** "3 min", "2 h", "5 days": coarse and stable, so that polling does not make the page jitter. */
export function duration(ms: number): string {
  const abs = Math.abs(ms);
  if (abs < MINUTE) return 'under a minute';
  if (abs < HOUR) return `${Math.floor(abs / MINUTE)} min`;
  if (abs < DAY) return `${Math.floor(abs / HOUR)} h`;
  const days = Math.floor(abs / DAY);
  return `${days} day${days === 1 ? '' : 's'}`;
}

export function ago(date: Date | null, now = Date.now()): string {
  return date ? `${duration(now - date.getTime())} ago` : 'never';
}

/** The render's clock reading (server components render once per request). */
export function renderTime(): number {
  return Date.now();
}
