export type ConnectionErrorCode =
  | 'not_found'
  | 'needs_reauth'
  | 'configuration_error'
  | 'temporarily_unavailable';

// The token engine is one per process (lib/tokens/index.ts) while Next.js may bundle this module several times:
// `instanceof` goes by a brand so that every copy of the class recognises the engine's errors.
const BRAND = Symbol.for('reconnect.ConnectionUnavailableError');

/** Why a connection cannot give a token now. Stable codes for the API and UI; never carries a token. */
export class ConnectionUnavailableError extends Error {
  readonly [BRAND] = true;

  static [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as { [BRAND]?: boolean })[BRAND] === true;
  }

  constructor(
    readonly code: ConnectionErrorCode,
    message: string,
    readonly reason?: string | null,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ConnectionUnavailableError';
  }
}

export const notFound = () => new ConnectionUnavailableError('not_found', 'Connection not found');

export const needsReauth = (reason: string | null) =>
  new ConnectionUnavailableError('needs_reauth', 'The connection needs to be reconnected', reason);

export const configurationError = (reason: string | null) =>
  new ConnectionUnavailableError('configuration_error', 'Atlassian rejected the app credentials; an admin must fix the configuration', reason);

export const temporarilyUnavailable = (reason: string, retryAfterSeconds: number) =>
  new ConnectionUnavailableError(
    'temporarily_unavailable',
    'Atlassian is temporarily unavailable; retry later',
    reason,
    Math.max(1, Math.ceil(retryAfterSeconds)),
  );
