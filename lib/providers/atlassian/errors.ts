// Atlassian's token-endpoint and API answers as the neutral codes of lib/oauth/errors.ts
// (the classification table is at the top of that file): the `error` field decides, never the status alone.
import {
  apiErrorFromStatus,
  bodyField,
  TokenEndpointError,
  type ProviderApiError,
  type TokenErrorCode,
} from '../../oauth/errors';
import { parseRetryAfter } from '../../retry-after';

export function tokenErrorFromResponse(status: number, headers: Headers, body: unknown): TokenEndpointError {
  const oauthError = bodyField(body, 'error');
  const details = { status, oauthError, description: bodyField(body, 'error_description') };
  if (status === 429 || status >= 500) {
    const retryAfterSeconds = parseRetryAfter(headers.get('retry-after'));
    return new TokenEndpointError(status === 429 ? 'rate_limited' : 'server_error', { ...details, retryAfterSeconds });
  }
  return new TokenEndpointError(codeForClientError(status, oauthError), details);
}

function codeForClientError(status: number, oauthError: string | undefined): TokenErrorCode {
  if (status < 400 || status >= 500) return 'bad_response';
  if (oauthError === 'invalid_grant' || oauthError === 'unauthorized_client') return oauthError;
  if (oauthError === 'invalid_client') return 'invalid_client';
  if (oauthError === 'access_denied' && status === 401) return 'invalid_client';
  return 'bad_response';
}

/** A 401 whose message says "scope does not match" needs a new consent; any other 401 is a refused token. */
export function classifyApiUnauthorized(status: number, body: unknown): 'scope_mismatch' | 'unauthorized' | null {
  if (status !== 401) return null;
  const message = typeof body === 'string' ? body : bodyField(body, 'message');
  return message && /scope does not match/i.test(message) ? 'scope_mismatch' : 'unauthorized';
}

export function apiErrorFromResponse(status: number, headers: Headers, body: unknown): ProviderApiError {
  return apiErrorFromStatus(status, headers, classifyApiUnauthorized(status, body));
}
