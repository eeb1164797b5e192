// Bitbucket's token-endpoint answers as TokenEndpointError codes (docs/bitbucket.md). Bitbucket answers a dead
// refresh token with 400 invalid_request "Invalid refresh_token", so `error` alone cannot decide:
//   invalid_request + "Invalid refresh_token" → invalid_refresh_token  terminal (revoked)
//   invalid_grant                              → invalid_grant          terminal (revoked)
//   any other invalid_request, unsupported_grant_type, unauthorized_client
//                                              → invalid_request        operator (a malformed request)
//   invalid_client, or any 401                 → invalid_client         operator
//   429, 5xx                                   → rate_limited / server_error, transient (+ Retry-After)
//   anything else                              → bad_response           transient
import { apiErrorFromStatus, bodyField, TokenEndpointError, type ProviderApiError, type TokenErrorCode } from '../../oauth/errors';
import { parseRetryAfter } from '../../retry-after';

const DEAD_REFRESH_TOKEN = /^invalid refresh_token\.?$/i;
const MALFORMED = new Set(['invalid_request', 'unsupported_grant_type', 'unauthorized_client', 'invalid_scope']);

export function bitbucketTokenError(status: number, headers: Headers, body: unknown): TokenEndpointError {
  const oauthError = bodyField(body, 'error');
  const description = bodyField(body, 'error_description');
  const details = { status, oauthError, description };
  if (status === 429 || status >= 500) {
    const retryAfterSeconds = parseRetryAfter(headers.get('retry-after'));
    return new TokenEndpointError(status === 429 ? 'rate_limited' : 'server_error', { ...details, retryAfterSeconds });
  }
  return new TokenEndpointError(codeFor(status, oauthError, description), details);
}

function codeFor(status: number, oauthError: string | undefined, description: string | undefined): TokenErrorCode {
  if (status < 400 || status >= 500) return 'bad_response';
  if (oauthError === 'invalid_client' || status === 401) return 'invalid_client';
  if (oauthError === 'invalid_grant') return 'invalid_grant';
  if (oauthError === 'invalid_request' && DEAD_REFRESH_TOKEN.test((description ?? '').trim())) return 'invalid_refresh_token';
  if (oauthError && MALFORMED.has(oauthError)) return 'invalid_request';
  return 'bad_response';
}

/** 401: the token is refused; 403: a permission the consumer lacks (a new consent is needed). */
export function bitbucketApiError(status: number, headers: Headers): ProviderApiError {
  const refusal = status === 401 ? 'unauthorized' : status === 403 ? 'scope_mismatch' : null;
  return apiErrorFromStatus(status, headers, refusal);
}
