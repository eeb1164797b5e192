import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { accessibleResourcesUrl, authorizeUrl, productApiUrl, profileUrl, tokenUrl } from '../../lib/providers/atlassian/urls';

const API = 'https://api.atlassian.com';
const CLOUD = '11223344-a1b2-3b33-c444-def123456789';

describe('authorizeUrl', () => {
  const params = {
    clientId: 'client-1',
    redirectUri: 'http://localhost:3000/api/oauth/callback',
    scopes: ['read:jira-work', 'read:me', 'offline_access'],
    state: 'st&ate=1',
  };

  it('carries every parameter Atlassian requires', () => {
    const url = new URL(authorizeUrl('https://auth.atlassian.com', params));
    expect(url.origin + url.pathname).toBe('https://auth.atlassian.com/authorize');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      audience: 'api.atlassian.com',
      client_id: 'client-1',
      scope: 'read:jira-work read:me offline_access',
      redirect_uri: 'http://localhost:3000/api/oauth/callback',
      state: 'st&ate=1',
      response_type: 'code',
      prompt: 'consent',
    });
  });

  it('encodes spaces in scope as %20', () => {
    expect(authorizeUrl('https://auth.atlassian.com', params)).toContain('scope=read%3Ajira-work%20read%3Ame%20offline_access');
  });

  it('adds login_hint only when given, and tolerates a trailing slash', () => {
    const url = new URL(authorizeUrl('http://127.0.0.1:4000/auth/', { ...params, loginHint: 'a@b.c' }));
    expect(url.pathname).toBe('/auth/authorize');
    expect(url.searchParams.get('login_hint')).toBe('a@b.c');
    expect(new URL(authorizeUrl('http://x', params)).searchParams.has('login_hint')).toBe(false);
  });
});

describe('endpoint URLs', () => {
  it.each([
    [tokenUrl, 'https://auth.atlassian.com', 'https://auth.atlassian.com/oauth/token'],
    [tokenUrl, 'http://localhost:4000/sim/', 'http://localhost:4000/sim/oauth/token'],
    [accessibleResourcesUrl, API, `${API}/oauth/token/accessible-resources`],
    [accessibleResourcesUrl, `${API}/`, `${API}/oauth/token/accessible-resources`],
    [profileUrl, `${API}//`, `${API}/me`],
  ])('%o(%s) = %s', (fn, base, expected) => {
    expect(fn(base)).toBe(expected);
  });
});

describe('productApiUrl', () => {
  it.each([
    ['jira', 'rest/api/3/myself', `${API}/ex/jira/${CLOUD}/rest/api/3/myself`],
    ['jira', '/rest/api/3/myself', `${API}/ex/jira/${CLOUD}/rest/api/3/myself`],
    ['jira', 'rest/api/3/search?jql=a..b%20%2F%2F', `${API}/ex/jira/${CLOUD}/rest/api/3/search?jql=a..b%20%2F%2F`],
    ['confluence', 'wiki/rest/api/user/current', `${API}/ex/confluence/${CLOUD}/wiki/rest/api/user/current`],
    ['confluence', 'wiki/rest/api/content/', `${API}/ex/confluence/${CLOUD}/wiki/rest/api/content/`],
  ] as const)('builds %s %s', (product, path, expected) => {
    expect(productApiUrl(API, product, CLOUD, path)).toBe(expected);
    expect(productApiUrl(`${API}/`, product, CLOUD, path)).toBe(expected);
  });

  it.each([
    '',
    '../x',
    'rest/../../oauth/token',
    'rest/api/..',
    './x',
    'a/./b',
    '//evil.example/x',
    'a//b',
    'https://evil.example/x',
    'http:evil.example',
    '%2e%2e/x',
    'rest/%2E%2E/%2e%2E/oauth',
    '.%2e/x',
    'rest%2F..%2F..%2Fx',
    '%252e%252e/x',
    'a\\..\\b',
    'a%5c..%5cb',
    'a%zz',
    'a#fragment',
    'a\n/b',
  ])('rejects the escaping path %j', (path) => {
    expect(() => productApiUrl(API, 'jira', CLOUD, path)).toThrow();
  });

  it.each(['', '../x', 'a/b', 'a.b', 'a b', '%2e', 'abc?x=1'])('rejects the cloud id %j', (cloudId) => {
    expect(() => productApiUrl(API, 'jira', cloudId, 'rest/api/3/myself')).toThrow();
  });

  it('never yields a URL outside the product prefix, whatever the path', () => {
    const prefix = `${API}/ex/jira/${CLOUD}/`;
    const piece = fc.constantFrom('..', '.', '/', '%2e', '%2E', '%2f', '%5c', '\\', '%25', 'a', '?', ':', 'http', '//');
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.array(piece, { maxLength: 12 }).map((p) => p.join(''))), (path) => {
        let url: string;
        try {
          url = productApiUrl(API, 'jira', CLOUD, path);
        } catch {
          return;
        }
        expect(new URL(url).href.startsWith(prefix)).toBe(true);
        expect(url.startsWith(prefix)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });
});
