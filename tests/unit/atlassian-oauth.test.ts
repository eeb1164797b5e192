import { inspect } from 'node:util';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ProviderApiError as AtlassianApiError, TokenEndpointError } from '../../lib/oauth/errors';
import { exchangeCode, fetchAccessibleResources, fetchProfile, processTokenResponse, refreshTokens, sendRefreshRequest, type OAuthClientConfig } from '../../lib/providers/atlassian/oauth';

const REFRESH_TOKEN = 'rt-SECRET-eyJhbGciOiJIUzI1NiJ9.refresh.token';
const CLIENT_SECRET = 'cs-SECRET-ATOAxyz0123456789';

interface Call {
  url: string;
  init: RequestInit;
}

type Reply = Response | Error | (() => Response | Promise<Response>);

function fakeFetch(reply: Reply): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fn = async (input: string | URL | Request, init: RequestInit = {}): Promise<Response> => {
    calls.push({ url: String(input), init });
    if (reply instanceof Error) throw reply;
    return typeof reply === 'function' ? reply() : reply;
  };
  return { fetch: fn as typeof fetch, calls };
}

function config(reply: Reply, extra: Partial<OAuthClientConfig> = {}) {
  const fake = fakeFetch(reply);
  const cfg: OAuthClientConfig = {
    authUrl: 'https://auth.example/',
    clientId: 'client-id',
    clientSecret: CLIENT_SECRET,
    fetch: fake.fetch,
    ...extra,
  };
  return { cfg, calls: fake.calls };
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
}

const tokenBody = {
  access_token: 'at-1',
  refresh_token: 'rt-2',
  expires_in: 3600,
  scope: 'read:jira-work offline_access',
  token_type: 'Bearer',
};

function undiciError(code: string, message: string): TypeError {
  return new TypeError('fetch failed', { cause: Object.assign(new Error(message), { code }) });
}

async function refreshError(reply: Reply, extra: Partial<OAuthClientConfig> = {}): Promise<TokenEndpointError> {
  const { cfg } = config(reply, extra);
  const err = await refreshTokens(cfg, REFRESH_TOKEN).then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TokenEndpointError);
  return err as TokenEndpointError;
}

describe('token requests', () => {
  it('posts the refresh grant as JSON to {AUTH}/oauth/token', async () => {
    const { cfg, calls } = config(json(200, tokenBody));
    await refreshTokens(cfg, REFRESH_TOKEN);
    expect(calls).toHaveLength(1);
    expect(calls[0].url).toBe('https://auth.example/oauth/token');
    expect(calls[0].init.method).toBe('POST');
    expect(new Headers(calls[0].init.headers).get('content-type')).toBe('application/json');
    expect(calls[0].init.signal).toBeInstanceOf(AbortSignal);
    expect(calls[0].init.redirect).toBe('manual');
    expect(JSON.parse(String(calls[0].init.body))).toEqual({
      grant_type: 'refresh_token',
      client_id: 'client-id',
      client_secret: CLIENT_SECRET,
      refresh_token: REFRESH_TOKEN,
    });
  });

  it('posts the authorization code grant as JSON', async () => {
    const { cfg, calls } = config(json(200, tokenBody));
    await exchangeCode(cfg, 'the-code', 'http://localhost:3000/api/oauth/callback');
    expect(JSON.parse(String(calls[0].init.body))).toEqual({
      grant_type: 'authorization_code',
      client_id: 'client-id',
      client_secret: CLIENT_SECRET,
      code: 'the-code',
      redirect_uri: 'http://localhost:3000/api/oauth/callback',
    });
  });

  it('returns the token set', async () => {
    const { cfg } = config(json(200, { ...tokenBody, extra: 'ignored' }));
    expect(await refreshTokens(cfg, REFRESH_TOKEN)).toEqual({
      accessToken: 'at-1',
      refreshToken: 'rt-2',
      expiresIn: 3600,
      scope: ['read:jira-work', 'offline_access'],
      tokenType: 'Bearer',
    });
  });

  it('keeps refreshToken undefined when the response has none', async () => {
    const withoutRefresh: Partial<typeof tokenBody> = { ...tokenBody };
    delete withoutRefresh.refresh_token;
    const { cfg } = config(json(200, withoutRefresh));
    const set = await refreshTokens(cfg, REFRESH_TOKEN);
    expect(set.refreshToken).toBeUndefined();
    expect(set.accessToken).toBe('at-1');
  });

  it('defaults missing scope and token_type', async () => {
    const { cfg } = config(json(200, { access_token: 'a', expires_in: 60 }));
    expect(await refreshTokens(cfg, REFRESH_TOKEN)).toMatchObject({ scope: [], tokenType: 'Bearer' });
  });

  it('treats tokens as opaque strings of any length', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ minLength: 1, maxLength: 5000, unit: 'grapheme' }),
        fc.string({ minLength: 1, maxLength: 5000, unit: 'grapheme' }),
        async (accessToken, refreshToken) => {
          const body = { ...tokenBody, access_token: accessToken, refresh_token: refreshToken };
          const set = await processTokenResponse(json(200, body));
          expect(set.accessToken).toBe(accessToken);
          expect(set.refreshToken).toBe(refreshToken);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('applies timeoutMs as a hard timeout', async () => {
    const hang = (_input: unknown, init: RequestInit = {}) =>
      new Promise<Response>((_resolve, reject) => {
        init.signal?.addEventListener('abort', () => reject(init.signal?.reason));
      });
    const started = Date.now();
    const err = await refreshError(new Error('unused'), { fetch: hang as typeof fetch, timeoutMs: 50 });
    expect(err.code).toBe('timeout');
    expect(err.outcomeUnknown).toBe(true);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('sendRefreshRequest returns the raw response and lets fetch errors through', async () => {
    const ok = config(json(403, { error: 'invalid_grant' }));
    expect((await sendRefreshRequest(ok.cfg, REFRESH_TOKEN)).status).toBe(403);
    const refused = undiciError('ECONNREFUSED', 'connect ECONNREFUSED');
    await expect(sendRefreshRequest(config(refused).cfg, REFRESH_TOKEN)).rejects.toBe(refused);
  });
});

describe('token error classification', () => {
  it.each([
    [403, { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' }, 'invalid_grant', 'terminal'],
    [403, { error: 'unauthorized_client', error_description: 'refresh_token is invalid' }, 'unauthorized_client', 'terminal'],
    [400, { error: 'invalid_grant' }, 'invalid_grant', 'terminal'],
    [401, { error: 'access_denied', error_description: 'Unauthorized' }, 'invalid_client', 'operator'],
    [401, { error: 'invalid_client' }, 'invalid_client', 'operator'],
    [403, { error: 'access_denied' }, 'bad_response', 'transient'],
    [400, { error: 'invalid_request' }, 'bad_response', 'transient'],
    [404, { message: 'Not found' }, 'bad_response', 'transient'],
    [500, { error: 'server_error' }, 'server_error', 'transient'],
    [503, { error: 'invalid_grant' }, 'server_error', 'transient'],
    [429, {}, 'rate_limited', 'transient'],
  ])('%i %j → %s (%s)', async (status, body, code, errorClass) => {
    const err = await refreshError(json(status, body));
    expect(err.code).toBe(code);
    expect(err.errorClass).toBe(errorClass);
    expect(err.status).toBe(status);
    expect(err.outcomeUnknown).toBe(false);
  });

  it('keeps the error_description of a dead refresh token', async () => {
    const err = await refreshError(json(403, { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' }));
    expect(err.description).toBe('Unknown or invalid refresh token.');
    expect(err.oauthError).toBe('invalid_grant');
  });

  it('reads Retry-After in seconds', async () => {
    const err = await refreshError(json(429, {}, { 'retry-after': '42' }));
    expect(err.retryAfterSeconds).toBe(42);
  });

  it('reads Retry-After as an HTTP-date', async () => {
    const inOneMinute = new Date(Date.now() + 60_000).toUTCString();
    const err = await refreshError(json(429, {}, { 'retry-after': inOneMinute }));
    expect(err.retryAfterSeconds).toBeGreaterThanOrEqual(58);
    expect(err.retryAfterSeconds).toBeLessThanOrEqual(60);
  });

  it('leaves retryAfterSeconds undefined without Retry-After', async () => {
    const err = await refreshError(json(429, { message: 'slow down' }));
    expect(err.code).toBe('rate_limited');
    expect(err.retryAfterSeconds).toBeUndefined();
  });

  it.each([
    ['non-JSON 2xx', () => new Response('<html>ok</html>', { status: 200 }), 'bad_response'],
    ['empty 2xx', () => new Response(null, { status: 204 }), 'bad_response'],
    ['2xx without access_token', () => json(200, { expires_in: 3600 }), 'bad_response'],
    ['2xx with empty access_token', () => json(200, { ...tokenBody, access_token: '' }), 'bad_response'],
    ['2xx with string expires_in', () => json(200, { ...tokenBody, expires_in: '3600' }), 'bad_response'],
    ['2xx with zero expires_in', () => json(200, { ...tokenBody, expires_in: 0 }), 'bad_response'],
    ['2xx with negative expires_in', () => json(200, { ...tokenBody, expires_in: -1 }), 'bad_response'],
    ['2xx JSON array', () => json(200, [tokenBody]), 'bad_response'],
    ['non-JSON 401', () => new Response('Unauthorized', { status: 401 }), 'bad_response'],
    ['non-JSON 502', () => new Response('<html>Bad gateway</html>', { status: 502 }), 'server_error'],
    ['redirect', () => new Response(null, { status: 302, headers: { location: 'https://elsewhere/' } }), 'bad_response'],
  ])('%s → %s', async (_label, reply, code) => {
    const err = await refreshError(reply);
    expect(err.code).toBe(code);
    expect(err.errorClass).toBe('transient');
  });

  it('names the invalid fields of an unusable 2xx, not their values', async () => {
    const err = await refreshError(json(200, { access_token: 42, expires_in: 'soon', refresh_token: REFRESH_TOKEN }));
    expect(err.description).toContain('access_token');
    expect(err.description).toContain('expires_in');
    expect(err.message).not.toContain('soon');
  });

  it.each([
    ['connection refused', undiciError('ECONNREFUSED', 'connect ECONNREFUSED 127.0.0.1:443'), 'network', false, 'network'],
    ['DNS failure', undiciError('ENOTFOUND', 'getaddrinfo ENOTFOUND auth.example'), 'network', false, 'network'],
    ['bare fetch TypeError', new TypeError('fetch failed'), 'network', false, 'network'],
    ['reset after send', undiciError('ECONNRESET', 'read ECONNRESET'), 'outcome_unknown', true, 'network'],
    ['socket hang up', undiciError('ECONNRESET', 'socket hang up'), 'outcome_unknown', true, 'network'],
    ['other side closed', undiciError('UND_ERR_SOCKET', 'other side closed'), 'outcome_unknown', true, 'network'],
    ['timeout', new DOMException('The operation was aborted due to timeout', 'TimeoutError'), 'timeout', true, 'timeout'],
  ])('%s → refresh %s (outcomeUnknown %s), code exchange %s', async (_label, thrown, code, unknown, codeGrant) => {
    const err = await refreshError(thrown);
    expect(err.code).toBe(code);
    expect(err.outcomeUnknown).toBe(unknown);
    expect(err.errorClass).toBe('transient');
    const exchangeErr = await exchangeCode(config(thrown).cfg, 'c', 'http://cb').catch((e: unknown) => e);
    expect((exchangeErr as TokenEndpointError).code).toBe(codeGrant);
  });

  it('maps a connection lost while reading the body of a refresh to outcome_unknown', async () => {
    const broken = new ReadableStream({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"access_token":'));
        controller.error(new TypeError('terminated', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) }));
      },
    });
    const err = await refreshError(() => new Response(broken, { status: 200 }));
    expect(err.code).toBe('outcome_unknown');
  });

  it('never puts the refresh token or client secret in an error', async () => {
    const echo = { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' };
    const replies: Reply[] = [
      json(403, echo),
      json(401, { error: 'access_denied' }),
      json(500, {}),
      json(429, {}),
      json(200, { refresh_token: REFRESH_TOKEN }),
      new Response(`not json ${REFRESH_TOKEN}`, { status: 200 }),
      undiciError('ECONNRESET', 'read ECONNRESET'),
      new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
    ];
    for (const reply of replies) {
      const err = await refreshError(reply);
      for (const text of [err.message, String(err), inspect(err, { depth: 10 }), JSON.stringify(err)]) {
        expect(text).not.toContain(REFRESH_TOKEN);
        expect(text).not.toContain(CLIENT_SECRET);
      }
    }
  });
});

describe('fetchAccessibleResources', () => {
  const site = {
    id: '11223344-a1b2-3b33-c444-def123456789',
    name: 'acme',
    url: 'https://acme.atlassian.net',
    scopes: ['read:jira-work'],
    avatarUrl: 'https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240/flag.png',
  };

  it('GETs the resources with the bearer token and validates them', async () => {
    const { fetch, calls } = fakeFetch(json(200, [site, { ...site, id: 'c2', avatarUrl: undefined, extra: 1 }]));
    const sites = await fetchAccessibleResources({ apiUrl: 'https://api.example/', fetch }, 'at-1');
    expect(calls[0].url).toBe('https://api.example/oauth/token/accessible-resources');
    expect(new Headers(calls[0].init.headers).get('authorization')).toBe('Bearer at-1');
    expect(sites).toEqual([site, { id: 'c2', name: 'acme', url: site.url, scopes: ['read:jira-work'] }]);
  });

  it.each([
    ['401', json(401, { code: 401, message: 'Unauthorized' }), 'unauthorized'],
    ['401 scope mismatch', json(401, { code: 401, message: 'Unauthorized; scope does not match' }), 'scope_mismatch'],
    ['bad shape', json(200, [{ id: 'x' }]), 'bad_response'],
    ['not an array', json(200, { sites: [] }), 'bad_response'],
    ['500', json(500, {}), 'server_error'],
    ['429', json(429, {}, { 'retry-after': '5' }), 'rate_limited'],
    ['network', undiciError('ECONNREFUSED', 'connect ECONNREFUSED'), 'network'],
    ['timeout', new DOMException('The operation was aborted due to timeout', 'TimeoutError'), 'timeout'],
  ])('%s → %s', async (_label, reply, code) => {
    const { fetch } = fakeFetch(reply);
    const err = await fetchAccessibleResources({ apiUrl: 'https://api.example', fetch }, 'at-1').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AtlassianApiError);
    expect((err as AtlassianApiError).code).toBe(code);
    expect((err as AtlassianApiError).message).not.toContain('at-1');
  });
});

describe('fetchProfile', () => {
  it('GETs {API}/me and maps the profile', async () => {
    const me = { account_id: 'acc-1', email: 'a@b.c', name: 'Ada', picture: 'https://p/x.png', nickname: 'ada' };
    const { fetch, calls } = fakeFetch(json(200, me));
    const profile = await fetchProfile({ apiUrl: 'https://api.example', fetch }, 'at-1');
    expect(calls[0].url).toBe('https://api.example/me');
    expect(profile).toEqual({ accountId: 'acc-1', email: 'a@b.c', name: 'Ada', picture: 'https://p/x.png' });
  });

  it('omits a missing picture and rejects a profile without account_id', async () => {
    const ok = fakeFetch(json(200, { account_id: 'acc-1', email: 'a@b.c', name: 'Ada' }));
    expect(await fetchProfile({ apiUrl: 'https://api.example', fetch: ok.fetch }, 't')).toEqual({
      accountId: 'acc-1',
      email: 'a@b.c',
      name: 'Ada',
    });
    const bad = fakeFetch(json(200, { email: 'a@b.c', name: 'Ada' }));
    await expect(fetchProfile({ apiUrl: 'https://api.example', fetch: bad.fetch }, 't')).rejects.toMatchObject({
      code: 'bad_response',
    });
  });

  it('throws unauthorized on 401', async () => {
    const { fetch } = fakeFetch(json(401, { code: 401, message: 'Unauthorized' }));
    await expect(fetchProfile({ apiUrl: 'https://api.example', fetch }, 't')).rejects.toMatchObject({
      code: 'unauthorized',
      status: 401,
    });
  });
});
