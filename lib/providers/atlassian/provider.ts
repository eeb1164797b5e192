// Atlassian's 3LO apps (Jira, Confluence) behind the provider interface.
import type { ConnectionProvider, ProviderApp } from '../../oauth/contract';
import { classifyApiUnauthorized } from './errors';
import {
  exchangeCode,
  fetchAccessibleResources,
  fetchProfile,
  processTokenResponse,
  refreshTokens,
  sendCodeRequest,
  sendRefreshRequest,
} from './oauth';
import { IDENTITY_PATH, scopesForConnect, siteHasProduct, type AtlassianProduct } from './products';
import { authorizeUrl, productApiUrl } from './urls';
import { ATLASSIAN_WORDING } from './wording';

const DAY_SECONDS = 86_400;
/** Atlassian accepts a rotated refresh token again for 10 minutes (its reuse leeway). */
export const ATLASSIAN_REUSE_LEEWAY_SECONDS = 600;
const api = (app: ProviderApp) => ({ apiUrl: app.apiUrl, fetch: app.fetch, timeoutMs: app.timeoutMs });

export function atlassianProvider(product: AtlassianProduct): ConnectionProvider {
  return {
    id: 'atlassian',
    ...ATLASSIAN_WORDING,
    reuseLeewaySeconds: ATLASSIAN_REUSE_LEEWAY_SECONDS,
    inactivitySeconds: 90 * DAY_SECONDS,
    proxyPathNamesSite: true,

    authorizeUrl: (app, p) =>
      authorizeUrl(app.authUrl, {
        clientId: app.clientId,
        redirectUri: p.redirectUri,
        scopes: p.purpose === 'signin' ? ['read:me'] : scopesForConnect(product),
        state: p.state,
      }),
    sendRefreshRequest: (app, refreshToken) => sendRefreshRequest(app, refreshToken),
    sendCodeRequest: (app, code, redirectUri) => sendCodeRequest(app, code, redirectUri),
    processTokenResponse,
    refreshTokens: (app, refreshToken) => refreshTokens(app, refreshToken),
    exchangeCode: (app, code, redirectUri) => exchangeCode(app, code, redirectUri),

    async grantDetails(app, accessToken) {
      const profile = await fetchProfile(api(app), accessToken);
      const sites = (await fetchAccessibleResources(api(app), accessToken)).filter((s) => siteHasProduct(s.scopes, product));
      return { profile, sites };
    },
    apiRequestUrl: (app, site, path) => productApiUrl(app.apiUrl, product, site, path),
    siteApiBaseUrl: (app, siteId) => `${app.apiUrl.replace(/\/+$/, '')}/ex/${product}/${siteId}`,
    identityPath: (siteId) => ({ site: siteId, path: IDENTITY_PATH[product] }),
    classifyApiRefusal: (status, body) => classifyApiUnauthorized(status, body),
  };
}
