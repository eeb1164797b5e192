// The "temporarily unavailable" page (/unavailable, 503) shown while the database is away: where it lives, and the
// request header through which proxy.ts tells pages their own path (so that "Try again" leads back there).
export const UNAVAILABLE_PATH = '/unavailable';
export const REQUEST_PATH_HEADER = 'x-reconnect-path';

/** A local path to go back to: anything else (another origin, the unavailable page itself) becomes the home page. */
export function returnPath(from: string | null | undefined): string {
  if (!from || !from.startsWith('/') || from.startsWith('//') || from.includes('\\')) return '/';
  return from.split('?')[0] === UNAVAILABLE_PATH ? '/' : from;
}

/** The unavailable page, leading back to `from` once the database is back. */
export function unavailablePath(from?: string | null): string {
  return `${UNAVAILABLE_PATH}?from=${encodeURIComponent(returnPath(from))}`;
}
