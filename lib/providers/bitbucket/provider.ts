// Bitbucket Cloud behind the provider interface.
import type { ConnectionProvider, ProviderApp } from '../../oauth/contract';
import { fetchBitbucketProfile, fetchBitbucketWorkspaces } from './client';
import {
  exchangeBitbucketCode,
  processBitbucketTokenResponse,
  refreshBitbucketTokens,
  sendBitbucketCodeRequest,
  sendBitbucketRefreshRequest,
} from './oauth';
import { bitbucketApiUrl, bitbucketAuthorizeUrl, bitbucketWorkspaceApiBase } from './urls';
import { BITBUCKET_WORDING } from './wording';

const DAY_SECONDS = 86_400;
const oauth = (app: ProviderApp) => ({ ...app });
const api = (app: ProviderApp) => ({ apiUrl: app.apiUrl, fetch: app.fetch, timeoutMs: app.timeoutMs });

export const bitbucketProvider: ConnectionProvider = {
  id: 'bitbucket',
  ...BITBUCKET_WORDING,
  // Bitbucket documents no reuse leeway: a rotated token sent again may kill the family.
  reuseLeewaySeconds: 0,
  // "Unused refresh tokens expire after 3 months."
  inactivitySeconds: 90 * DAY_SECONDS,
  proxyPathNamesSite: false,

  authorizeUrl: (app, p) => bitbucketAuthorizeUrl(app.authUrl, { clientId: app.clientId, state: p.state, redirectUri: p.redirectUri }),
  sendRefreshRequest: (app, refreshToken) => sendBitbucketRefreshRequest(oauth(app), refreshToken),
  sendCodeRequest: (app, code, redirectUri) => sendBitbucketCodeRequest(oauth(app), code, redirectUri),
  processTokenResponse: processBitbucketTokenResponse,
  refreshTokens: (app, refreshToken) => refreshBitbucketTokens(oauth(app), refreshToken),
  exchangeCode: (app, code, redirectUri) => exchangeBitbucketCode(oauth(app), code, redirectUri),

  async grantDetails(app, accessToken) {
    const profile = await fetchBitbucketProfile(api(app), accessToken);
    const sites = await fetchBitbucketWorkspaces(api(app), accessToken);
    return { profile, sites };
  },
  // Everything after /proxy/ is a path under {BB_API}: the "site" segment is its first part ("2.0").
  apiRequestUrl: (app, site, path) => bitbucketApiUrl(app.apiUrl, `${encodeURIComponent(site)}/${path.replace(/^\//, '')}`),
  siteApiBaseUrl: (app, siteId) => bitbucketWorkspaceApiBase(app.apiUrl, siteId),
  identityPath: () => ({ site: '2.0', path: 'user' }),
  // 401: the token is refused. 403 says the consumer lacks a permission, but also answers a repository
  // the user may not see: the proxy passes it through rather than ask for a new consent.
  classifyApiRefusal: (status) => (status === 401 ? 'unauthorized' : null),
};
