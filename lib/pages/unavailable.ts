// The "temporarily unavailable" page (/unavailable, 503) shown while the database is away: where it lives, and the
// request header through which proxy.ts tells pages their own path (so that "Try again" leads back there).
export const UNAVAILABLE_PATH = '/unavailable';
export const REQUEST_PATH_HEADER = 'x-reconnect-path';

// Paths that carry a secret (a connect link's token, an OAuth callback's code): never copied into another page.
const SECRET_BEARING = ['/connect/', '/api/'];

/**
 * A local path to go back to: anything else (another origin, the unavailable page itself, a path that carries a
 * link's token or a callback's code) becomes the home page.
 */
export function returnPath(from: string | null | undefined): string {
  if (!from || !from.startsWith('/') || from.startsWith('//') || from.includes('\\')) return '/';
  if (SECRET_BEARING.some((prefix) => from.startsWith(prefix))) return '/';
  return from.split('?')[0] === UNAVAILABLE_PATH ? '/' : from;
}

/** The unavailable page, leading back to `from` once the database is back. */
export function unavailablePath(from?: string | null): string {
  return `${UNAVAILABLE_PATH}?from=${encodeURIComponent(returnPath(from))}`;
}
