// Bitbucket Cloud URLs: {BB_AUTH}/site/oauth2/…, {BB_API}/2.0/….
import { assertSafeRelativePath, joinUrl } from '../../oauth/urls';

export interface BitbucketAuthorizeParams {
  clientId: string;
  state: string;
  /** Must equal the consumer's callback URL; Bitbucket uses that one when absent. */
  redirectUri?: string;
}

// No scope parameter: a Bitbucket consumer's permissions are fixed in its settings.
export function bitbucketAuthorizeUrl(authBase: string, p: BitbucketAuthorizeParams): string {
  const params: [string, string][] = [
    ['client_id', p.clientId],
    ['response_type', 'code'],
    ['state', p.state],
  ];
  if (p.redirectUri) params.push(['redirect_uri', p.redirectUri]);
  const query = params.map(([k, v]) => `${k}=${encodeURIComponent(v)}`).join('&');
  return `${joinUrl(authBase, 'site/oauth2/authorize')}?${query}`;
}

export function bitbucketTokenUrl(authBase: string): string {
  return joinUrl(authBase, 'site/oauth2/access_token');
}

export function bitbucketUserUrl(apiBase: string): string {
  return joinUrl(apiBase, '2.0/user');
}

export function bitbucketEmailsUrl(apiBase: string): string {
  return joinUrl(apiBase, '2.0/user/emails');
}

export function bitbucketWorkspacesUrl(apiBase: string): string {
  return `${joinUrl(apiBase, '2.0/user/permissions/workspaces')}?pagelen=100`;
}

/** The proxy's target: everything after /proxy/ is a path under {BB_API}, e.g. "2.0/user". */
export function bitbucketApiUrl(apiBase: string, path: string): string {
  const relative = path.replace(/^\//, '');
  if (relative === '') throw new Error('Path is required');
  assertSafeRelativePath(relative);
  const prefix = joinUrl(apiBase, '');
  const url = prefix + relative;
  if (!new URL(url).href.startsWith(new URL(prefix).href)) throw new Error('Path escapes the Bitbucket API');
  return url;
}

/** A workspace's API base for service callers: its repositories, named by the workspace uuid. */
export function bitbucketWorkspaceApiBase(apiBase: string, workspaceUuid: string): string {
  return joinUrl(apiBase, `2.0/repositories/${encodeURIComponent(workspaceUuid)}`);
}
