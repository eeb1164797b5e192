import { describe, expect, it } from 'vitest';
import { ProviderApiError as AtlassianApiError, TokenEndpointError, apiErrorFromThrown, describeTransportFailure, tokenErrorFromThrown } from '../../lib/oauth/errors';
import { apiErrorFromResponse, classifyApiUnauthorized, tokenErrorFromResponse } from '../../lib/providers/atlassian/errors';
import { parseRetryAfter } from '../../lib/retry-after';

function undiciError(code: string, message: string, name = 'Error'): TypeError {
  const cause = Object.assign(new Error(message), { code, name });
  return new TypeError('fetch failed', { cause });
}

const timeoutError = () => new DOMException('The operation was aborted due to timeout', 'TimeoutError');

describe('TokenEndpointError', () => {
  it.each([
    ['invalid_grant', 'terminal', false],
    ['unauthorized_client', 'terminal', false],
    ['invalid_client', 'operator', false],
    ['network', 'transient', false],
    ['server_error', 'transient', false],
    ['rate_limited', 'transient', false],
    ['bad_response', 'transient', false],
    ['timeout', 'transient', true],
    ['outcome_unknown', 'transient', true],
  ] as const)('%s is %s (outcomeUnknown %s)', (code, errorClass, outcomeUnknown) => {
    const err = new TokenEndpointError(code);
    expect(err).toBeInstanceOf(Error);
    expect(err.name).toBe('TokenEndpointError');
    expect(err.errorClass).toBe(errorClass);
    expect(err.outcomeUnknown).toBe(outcomeUnknown);
  });

  it('says code, status and description in one line', () => {
    const err = new TokenEndpointError('invalid_grant', { status: 403, description: 'Unknown or invalid refresh token.' });
    expect(err.message).toBe('Token request failed: invalid_grant (HTTP 403): Unknown or invalid refresh token.');
  });
});

describe('tokenErrorFromResponse', () => {
  const none = new Headers();
  it.each([
    [403, { error: 'invalid_grant' }, 'invalid_grant'],
    [400, { error: 'invalid_grant' }, 'invalid_grant'],
    [403, { error: 'unauthorized_client' }, 'unauthorized_client'],
    [401, { error: 'access_denied' }, 'invalid_client'],
    [401, { error: 'invalid_client' }, 'invalid_client'],
    [400, { error: 'invalid_client' }, 'invalid_client'],
    [403, { error: 'access_denied' }, 'bad_response'],
    [400, { error: 'invalid_request' }, 'bad_response'],
    [403, undefined, 'bad_response'],
    [401, 'not an object', 'bad_response'],
    [404, {}, 'bad_response'],
    [302, undefined, 'bad_response'],
    [500, { error: 'invalid_grant' }, 'server_error'],
    [503, undefined, 'server_error'],
    [429, { error: 'invalid_grant' }, 'rate_limited'],
  ])('%i %j → %s', (status, body, code) => {
    expect(tokenErrorFromResponse(status, none, body).code).toBe(code);
  });

  it('keeps the raw error field and clips provider text to one short line', () => {
    const err = tokenErrorFromResponse(403, none, { error: 'access_denied', error_description: `a\nb${'x'.repeat(1000)}` });
    expect(err.oauthError).toBe('access_denied');
    expect(err.description).toMatch(/^a bx+$/);
    expect(err.description!.length).toBeLessThanOrEqual(300);
  });

  it('reads Retry-After on 429 and 503', () => {
    expect(tokenErrorFromResponse(429, new Headers({ 'retry-after': '7' }), {}).retryAfterSeconds).toBe(7);
    expect(tokenErrorFromResponse(503, new Headers({ 'retry-after': '120' }), {}).retryAfterSeconds).toBe(120);
  });
});

describe('tokenErrorFromThrown', () => {
  it.each([
    ['ECONNREFUSED', undiciError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:1'), 'network', 'network'],
    ['ENOTFOUND', undiciError('ENOTFOUND', 'getaddrinfo ENOTFOUND x.invalid'), 'network', 'network'],
    ['connect timeout', undiciError('UND_ERR_CONNECT_TIMEOUT', 'Connect Timeout Error'), 'network', 'network'],
    ['bare fetch TypeError', new TypeError('fetch failed'), 'network', 'network'],
    ['ECONNRESET', undiciError('ECONNRESET', 'read ECONNRESET'), 'outcome_unknown', 'network'],
    ['EPIPE', undiciError('EPIPE', 'write EPIPE'), 'outcome_unknown', 'network'],
    ['other side closed', undiciError('UND_ERR_SOCKET', 'other side closed', 'SocketError'), 'outcome_unknown', 'network'],
    ['socket hang up', new Error('socket hang up'), 'outcome_unknown', 'network'],
    [
      'body terminated',
      new TypeError('terminated', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }),
      'outcome_unknown',
      'network',
    ],
    ['AbortSignal.timeout', timeoutError(), 'timeout', 'timeout'],
    ['wrapped timeout', new TypeError('fetch failed', { cause: timeoutError() }), 'timeout', 'timeout'],
    ['headers timeout', undiciError('UND_ERR_HEADERS_TIMEOUT', 'Headers Timeout Error'), 'timeout', 'timeout'],
  ])('%s → refresh %s, code grant %s', (_label, err, refreshCode, codeGrantCode) => {
    const refresh = tokenErrorFromThrown(err, 'refresh');
    expect(refresh.code).toBe(refreshCode);
    expect(refresh.errorClass).toBe('transient');
    expect(refresh.cause).toBe(err);
    expect(tokenErrorFromThrown(err, 'code').code).toBe(codeGrantCode);
  });

  it('names the transport code in the message', () => {
    expect(tokenErrorFromThrown(undiciError('ECONNREFUSED', 'x'), 'refresh').message).toBe(
      'Token request failed: network (ECONNREFUSED)',
    );
  });

  it('finds codes inside an AggregateError (happy eyeballs)', () => {
    const aggregate = new AggregateError([Object.assign(new Error('a'), { code: 'ECONNREFUSED' })], 'all failed');
    const failure = describeTransportFailure(new TypeError('fetch failed', { cause: aggregate }));
    expect(failure).toEqual({ timedOut: false, midFlight: false, code: 'ECONNREFUSED' });
  });

  it('passes a TokenEndpointError through unchanged', () => {
    const err = new TokenEndpointError('invalid_grant', { status: 403 });
    expect(tokenErrorFromThrown(err, 'refresh')).toBe(err);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it.each([
    [null, undefined],
    ['', undefined],
    ['soon', undefined],
    ['-5', undefined],
    ['0', 0],
    [' 30 ', 30],
    ['Wed, 01 Jan 2025 00:01:30 GMT', 90],
    ['Tue, 31 Dec 2024 23:00:00 GMT', 0],
  ])('%j → %j', (value, expected) => {
    expect(parseRetryAfter(value, now)).toBe(expected);
  });
});

describe('classifyApiUnauthorized', () => {
  it.each([
    [401, { code: 401, message: 'Unauthorized; scope does not match' }, 'scope_mismatch'],
    [401, 'Unauthorized; scope does not match', 'scope_mismatch'],
    [401, { code: 401, message: 'Unauthorized' }, 'unauthorized'],
    [401, undefined, 'unauthorized'],
    [403, { code: 403, message: 'scope does not match' }, null],
    [200, {}, null],
  ])('%i %j → %s', (status, body, expected) => {
    expect(classifyApiUnauthorized(status, body)).toBe(expected);
  });
});

describe('API errors', () => {
  it.each([
    [401, {}, 'unauthorized'],
    [401, { code: 401, message: 'Unauthorized; scope does not match' }, 'scope_mismatch'],
    [403, {}, 'unexpected_status'],
    [404, {}, 'unexpected_status'],
    [429, {}, 'rate_limited'],
    [502, {}, 'server_error'],
  ])('%i → %s', (status, body, code) => {
    const err = apiErrorFromResponse(status, new Headers({ 'retry-after': '3' }), body);
    expect(err).toBeInstanceOf(AtlassianApiError);
    expect(err.code).toBe(code);
    expect(err.status).toBe(status);
  });

  it('maps transport failures', () => {
    expect(apiErrorFromThrown(timeoutError()).code).toBe('timeout');
    expect(apiErrorFromThrown(undiciError('ECONNRESET', 'read ECONNRESET')).code).toBe('network');
  });
});
