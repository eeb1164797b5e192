// A tiny typed client for tests and the sandbox panel: the simulated Bitbucket's control routes and a
// browser-like consent.
import { consentInBrowser, ControlClient, type Counters, type GrantView } from '../../../simulator/client';

export const BITBUCKET_SANDBOX_KEY = 'reconnect-bitbucket-sandbox';
export const BITBUCKET_SANDBOX_SECRET = 'bitbucket-sandbox-secret';
const DEFAULT_REDIRECT = 'http://localhost:3000/api/oauth/callback';

export interface BitbucketConfigView {
  consumer_key: string;
  scopes: string[];
  callback_url: string | null;
  access_token_ttl_seconds: number;
  unused_expiry_seconds: number;
  leeway_seconds: number;
  dead_token_error: 'invalid_request' | 'invalid_grant';
  legacy_scopes_field: boolean;
  max_page_length: number;
}

export interface BitbucketTokenSet {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: string;
  scope?: string;
  scopes?: string;
  state?: string;
}

export class BitbucketControl extends ControlClient {
  constructor(baseUrl: string) {
    super(`${baseUrl}/_control/bitbucket`, 'bitbucket');
  }

  counters = () => this.call<Counters>('GET', '/counters');
  config = () => this.call<BitbucketConfigView>('GET', '/config');
  patchConfig = (patch: Partial<Omit<BitbucketConfigView, 'consumer_key' | 'scopes'>>) =>
    this.call<BitbucketConfigView>('PATCH', '/config', patch);
  grants = () => this.call<GrantView[]>('GET', '/grants');
  revokeApp = (email: string) =>
    this.call<{ revoked_grants: number }>('POST', `/users/${encodeURIComponent(email)}/revoke`);
  /** The consumer's permissions were edited: every token it issued is revoked. */
  changePermissions = (scopes?: string[]) =>
    this.call<{ scopes: string[]; revoked_grants: number }>('POST', '/consumer/permissions', scopes ? { scopes } : {});
}

export interface BitbucketConsentInput {
  email: string;
  clientId?: string;
  redirectUri?: string | null;
  state?: string;
}

/** Logs in as `email`, opens /site/oauth2/authorize, presses "Grant access"; returns the code. */
export function bitbucketConsentAndGetCode(baseUrl: string, input: BitbucketConsentInput): Promise<string> {
  const authorize = new URL('/site/oauth2/authorize', baseUrl);
  const params = new URLSearchParams({
    client_id: input.clientId ?? BITBUCKET_SANDBOX_KEY,
    response_type: 'code',
    state: input.state ?? 'state-123',
  });
  const redirectUri = input.redirectUri === undefined ? DEFAULT_REDIRECT : input.redirectUri;
  if (redirectUri !== null) params.set('redirect_uri', redirectUri);
  authorize.search = params.toString();
  return consentInBrowser(baseUrl, {
    email: input.email,
    authorize,
    decisionPath: '/site/oauth2/authorize',
    accept: 'grant',
    name: 'bitbucket',
  });
}

export function basicAuth(key = BITBUCKET_SANDBOX_KEY, secret = BITBUCKET_SANDBOX_SECRET): string {
  return `Basic ${Buffer.from(`${key}:${secret}`).toString('base64')}`;
}

/** Raw POST /site/oauth2/access_token, form-encoded with HTTP Basic client authentication. */
export function postBitbucketToken(
  baseUrl: string,
  form: Record<string, string>,
  opts: { authorization?: string | null; signal?: AbortSignal } = {},
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/x-www-form-urlencoded' };
  const authorization = opts.authorization === undefined ? basicAuth() : opts.authorization;
  if (authorization !== null) headers.authorization = authorization;
  return fetch(`${baseUrl}/site/oauth2/access_token`, {
    method: 'POST',
    headers,
    body: new URLSearchParams(form),
    signal: opts.signal,
  });
}

export function postBitbucketRefresh(baseUrl: string, refreshToken: string, opts: { signal?: AbortSignal } = {}) {
  return postBitbucketToken(baseUrl, { grant_type: 'refresh_token', refresh_token: refreshToken }, opts);
}

export async function exchangeBitbucketCode(baseUrl: string, code: string, redirectUri: string | null = DEFAULT_REDIRECT) {
  const form: Record<string, string> = { grant_type: 'authorization_code', code };
  if (redirectUri !== null) form.redirect_uri = redirectUri;
  const res = await postBitbucketToken(baseUrl, form);
  if (res.status !== 200) throw new Error(`bitbucket code exchange → ${res.status}: ${await res.text()}`);
  return (await res.json()) as BitbucketTokenSet;
}

/** Full consent + code exchange, as a connected app would see it. */
export async function connectBitbucketAs(baseUrl: string, input: BitbucketConsentInput): Promise<BitbucketTokenSet> {
  const code = await bitbucketConsentAndGetCode(baseUrl, input);
  return exchangeBitbucketCode(baseUrl, code, input.redirectUri === undefined ? DEFAULT_REDIRECT : input.redirectUri);
}
