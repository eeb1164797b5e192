import { assertSafeRelativePath, joinUrl } from '../../oauth/urls';
import { isAtlassianProduct, type AtlassianProduct } from './products';

export interface AuthorizeParams {
  clientId: string;
  redirectUri: string;
  scopes: readonly string[];
  state: string;
  loginHint?: string;
}

const CLOUD_ID = /^[A-Za-z0-9-]+$/;

export function authorizeUrl(authBase: string, p: AuthorizeParams): string {
  const params: [string, string][] = [
    ['audience', 'api.atlassian.com'],
    ['client_id', p.clientId],
    ['scope', p.scopes.join(' ')],
    ['redirect_uri', p.redirectUri],
    ['state', p.state],
    ['response_type', 'code'],
    ['prompt', 'consent'],
  ];
  if (p.loginHint) params.push(['login_hint', p.loginHint]);
  // encodeURIComponent, not URLSearchParams: Atlassian's documented URLs use %20, not '+'.
  const query = params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  return `${joinUrl(authBase, 'authorize')}?${query}`;
}

export function tokenUrl(authBase: string): string {
  return joinUrl(authBase, 'oauth/token');
}

export function accessibleResourcesUrl(apiBase: string): string {
  return joinUrl(apiBase, 'oauth/token/accessible-resources');
}

export function profileUrl(apiBase: string): string {
  return joinUrl(apiBase, 'me');
}

// `path` may carry a query string; only its path part is checked for escapes.
export function productApiUrl(apiBase: string, product: AtlassianProduct, cloudId: string, path: string): string {
  if (!isAtlassianProduct(product)) throw new Error('Unknown product');
  if (!CLOUD_ID.test(cloudId)) throw new Error('Invalid cloud id');
  const relative = path.replace(/^\//, '');
  if (relative === '') throw new Error('Path is required');
  assertSafeRelativePath(relative);
  const prefix = joinUrl(apiBase, `ex/${product}/${cloudId}/`);
  const url = prefix + relative;
  // Belt and braces: the URL parser's own normalization must keep us under the prefix.
  if (!new URL(url).href.startsWith(new URL(prefix).href)) throw new Error('Path escapes the product API');
  return url;
}

export { assertSafeRelativePath, joinUrl };
