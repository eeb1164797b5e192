import type { Product } from './products';

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
export function productApiUrl(apiBase: string, product: Product, cloudId: string, path: string): string {
  if (product !== 'jira' && product !== 'confluence') throw new Error('Unknown product');
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

export function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}/${path}`;
}

/** Throws unless `path` (maybe with a query) stays under the base it is appended to. */
export function assertSafeRelativePath(path: string): void {
  const pathPart = path.split('?')[0];
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(pathPart)) throw new Error('Path must be relative, not a URL');
  if (/[\\#\u0000-\u001f\u007f]/.test(path)) throw new Error('Path contains a forbidden character');
  const decoded = decodeRepeatedly(pathPart);
  if (/\\/.test(decoded) || decoded.startsWith('/')) throw new Error('Path must be relative');
  const segments = decoded.split('/');
  if (segments.some((s, i) => s === '.' || s === '..' || (s === '' && i < segments.length - 1))) {
    throw new Error('Path must not contain empty, "." or ".." segments');
  }
}

// Undo nested percent-encoding ("%252e%252e") so that no encoding layer hides a "..".
function decodeRepeatedly(text: string): string {
  let current = text;
  for (let i = 0; i < 5; i++) {
    let next: string;
    try {
      next = decodeURIComponent(current);
    } catch {
      throw new Error('Path has invalid percent-encoding');
    }
    if (next === current) return current;
    current = next;
  }
  throw new Error('Path is encoded too many times');
}
