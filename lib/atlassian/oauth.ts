// Atlassian OAuth 2.0 (3LO) requests, in the style of oauth4webapi: `send…` only sends
// (and throws fetch's own errors), `process…` turns a Response into data or a coded error,
// and the combined helpers map every failure to TokenEndpointError / AtlassianApiError.
import { z } from 'zod';
import { singleLine } from '../input';
import {
  AtlassianApiError,
  TokenEndpointError,
  apiErrorFromResponse,
  apiErrorFromThrown,
  tokenErrorFromResponse,
  tokenErrorFromThrown,
  type TokenRequestKind,
} from './errors';
import { accessibleResourcesUrl, profileUrl, tokenUrl } from './urls';

const DEFAULT_TIMEOUT_MS = 15_000;

export interface OAuthClientConfig {
  authUrl: string;
  clientId: string;
  clientSecret: string;
  fetch?: typeof fetch;
  /** Hard limit for the whole exchange, body included (AbortSignal.timeout). Default 15000. */
  timeoutMs?: number;
}

export interface ApiClientConfig {
  apiUrl: string;
  fetch?: typeof fetch;
  timeoutMs?: number;
}

export interface TokenSet {
  accessToken: string;
  /** Absent: the provider did not rotate; the refresh token sent stays valid. */
  refreshToken?: string;
  expiresIn: number;
  scope: string[];
  tokenType: string;
}

export interface AccessibleResource {
  id: string;
  name: string;
  url: string;
  scopes: string[];
  avatarUrl?: string;
}

export interface Profile {
  accountId: string;
  email: string;
  name: string;
  picture?: string;
  /** Atlassian's `email_verified`; absent when it does not say (its documented /me example carries no such field). */
  emailVerified?: boolean;
}

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
  return postTokenRequest(cfg, { grant_type: 'refresh_token', refresh_token: refreshToken });
}

export function sendCodeRequest(cfg: OAuthClientConfig, code: string, redirectUri: string): Promise<Response> {
  return postTokenRequest(cfg, { grant_type: 'authorization_code', code, redirect_uri: redirectUri });
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
  return requestTokens('refresh', () => sendRefreshRequest(cfg, refreshToken));
}

export function exchangeCode(cfg: OAuthClientConfig, code: string, redirectUri: string): Promise<TokenSet> {
  return requestTokens('code', () => sendCodeRequest(cfg, code, redirectUri));
}

/** Sites the grant covers. Throws AtlassianApiError ('unauthorized' on 401). */
export async function fetchAccessibleResources(cfg: ApiClientConfig, accessToken: string): Promise<AccessibleResource[]> {
  const data = await getJson(cfg, accessibleResourcesUrl(cfg.apiUrl), accessToken, accessibleResourcesSchema);
  return data.map((r) => ({
    id: r.id,
    name: r.name,
    url: r.url,
    scopes: r.scopes,
    ...(r.avatarUrl ? { avatarUrl: r.avatarUrl } : {}),
  }));
}

/** The consenting user (GET {API}/me, scope read:me). Throws AtlassianApiError. */
export async function fetchProfile(cfg: ApiClientConfig, accessToken: string): Promise<Profile> {
  const data = await getJson(cfg, profileUrl(cfg.apiUrl), accessToken, profileSchema);
  return {
    accountId: data.account_id,
    email: data.email,
    name: data.name.trim(),
    ...(data.picture ? { picture: data.picture } : {}),
    ...(typeof data.email_verified === 'boolean' ? { emailVerified: data.email_verified } : {}),
  };
}

function postTokenRequest(cfg: OAuthClientConfig, grant: Record<string, string>): Promise<Response> {
  const body = { ...grant, client_id: cfg.clientId, client_secret: cfg.clientSecret };
  const doFetch = cfg.fetch ?? globalThis.fetch;
  return doFetch(tokenUrl(cfg.authUrl), {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify(body),
    // A redirect would resend the client secret elsewhere: surface it as a bad response.
    redirect: 'manual',
    signal: AbortSignal.timeout(cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS),
  });
}

async function requestTokens(kind: TokenRequestKind, send: () => Promise<Response>): Promise<TokenSet> {
  try {
    return await processTokenResponse(await send());
  } catch (err) {
    throw tokenErrorFromThrown(err, kind);
  }
}

async function getJson<T>(cfg: ApiClientConfig, url: string, accessToken: string, schema: z.ZodType<T>): Promise<T> {
  let res: Response;
  let body: unknown;
  try {
    const doFetch = cfg.fetch ?? globalThis.fetch;
    res = await doFetch(url, {
      headers: { authorization: `Bearer ${accessToken}`, accept: 'application/json' },
      redirect: 'manual',
      signal: AbortSignal.timeout(cfg.timeoutMs ?? DEFAULT_TIMEOUT_MS),
    });
    body = parseJson(await res.text());
  } catch (err) {
    throw apiErrorFromThrown(err);
  }
  if (!isSuccess(res.status)) throw apiErrorFromResponse(res.status, res.headers, body);
  const parsed = schema.safeParse(body);
  if (!parsed.success) throw new AtlassianApiError('bad_response', { status: res.status });
  return parsed.data;
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

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

// Field names only: zod's messages could quote the values, which may be tokens.
function invalidFields(error: z.ZodError): string {
  const fields = new Set(error.issues.map((issue) => issue.path.join('.') || '(body)'));
  return `invalid: ${[...fields].join(', ')}`;
}
