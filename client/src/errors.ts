// Typed errors for Reconnect's error answers: {"error": {"code", "message", ...}}.
import type { components } from './types.js';

type Schemas = components['schemas'];
type ErrorBodies = {
  [K in keyof Schemas]: Schemas[K] extends { error: { code: string; message: string } } ? Schemas[K] : never;
}[keyof Schemas];

/** Every `code` Reconnect answers with (from the OpenAPI document). */
export type ErrorCode = ErrorBodies['error']['code'];
export type NeedsReauthReason = NonNullable<Schemas['NeedsReauthError']['error']['reason']>;

// A Record, so that a code added to the API without being listed here fails to compile.
const KNOWN: Record<ErrorCode, true> = {
  invalid_request: true,
  product_not_configured: true,
  unauthorized: true,
  not_found: true,
  site_not_found: true,
  needs_reauth: true,
  temporarily_unavailable: true,
  configuration_error: true,
  database_unavailable: true,
  rate_limited: true,
  payload_too_large: true,
  unsupported_media_type: true,
  upstream_unavailable: true,
  internal_error: true,
};

export interface ErrorDetail {
  code: string;
  message: string;
  [extra: string]: unknown;
}

/** Base class of every error this client throws for an answer of Reconnect (not for network failures). */
export class ReconnectError extends Error {
  readonly status: number;
  readonly code: string;
  /** The `error` object of the answer, e.g. `field` of an `invalid_request`. */
  readonly detail: ErrorDetail;

  constructor(status: number, detail: ErrorDetail) {
    super(detail.message);
    this.name = 'ReconnectError';
    this.status = status;
    this.code = detail.code;
    this.detail = detail;
  }
}

/** 409 `needs_reauth`: only the user can fix it. Send them to `reconnectUrl`; wait for `connection.reconnected`. */
export class NeedsReauthError extends ReconnectError {
  readonly reason: NeedsReauthReason | null;
  readonly reconnectUrl: string;

  constructor(status: number, detail: ErrorDetail) {
    super(status, detail);
    this.name = 'NeedsReauthError';
    this.reason = (detail.reason as NeedsReauthReason | null | undefined) ?? null;
    this.reconnectUrl = String(detail.reconnect_url ?? '');
  }
}

/**
 * Retry later: 503 `temporarily_unavailable` (Atlassian failed transiently), 503 `configuration_error`
 * (an admin must fix the app credentials), 503 `database_unavailable` (Reconnect's database is restarting) or
 * 502 `upstream_unavailable` (the proxy could not reach Atlassian).
 */
export class TemporarilyUnavailableError extends ReconnectError {
  readonly reason: string | null;
  readonly retryAfterSeconds: number;

  constructor(status: number, detail: ErrorDetail, retryAfterSeconds: number) {
    super(status, detail);
    this.name = 'TemporarilyUnavailableError';
    this.reason = typeof detail.reason === 'string' ? detail.reason : null;
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** 429 `rate_limited`: too many wrong API keys from this client; retry after `retryAfterSeconds`. */
export class RateLimitedError extends ReconnectError {
  readonly retryAfterSeconds: number;

  constructor(status: number, detail: ErrorDetail, retryAfterSeconds: number) {
    super(status, detail);
    this.name = 'RateLimitedError';
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** `withToken`: Atlassian refused the token, and the fresh one fetched with `rejected_token` too. */
export class TokenRejectedError extends ReconnectError {
  /** The callback's second 401, when it returned a Response. */
  readonly response: Response | undefined;

  constructor(response: Response | undefined, cause: unknown) {
    super(401, { code: 'token_rejected', message: 'Atlassian refused the access token twice, the second one fresh from Reconnect.' });
    this.name = 'TokenRejectedError';
    this.response = response;
    if (cause !== undefined) (this as { cause?: unknown }).cause = cause;
  }
}

/** `Retry-After` in seconds (a number or an HTTP date); `fallback` when absent or unreadable. */
export function retryAfterSeconds(header: string | null, fallback = 30): number {
  if (!header) return fallback;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? fallback : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

function isErrorBody(value: unknown): value is { error: ErrorDetail } {
  const detail = (value as { error?: unknown } | null)?.error as Partial<ErrorDetail> | undefined;
  return typeof detail === 'object' && detail !== null && typeof detail.code === 'string' && typeof detail.message === 'string';
}

/** The typed error for an answer of Reconnect, or undefined when the body is not one of its error bodies. */
export function errorFromBody(status: number, headers: Headers, body: unknown): ReconnectError | undefined {
  if (!isErrorBody(body) || !(body.error.code in KNOWN)) return undefined;
  const detail = body.error;
  const wait = retryAfterSeconds(headers.get('retry-after'));
  switch (detail.code as ErrorCode) {
    case 'needs_reauth':
      return new NeedsReauthError(status, detail);
    case 'temporarily_unavailable':
    case 'configuration_error':
    case 'database_unavailable':
    case 'upstream_unavailable':
      return new TemporarilyUnavailableError(status, detail, wait);
    case 'rate_limited':
      return new RateLimitedError(status, detail, wait);
    default:
      return new ReconnectError(status, detail);
  }
}

/** Reads a failed answer of Reconnect's own routes into a typed error (a generic one when the body is not JSON). */
export async function errorFromResponse(res: Response): Promise<ReconnectError> {
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return (
    errorFromBody(res.status, res.headers, body) ??
    new ReconnectError(res.status, { code: 'http_error', message: `Reconnect answered ${res.status}: ${text.slice(0, 200)}` })
  );
}
