// "Is this failure the database being away?" (stopped, restarting, failing over, refusing connections), and a
// process-wide note of when that was last seen. Such a failure is passing: callers answer 503 with Retry-After,
// never 500, and postgres-js opens fresh connections once the database is back (no handle stays broken).
/** What callers put in Retry-After while the database is away: a restart usually takes a few seconds. */
export const DATABASE_RETRY_AFTER_SECONDS = 5;

// postgres-js's own codes for a lost or impossible connection, Node's socket errors, and the SQLSTATEs a server
// that is shutting down or starting up answers (57P01-57P03; class 08 is "connection exception").
const UNAVAILABLE_CODES = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_ENDED',
  'CONNECTION_DESTROYED',
  'CONNECT_TIMEOUT',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  '57P01',
  '57P02',
  '57P03',
]);

function codeOf(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Whether `err` (a postgres-js error, or a Drizzle error or AggregateError around one) says the database cannot be reached now. */
export function isDatabaseUnavailable(err: unknown, depth = 0): boolean {
  if (!err || typeof err !== 'object' || depth > 4) return false;
  const code = codeOf(err);
  if (code && (UNAVAILABLE_CODES.has(code) || code.startsWith('08'))) return true;
  // Node reports a refused connection to every address of a host as one AggregateError.
  if (err instanceof AggregateError) return err.errors.some((e) => isDatabaseUnavailable(e, depth + 1));
  // Drizzle wraps the driver's error as its cause.
  const cause = (err as { cause?: unknown }).cause;
  return cause !== undefined && cause !== err && isDatabaseUnavailable(cause, depth + 1);
}

// One note per process, on globalThis: Next.js may bundle this module more than once (proxy, pages, routes).
const NOTE = Symbol.for('reconnect.databaseUnavailableAt');
type WithNote = typeof globalThis & { [NOTE]?: number };

/** Notes that the database was just found away (pages answer the unavailable page directly for a moment). */
export function noteDatabaseUnavailable(at = Date.now()): void {
  (globalThis as WithNote)[NOTE] = at;
}

/** Whether the database was found away within the last `withinMs`. */
export function databaseRecentlyUnavailable(withinMs = 2_000, at = Date.now()): boolean {
  const seen = (globalThis as WithNote)[NOTE];
  return seen !== undefined && at - seen < withinMs;
}
