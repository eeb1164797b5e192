// Bitbucket Cloud OAuth 2.0, in the oauth4webapi style of lib/providers/atlassian/oauth.ts: `send…` only
// sends (form-encoded, client authenticated with HTTP Basic), `process…` turns a Response into a
// TokenSet or a coded TokenEndpointError; the combined helpers map every failure to one.
import { z } from 'zod';
import { TokenEndpointError } from '../../oauth/errors';
import { invalidFields, parseJson, postTokenRequest, requestTokens } from '../../oauth/http';
import type { OAuthClientConfig, TokenSet } from '../../oauth/types';
import { bitbucketTokenError } from './errors';
import { bitbucketTokenUrl } from './urls';

// Tokens are opaque strings of any length. `scope` is current; older answers say `scopes`.
const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).nullish(),
  expires_in: z.number().positive().finite(),
  scope: z.string().nullish(),
  scopes: z.string().nullish(),
  token_type: z.string().nullish(),
});

export function sendBitbucketRefreshRequest(cfg: OAuthClientConfig, refreshToken: string): Promise<Response> {
  return postBitbucketToken(cfg, { grant_type: 'refresh_token', refresh_token: refreshToken });
}

export function sendBitbucketCodeRequest(cfg: OAuthClientConfig, code: string, redirectUri?: string): Promise<Response> {
  const grant: Record<string, string> = { grant_type: 'authorization_code', code };
  if (redirectUri) grant.redirect_uri = redirectUri;
  return postBitbucketToken(cfg, grant);
}

/** Throws TokenEndpointError for any non-2xx or unusable 2xx. */
export async function processBitbucketTokenResponse(res: Response): Promise<TokenSet> {
  const body = parseJson(await res.text());
  if (res.status < 200 || res.status >= 300) throw bitbucketTokenError(res.status, res.headers, body);
  const parsed = tokenResponseSchema.safeParse(body);
  if (!parsed.success) {
    throw new TokenEndpointError('bad_response', { status: res.status, description: `unusable token response (${invalidFields(parsed.error)})` });
  }
  const data = parsed.data;
  return {
    accessToken: data.access_token,
    refreshToken: data.refresh_token ?? undefined,
    expiresIn: data.expires_in,
    scope: (data.scope ?? data.scopes ?? '').split(/[\s,]+/).filter(Boolean),
    tokenType: data.token_type ?? 'bearer',
  };
}

export function refreshBitbucketTokens(cfg: OAuthClientConfig, refreshToken: string): Promise<TokenSet> {
  return requestTokens('refresh', () => sendBitbucketRefreshRequest(cfg, refreshToken), processBitbucketTokenResponse);
}

export function exchangeBitbucketCode(cfg: OAuthClientConfig, code: string, redirectUri?: string): Promise<TokenSet> {
  return requestTokens('code', () => sendBitbucketCodeRequest(cfg, code, redirectUri), processBitbucketTokenResponse);
}

// Form-encoded, the client authenticated with HTTP Basic.
function postBitbucketToken(cfg: OAuthClientConfig, form: Record<string, string>): Promise<Response> {
  const basic = Buffer.from(`${cfg.clientId}:${cfg.clientSecret}`).toString('base64');
  return postTokenRequest(cfg, bitbucketTokenUrl(cfg.authUrl), {
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form).toString(),
  });
}
