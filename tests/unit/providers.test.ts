import { describe, expect, it } from 'vitest';
import { providerFor, siteNoun } from '../../lib/providers';
import { productApps } from '../../lib/providers/apps';

const app = { authUrl: 'https://auth.example', apiUrl: 'https://api.example/', clientId: 'c', clientSecret: 's' };

describe('providers by product', () => {
  it('gives Jira and Confluence the Atlassian provider and Bitbucket its own', () => {
    expect(providerFor('jira').id).toBe('atlassian');
    expect(providerFor('confluence').id).toBe('atlassian');
    expect(providerFor('bitbucket').id).toBe('bitbucket');
    expect(providerFor('jira').reuseLeewaySeconds).toBe(600);
    expect(providerFor('bitbucket').reuseLeewaySeconds).toBe(0);
  });

  it('authorizes Atlassian with product scopes and Bitbucket with none (the consumer fixes them)', () => {
    const jira = new URL(providerFor('jira').authorizeUrl(app, { state: 's', redirectUri: 'https://app/cb', purpose: 'connect' }));
    expect(jira.pathname).toBe('/authorize');
    expect(jira.searchParams.get('scope')).toContain('read:jira-work');
    expect(jira.searchParams.get('scope')).toContain('offline_access');
    const bb = new URL(providerFor('bitbucket').authorizeUrl(app, { state: 's', redirectUri: 'https://app/cb', purpose: 'connect' }));
    expect(bb.pathname).toBe('/site/oauth2/authorize');
    expect(bb.searchParams.has('scope')).toBe(false);
    expect(bb.searchParams.get('redirect_uri')).toBe('https://app/cb');
  });

  it('builds proxy targets: /ex/{product}/{cloudid}/… for Atlassian, the path under {BB_API} for Bitbucket', () => {
    expect(providerFor('jira').apiRequestUrl(app, 'abc-1', 'rest/api/3/myself')).toBe('https://api.example/ex/jira/abc-1/rest/api/3/myself');
    expect(providerFor('bitbucket').apiRequestUrl(app, '2.0', 'user')).toBe('https://api.example/2.0/user');
    expect(providerFor('bitbucket').apiRequestUrl(app, '2.0', 'repositories/acme?page=2')).toBe('https://api.example/2.0/repositories/acme?page=2');
    expect(() => providerFor('bitbucket').apiRequestUrl(app, '..', 'x')).toThrow();
    expect(() => providerFor('bitbucket').apiRequestUrl(app, '2.0', '../../x')).toThrow();
  });

  it('names site API bases and identity calls', () => {
    expect(providerFor('confluence').siteApiBaseUrl(app, 'abc')).toBe('https://api.example/ex/confluence/abc');
    expect(providerFor('bitbucket').siteApiBaseUrl(app, '{w-1}')).toBe('https://api.example/2.0/repositories/%7Bw-1%7D');
    expect(providerFor('jira').identityPath('abc')).toEqual({ site: 'abc', path: 'rest/api/3/myself' });
    expect(providerFor('bitbucket').identityPath('{w-1}')).toEqual({ site: '2.0', path: 'user' });
  });

  it('checks the proxy site segment against the connection sites only for Atlassian', () => {
    expect(providerFor('jira').proxyPathNamesSite).toBe(true);
    expect(providerFor('bitbucket').proxyPathNamesSite).toBe(false);
  });

  it('calls Bitbucket sites workspaces, and gives each product its own configured app', () => {
    expect([siteNoun('jira'), siteNoun('bitbucket'), siteNoun('bitbucket', 1)]).toEqual(['sites', 'workspaces', 'workspace']);
    const atlassian = { ...app, clientId: 'atl' };
    const bitbucket = { ...app, clientId: 'bb' };
    const apps = productApps({ atlassian, bitbucket, products: ['jira', 'bitbucket'] });
    expect(apps('jira')?.clientId).toBe('atl');
    expect(apps('bitbucket')?.clientId).toBe('bb');
    expect(apps('confluence')).toBeUndefined();
  });

  it('classifies API refusals per provider', () => {
    const scope = { code: 401, message: 'Unauthorized; scope does not match' };
    expect(providerFor('jira').classifyApiRefusal(401, scope)).toBe('scope_mismatch');
    expect(providerFor('bitbucket').classifyApiRefusal(401, { type: 'error', error: { message: 'Access token expired.' } })).toBe('unauthorized');
    expect(providerFor('bitbucket').classifyApiRefusal(403, {})).toBeNull();
  });
});
