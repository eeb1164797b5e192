// Atlassian OAuth 2.0 (3LO) requests, in the style of oauth4webapi: `send…` only sends
// (and throws fetch's own errors), `process…` turns a Response into data or a coded error,
// and the combined helpers map every failure to TokenEndpointError / ProviderApiError.
import { z } from 'zod';
import { singleLine } from '../../input';
import { TokenEndpointError } from '../../oauth/errors';
import { getJson, invalidFields, parseJson, postTokenRequest, requestTokens } from '../../oauth/http';
import type { AccessibleResource, ApiClientConfig, OAuthClientConfig, Profile, TokenSet } from '../../oauth/types';
import { apiErrorFromResponse, tokenErrorFromResponse } from './errors';
import { accessibleResourcesUrl, profileUrl, tokenUrl } from './urls';

export type { AccessibleResource, ApiClientConfig, OAuthClientConfig, Profile, TokenSet };

// Tokens are opaque strings of any length: only non-empty is required.
const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  refresh_token: z.string().min(1).nullish(),
  expires_in: z.number().positive().finite(),
  scope: z.string().nullish(),
  token_type: z.string().nullish(),
});

// Values from Atlassian end up in Postgres text (which refuses NUL) and on pages, each on one line.
const text = () => z.string().transform(singleLine);

const accessibleResourcesSchema = z.array(
  z.object({
    id: text().pipe(z.string().min(1)),
    name: text(),
    url: text(),
    scopes: z.array(z.string()),
    avatarUrl: z.string().nullish(),
  }),
);

const profileSchema = z.object({
  account_id: text().pipe(z.string().min(1)),
  email: text(),
  name: text(),
  picture: text().nullish(),
  email_verified: z.boolean().nullish(),
});

export function sendRefreshRequest(cfg: OAuthClientConfig, refreshToken: string): Promise<Response> {
  return postAtlassianToken(cfg, { grant_type: 'refresh_token', refresh_token: refreshToken });
}

export function sendCodeRequest(cfg: OAuthClientConfig, code: string, redirectUri: string): Promise<Response> {
  return postAtlassianToken(cfg, { grant_type: 'authorization_code', code, redirect_uri: redirectUri });
}

/** Throws TokenEndpointError for any non-2xx or unusable 2xx; body read errors propagate as is. */
export async function processTokenResponse(res: Response): Promise<TokenSet> {
  const body = parseJson(await res.text());
  if (!isSuccess(res.status)) throw tokenErrorFromResponse(res.status, res.headers, body);
  const parsed = tokenResponseSchema.safeParse(body);
  if (!parsed.success) {
    const description = `unusable token response (${invalidFields(parsed.error)})`;
    throw new TokenEndpointError('bad_response', { status: res.status, description });
  }
  return toTokenSet(parsed.data);
}

export function refreshTokens(cfg: OAuthClientConfig, refreshToken: string): Promise<TokenSet> {
  return requestTokens('refresh', () => sendRefreshRequest(cfg, refreshToken), processTokenResponse);
}

export function exchangeCode(cfg: OAuthClientConfig, code: string, redirectUri: string): Promise<TokenSet> {
  return requestTokens('code', () => sendCodeRequest(cfg, code, redirectUri), processTokenResponse);
}

/** Sites the grant covers. Throws ProviderApiError ('unauthorized' on 401). */
export async function fetchAccessibleResources(cfg: ApiClientConfig, accessToken: string): Promise<AccessibleResource[]> {
  const data = await getJson(cfg, accessibleResourcesUrl(cfg.apiUrl), accessToken, accessibleResourcesSchema, apiErrorFromResponse);
  return data.map((r) => ({
    id: r.id,
    name: r.name,
    url: r.url,
    scopes: r.scopes,
    ...(r.avatarUrl ? { avatarUrl: r.avatarUrl } : {}),
  }));
}

/** The consenting user (GET {API}/me, scope read:me). Throws ProviderApiError. */
export async function fetchProfile(cfg: ApiClientConfig, accessToken: string): Promise<Profile> {
  const data = await getJson(cfg, profileUrl(cfg.apiUrl), accessToken, profileSchema, apiErrorFromResponse);
  return {
    accountId: data.account_id,
    email: data.email,
    name: data.name.trim(),
    ...(data.picture ? { picture: data.picture } : {}),
    ...(typeof data.email_verified === 'boolean' ? { emailVerified: data.email_verified } : {}),
  };
}

function postAtlassianToken(cfg: OAuthClientConfig, grant: Record<string, string>): Promise<Response> {
  const body = { ...grant, client_id: cfg.clientId, client_secret: cfg.clientSecret };
  return postTokenRequest(cfg, tokenUrl(cfg.authUrl), { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

function toTokenSet(data: z.infer<typeof tokenResponseSchema>): TokenSet {
  return {
    accessToken: data.access_token,
    refreshToken: data.refresh_token ?? undefined,
    expiresIn: data.expires_in,
    scope: (data.scope ?? '').split(/\s+/).filter(Boolean),
    tokenType: data.token_type ?? 'Bearer',
  };
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}
