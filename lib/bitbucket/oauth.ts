// Bitbucket Cloud OAuth 2.0, in the oauth4webapi style of lib/atlassian/oauth.ts: `send…` only
// sends (form-encoded, client authenticated with HTTP Basic), `process…` turns a Response into a
// TokenSet or a coded TokenEndpointError; the combined helpers map every failure to one.
import { z } from 'zod';
import { tokenErrorFromThrown, TokenEndpointError, type TokenRequestKind } from '../atlassian/errors';
import type { OAuthClientConfig, TokenSet } from '../atlassian/oauth';
import { bitbucketTokenError } from './errors';
import { bitbucketTokenUrl } from './urls';

const DEFAULT_TIMEOUT_MS = 15_000;

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
  return postTokenRequest(cfg, { grant_type: 'refresh_token', refresh_token: refreshToken });
}

export function sendBitbucketCodeRequest(cfg: OAuthClientConfig, code: string, redirectUri?: string): Promise<Response> {
  const grant: Record<string, string> = { grant_type: 'authorization_code', code };
  if (redirectUri) grant.redirect_uri = redirectUri;
  return postTokenRequest(cfg, grant);
}

/** Throws TokenEndpointError for any non-2xx or unusable 2xx. */
export async function processBitbucketTokenResponse(res: Response): Promise<TokenSet> {
  const body = parseJson(await res.text());
  if (res.status < 200 || res.status >= 300) throw bitbucketTokenError(res.status, res.headers, body);
  const parsed = tokenResponseSchema.safeParse(body);
  if (!parsed.success) {
    // Field names only: zod's messages could quote values, which may be tokens.
    const fields = [...new Set(parsed.error.issues.map((i) => i.path.join('.') || '(body)'))].join(', ');
    throw new TokenEndpointError('bad_response', { status: res.status, description: `unusable token response (invalid: ${fields})` });
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
  return requestTokens('refresh', () => sendBitbucketRefreshRequest(cfg, refreshToken));
}

export function exchangeBitbucketCode(cfg: OAuthClientConfig, code: string, redirectUri?: string): Promise<TokenSet> {
  return requestTokens('code', () => sendBitbucketCodeRequest(cfg, code, redirectUri));
}

function postTokenRequest(cfg: OAuthClientConfig, form: Record<string, string>): Promise<Response> {
  const basic = Buffer.from(`${cfg.clientId}:${cfg.clientSecret}`).toString('base64');
  const doFetch = cfg.fetch ?? globalThis.fetch;
  return doFetch(bitbucketTokenUrl(cfg.authUrl), {
    method: 'POST',
    headers: {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
      accept: 'application/json',
    },
    body: new URLSearchParams(form).toString(),
    // A redirect would resend the client credentials elsewhere: surface it as a bad response.
    redirect: 'manual',
    signal: AbortSignal.timeout(cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS),
  });
}

async function requestTokens(kind: TokenRequestKind, send: () => Promise<Response>): Promise<TokenSet> {
  try {
    return await processBitbucketTokenResponse(await send());
  } catch (err) {
    throw tokenErrorFromThrown(err, kind);
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
