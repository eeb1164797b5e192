// Errors of token endpoints and of API calls, with stable codes and a class (terminal / transient /
// operator) that the token engine acts on, the same for every provider. Each provider maps its own
// answers onto these codes (lib/providers/<provider>/errors.ts); Atlassian's mapping, for reference:
//
//   4xx error=invalid_grant                  → invalid_grant        terminal
//   4xx error=unauthorized_client            → unauthorized_client  terminal
//   4xx error=invalid_client                 → invalid_client       operator
//   401 error=access_denied                  → invalid_client       operator
//   429                                      → rate_limited         transient (+ Retry-After)
//   5xx (whatever the body)                  → server_error         transient (+ Retry-After)
//   any other non-2xx (unknown 4xx, 3xx…)    → bad_response         transient: an answer we do
//                                              not understand is no reason to kill a connection
//   2xx without a usable token set           → bad_response         transient
//   timeout (AbortSignal / undici timeouts)  → timeout              transient, outcomeUnknown
//   refresh: connection lost after sending   → outcome_unknown      transient, outcomeUnknown
//   any other transport failure              → network              transient
// Messages carry only the code, the status, the transport error code and error_description.
import { parseRetryAfter } from '../retry-after';

export type TokenErrorCode =
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'invalid_client'
  | 'network'
  | 'timeout'
  | 'server_error'
  | 'rate_limited'
  | 'outcome_unknown'
  | 'bad_response'
  /** Bitbucket: 400 invalid_request "Invalid refresh_token" (revoked, expired, reused). */
  | 'invalid_refresh_token'
  /** Bitbucket: any other invalid_request, a malformed request (our bug or setup, not the user's). */
  | 'invalid_request';

export type ErrorClass = 'terminal' | 'transient' | 'operator';

export type TokenRequestKind = 'refresh' | 'code';

const ERROR_CLASS: Record<TokenErrorCode, ErrorClass> = {
  invalid_grant: 'terminal',
  unauthorized_client: 'terminal',
  invalid_client: 'operator',
  network: 'transient',
  timeout: 'transient',
  server_error: 'transient',
  rate_limited: 'transient',
  outcome_unknown: 'transient',
  bad_response: 'transient',
  invalid_refresh_token: 'terminal',
  invalid_request: 'operator',
};

export interface TokenErrorDetails {
  status?: number;
  retryAfterSeconds?: number;
  /** error_description from the response body (clipped). */
  description?: string;
  /** The raw `error` field of the response body, e.g. 'access_denied' (clipped). */
  oauthError?: string;
  /** Transport error code such as 'ECONNREFUSED'. */
  transportCode?: string;
  cause?: unknown;
}

export class TokenEndpointError extends Error {
  readonly code: TokenErrorCode;
  readonly errorClass: ErrorClass;
  /** True when the provider may have acted on the request (a refresh may have rotated the token). */
  readonly outcomeUnknown: boolean;
  readonly status?: number;
  readonly retryAfterSeconds?: number;
  readonly description?: string;
  readonly oauthError?: string;
  readonly transportCode?: string;

  constructor(code: TokenErrorCode, details: TokenErrorDetails = {}) {
    super(describe('Token request failed', code, details), causeOption(details.cause));
    this.name = 'TokenEndpointError';
    this.code = code;
    this.errorClass = ERROR_CLASS[code];
    this.outcomeUnknown = code === 'timeout' || code === 'outcome_unknown';
    this.status = details.status;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.description = details.description;
    this.oauthError = details.oauthError;
    this.transportCode = details.transportCode;
  }
}

/** Provider-supplied text of a response body, clipped to one short line (never a token). */
export function bodyField(body: unknown, field: string): string | undefined {
  return stringField(body, field);
}

// A refresh whose connection died after the request went out may have rotated the token.
export function tokenErrorFromThrown(err: unknown, kind: TokenRequestKind): TokenEndpointError {
  if (err instanceof TokenEndpointError) return err;
  const failure = describeTransportFailure(err);
  if (failure.timedOut) return new TokenEndpointError('timeout', { transportCode: failure.code, cause: err });
  const code = failure.midFlight && kind === 'refresh' ? 'outcome_unknown' : 'network';
  return new TokenEndpointError(code, { transportCode: failure.code, cause: err });
}

export interface TransportFailure {
  timedOut: boolean;
  /** The connection broke after it was established (request possibly received). */
  midFlight: boolean;
  code?: string;
}

const TIMEOUT_NAMES = new Set(['TimeoutError', 'AbortError']);
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ABORT_ERR']);
const MID_FLIGHT_CODES = new Set(['ECONNRESET', 'EPIPE', 'UND_ERR_SOCKET']);
const MID_FLIGHT_MESSAGE = /socket hang up|other side closed/i;

// undici wraps the real reason: TypeError('fetch failed', { cause: Error{code} }).
export function describeTransportFailure(err: unknown): TransportFailure {
  const chain = causeChain(err);
  const codes = chain.map((e) => e.code).filter((c): c is string => typeof c === 'string');
  const timedOut = chain.some((e) => TIMEOUT_NAMES.has(String(e.name)) || TIMEOUT_CODES.has(String(e.code)));
  const midFlight =
    codes.some((c) => MID_FLIGHT_CODES.has(c)) || chain.some((e) => MID_FLIGHT_MESSAGE.test(String(e.message)));
  const code = codes.find((c) => c !== 'ABORT_ERR') ?? (timedOut ? 'TimeoutError' : undefined);
  return { timedOut, midFlight, code: code?.slice(0, 64) };
}

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
}

function causeChain(err: unknown): ErrorLike[] {
  const chain: ErrorLike[] = [];
  const pending: unknown[] = [err];
  while (pending.length > 0 && chain.length < 10) {
    const current = pending.shift();
    if (typeof current !== 'object' || current === null) continue;
    const e = current as ErrorLike & { cause?: unknown; errors?: unknown };
    chain.push(e);
    if (e.cause !== undefined) pending.push(e.cause);
    if (Array.isArray(e.errors)) pending.push(...e.errors);
  }
  return chain;
}

// ---- API calls (identity, sites, product APIs) ----

export type ApiErrorCode =
  | 'unauthorized'
  | 'scope_mismatch'
  | 'rate_limited'
  | 'server_error'
  | 'unexpected_status'
  | 'bad_response'
  | 'network'
  | 'timeout';

export interface ApiErrorDetails {
  status?: number;
  retryAfterSeconds?: number;
  transportCode?: string;
  cause?: unknown;
}

export class ProviderApiError extends Error {
  readonly code: ApiErrorCode;
  readonly status?: number;
  readonly retryAfterSeconds?: number;
  readonly transportCode?: string;

  constructor(code: ApiErrorCode, details: ApiErrorDetails = {}) {
    super(describe('Provider API request failed', code, details), causeOption(details.cause));
    this.name = 'ProviderApiError';
    this.code = code;
    this.status = details.status;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.transportCode = details.transportCode;
  }
}

/** A non-2xx API answer as a coded error; `refusal` is the provider's reading of a 401/403. */
export function apiErrorFromStatus(status: number, headers: Headers, refusal: 'unauthorized' | 'scope_mismatch' | null): ProviderApiError {
  if (refusal) return new ProviderApiError(refusal, { status });
  if (status === 429 || status >= 500) {
    const retryAfterSeconds = parseRetryAfter(headers.get('retry-after'));
    return new ProviderApiError(status === 429 ? 'rate_limited' : 'server_error', { status, retryAfterSeconds });
  }
  return new ProviderApiError('unexpected_status', { status });
}

export function apiErrorFromThrown(err: unknown): ProviderApiError {
  if (err instanceof ProviderApiError) return err;
  const failure = describeTransportFailure(err);
  return new ProviderApiError(failure.timedOut ? 'timeout' : 'network', { transportCode: failure.code, cause: err });
}

// ---- helpers ----

interface MessageParts {
  status?: number;
  transportCode?: string;
  description?: string;
}

function describe(prefix: string, code: string, parts: MessageParts): string {
  const status = parts.status !== undefined ? ` (HTTP ${parts.status})` : '';
  const transport = parts.transportCode ? ` (${parts.transportCode})` : '';
  const description = parts.description ? `: ${parts.description}` : '';
  return `${prefix}: ${code}${status}${transport}${description}`;
}

function causeOption(cause: unknown): { cause: unknown } | undefined {
  return cause === undefined ? undefined : { cause };
}

// Provider-supplied text: keep it short and on one line.
function stringField(body: unknown, field: string): string | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const value = (body as Record<string, unknown>)[field];
  if (typeof value !== 'string') return undefined;
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').slice(0, 300);
}
