import { describe, expect, it } from 'vitest';
import { ProviderApiError as AtlassianApiError, TokenEndpointError } from '../../lib/oauth/errors';
import type { OAuthClientConfig } from '../../lib/providers/atlassian/oauth';
import { fetchBitbucketProfile, fetchBitbucketWorkspaces } from '../../lib/providers/bitbucket/client';
import { bitbucketTokenError } from '../../lib/providers/bitbucket/errors';
import { exchangeBitbucketCode, processBitbucketTokenResponse, refreshBitbucketTokens, sendBitbucketRefreshRequest } from '../../lib/providers/bitbucket/oauth';
import { bitbucketApiUrl, bitbucketAuthorizeUrl } from '../../lib/providers/bitbucket/urls';

const SECRET = 'bb-SECRET-consumer-0123456789';
const REFRESH = 'bb-RT-SECRET-abcdef';

interface Call {
  url: string;
  init: RequestInit;
}

function fake(replies: Array<Response | Error>): { fetch: typeof fetch; calls: Call[] } {
  const calls: Call[] = [];
  const fn = async (input: string | URL | Request, init: RequestInit = {}) => {
    calls.push({ url: String(input), init });
    const reply = replies.shift();
    if (!reply) throw new Error('no more replies');
    if (reply instanceof Error) throw reply;
    return reply;
  };
  return { fetch: fn as typeof fetch, calls };
}

function cfg(replies: Array<Response | Error>): { cfg: OAuthClientConfig; calls: Call[] } {
  const f = fake(replies);
  return { cfg: { authUrl: 'https://bb.example/', clientId: 'key-1', clientSecret: SECRET, fetch: f.fetch }, calls: f.calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });

const TOKENS = { access_token: 'at-1', refresh_token: 'rt-2', expires_in: 7200, token_type: 'bearer', scope: 'account email' };

describe('token requests on the wire', () => {
  it('posts a form to /site/oauth2/access_token with HTTP Basic client authentication', async () => {
    const { cfg: c, calls } = cfg([json(200, TOKENS)]);
    await sendBitbucketRefreshRequest(c, REFRESH);
    const call = calls[0]!;
    expect(call.url).toBe('https://bb.example/site/oauth2/access_token');
    expect(call.init.method).toBe('POST');
    const headers = new Headers(call.init.headers);
    expect(headers.get('content-type')).toBe('application/x-www-form-urlencoded');
    expect(headers.get('authorization')).toBe(`Basic ${Buffer.from(`key-1:${SECRET}`).toString('base64')}`);
    const body = new URLSearchParams(String(call.init.body));
    expect(Object.fromEntries(body)).toEqual({ grant_type: 'refresh_token', refresh_token: REFRESH });
    expect(call.init.redirect).toBe('manual');
  });

  it('sends the code (and the redirect_uri when given) for the authorization_code grant', async () => {
    const { cfg: c, calls } = cfg([json(200, TOKENS)]);
    await exchangeBitbucketCode(c, 'code-1', 'https://app.example/api/oauth/callback');
    expect(Object.fromEntries(new URLSearchParams(String(calls[0]!.init.body)))).toEqual({
      grant_type: 'authorization_code',
      code: 'code-1',
      redirect_uri: 'https://app.example/api/oauth/callback',
    });
  });
});

describe('processing token responses', () => {
  it('reads `scope`, or the older `scopes`', async () => {
    expect(await processBitbucketTokenResponse(json(200, TOKENS))).toEqual({
      accessToken: 'at-1',
      refreshToken: 'rt-2',
      expiresIn: 7200,
      scope: ['account', 'email'],
      tokenType: 'bearer',
    });
    const older = await processBitbucketTokenResponse(json(200, { ...TOKENS, scope: undefined, scopes: 'account repository' }));
    expect(older.scope).toEqual(['account', 'repository']);
  });

  it('turns an unusable 2xx into bad_response naming fields, never values', async () => {
    const err = await processBitbucketTokenResponse(json(200, { access_token: 'at-SECRET', expires_in: 'soon' })).catch((e) => e);
    expect(err).toBeInstanceOf(TokenEndpointError);
    expect(err.code).toBe('bad_response');
    expect(err.message).toContain('expires_in');
    expect(err.message).not.toContain('at-SECRET');
  });
});

describe('classification (SPEC 1b)', () => {
  const cases: Array<[string, number, unknown, string, string]> = [
    ['dead refresh token', 400, { error: 'invalid_request', error_description: 'Invalid refresh_token' }, 'invalid_refresh_token', 'terminal'],
    ['invalid_grant', 400, { error: 'invalid_grant', error_description: 'Invalid refresh_token' }, 'invalid_grant', 'terminal'],
    ['malformed request', 400, { error: 'invalid_request', error_description: 'Missing refresh_token parameter' }, 'invalid_request', 'operator'],
    ['unsupported content', 400, { error: 'invalid_request', error_description: 'Unsupported content type' }, 'invalid_request', 'operator'],
    ['unsupported grant', 400, { error: 'unsupported_grant_type' }, 'invalid_request', 'operator'],
    ['wrong client credentials', 401, { error: 'invalid_client', error_description: 'Invalid OAuth client credentials' }, 'invalid_client', 'operator'],
    ['401 without a body', 401, undefined, 'invalid_client', 'operator'],
    ['server error', 500, { error: 'server_error' }, 'server_error', 'transient'],
    ['bad gateway page', 502, undefined, 'server_error', 'transient'],
    ['rate limited', 429, { error: 'too_many_requests' }, 'rate_limited', 'transient'],
    ['unknown 4xx', 418, { error: 'teapot' }, 'bad_response', 'transient'],
  ];
  for (const [name, status, body, code, errorClass] of cases) {
    it(`${name}: ${status} → ${code} (${errorClass})`, () => {
      const err = bitbucketTokenError(status, new Headers(), body);
      expect(err.code).toBe(code);
      expect(err.errorClass).toBe(errorClass);
    });
  }

  it('keeps Retry-After of a 429 and the description of a dead token', async () => {
    const { cfg: c } = cfg([json(429, {}, { 'retry-after': '12' })]);
    const limited = await refreshBitbucketTokens(c, REFRESH).catch((e) => e);
    expect(limited).toMatchObject({ code: 'rate_limited', retryAfterSeconds: 12 });
    const { cfg: d } = cfg([json(400, { error: 'invalid_request', error_description: 'Invalid refresh_token' })]);
    const dead = await refreshBitbucketTokens(d, REFRESH).catch((e) => e);
    expect(dead).toMatchObject({ code: 'invalid_refresh_token', oauthError: 'invalid_request', description: 'Invalid refresh_token' });
    expect(dead.message).not.toContain(REFRESH);
    expect(dead.message).not.toContain(SECRET);
  });

  it('maps a timeout to a transient, outcome-unknown error and a reset mid-refresh to outcome_unknown', async () => {
    const timeout = Object.assign(new Error('The operation was aborted due to timeout'), { name: 'TimeoutError' });
    const { cfg: c } = cfg([timeout]);
    expect(await refreshBitbucketTokens(c, REFRESH).catch((e) => e)).toMatchObject({ code: 'timeout', outcomeUnknown: true, errorClass: 'transient' });
    const reset = new TypeError('fetch failed', { cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }) });
    const { cfg: d } = cfg([reset]);
    expect(await refreshBitbucketTokens(d, REFRESH).catch((e) => e)).toMatchObject({ code: 'outcome_unknown', outcomeUnknown: true });
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    const { cfg: e } = cfg([refused]);
    expect(await refreshBitbucketTokens(e, REFRESH).catch((x) => x)).toMatchObject({ code: 'network', outcomeUnknown: false });
  });
});

describe('identity and workspaces', () => {
  const api = (replies: Array<Response | Error>) => {
    const f = fake(replies);
    return { cfg: { apiUrl: 'https://api.bb.example', fetch: f.fetch }, calls: f.calls };
  };
  const membership = (uuid: string, slug: string) => ({
    permission: 'member',
    workspace: { uuid, slug, name: slug.toUpperCase(), links: { html: { href: `https://bitbucket.org/${slug}/` } } },
  });

  it('builds the profile from /2.0/user (uuid as account id) and the primary confirmed email', async () => {
    const { cfg: c, calls } = api([
      json(200, { uuid: '{u-1}', account_id: '557058:x', display_name: 'Alice', nickname: 'alice' }),
      json(200, { values: [{ email: 'old@x.example', is_primary: false, is_confirmed: true }, { email: 'Alice@X.example', is_primary: true, is_confirmed: true }] }),
    ]);
    expect(await fetchBitbucketProfile(c, 'at')).toEqual({ accountId: '{u-1}', email: 'alice@x.example', name: 'Alice', emailVerified: true });
    expect(calls.map((x) => x.url)).toEqual(['https://api.bb.example/2.0/user', 'https://api.bb.example/2.0/user/emails']);
    expect(new Headers(calls[0]!.init.headers).get('authorization')).toBe('Bearer at');
  });

  it('follows `next` through every page of workspaces', async () => {
    const { cfg: c, calls } = api([
      json(200, { values: [membership('{w1}', 'one')], next: 'https://api.bb.example/2.0/user/permissions/workspaces?page=2' }),
      json(200, { values: [membership('{w2}', 'two')] }),
    ]);
    const sites = await fetchBitbucketWorkspaces(c, 'at');
    expect(sites).toEqual([
      { id: '{w1}', name: 'ONE', url: 'https://bitbucket.org/one/', scopes: ['member'] },
      { id: '{w2}', name: 'TWO', url: 'https://bitbucket.org/two/', scopes: ['member'] },
    ]);
    expect(calls[0]!.url).toBe('https://api.bb.example/2.0/user/permissions/workspaces?pagelen=100');
    expect(calls).toHaveLength(2);
  });

  it('never sends the token to a `next` link on another origin', async () => {
    const { cfg: c, calls } = api([json(200, { values: [membership('{w1}', 'one')], next: 'https://evil.example/steal' })]);
    await expect(fetchBitbucketWorkspaces(c, 'at')).rejects.toBeInstanceOf(AtlassianApiError);
    expect(calls).toHaveLength(1);
  });

  it('answers 401 as unauthorized and 403 as a missing permission', async () => {
    const { cfg: c } = api([json(401, { type: 'error', error: { message: 'Access token expired.' } })]);
    await expect(fetchBitbucketProfile(c, 'at')).rejects.toMatchObject({ code: 'unauthorized' });
    const { cfg: d } = api([json(200, { uuid: '{u}' }), json(403, { type: 'error', error: { message: 'lack scopes' } })]);
    await expect(fetchBitbucketProfile(d, 'at')).rejects.toMatchObject({ code: 'scope_mismatch' });
  });
});

describe('urls', () => {
  it('builds the authorize URL without a scope and with the callback', () => {
    const url = new URL(bitbucketAuthorizeUrl('https://bitbucket.org/', { clientId: 'k', state: 's t', redirectUri: 'https://app/cb' }));
    expect(url.origin + url.pathname).toBe('https://bitbucket.org/site/oauth2/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({ client_id: 'k', response_type: 'code', state: 's t', redirect_uri: 'https://app/cb' });
  });

  it('keeps proxied paths under {BB_API}', () => {
    expect(bitbucketApiUrl('https://api.bitbucket.org', '2.0/user?fields=uuid')).toBe('https://api.bitbucket.org/2.0/user?fields=uuid');
    for (const bad of ['', '../x', '2.0/%2e%2e/%2e%2e/x', 'https://evil.example/x', '//evil.example/x', '2.0//user']) {
      expect(() => bitbucketApiUrl('https://api.bitbucket.org', bad)).toThrow();
    }
  });
});
