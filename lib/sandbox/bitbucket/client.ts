// A tiny typed client for tests: the simulated Bitbucket's control routes and a browser-like consent.
import type { Counters, GrantView } from '../client';

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

export class BitbucketControl {
  constructor(private readonly baseUrl: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}/_control/bitbucket${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`bitbucket control ${method} ${path} → ${res.status}: ${text}`);
    return JSON.parse(text) as T;
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

function cookieFrom(res: Response): string {
  const cookie = res.headers.getSetCookie().find((value) => value.startsWith('atlassian_sim_session='));
  if (!cookie) throw new Error('simulator login set no session cookie');
  return cookie.split(';')[0] ?? '';
}

function decisionFields(page: string): URLSearchParams {
  const fields = new URLSearchParams();
  const form = /<form method="post" action="\/site\/oauth2\/authorize">([\s\S]*?)<\/form>/.exec(page)?.[1] ?? '';
  for (const match of form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields.append(unescape(match[1] ?? ''), unescape(match[2] ?? ''));
  }
  return fields;
}

function unescape(text: string): string {
  return text
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/** Logs in as `email`, opens /site/oauth2/authorize, presses "Grant access"; returns the code. */
export async function bitbucketConsentAndGetCode(baseUrl: string, input: BitbucketConsentInput): Promise<string> {
  const login = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    body: new URLSearchParams({ email: input.email, continue: '/' }),
    redirect: 'manual',
  });
  const cookie = cookieFrom(login);
  const authorize = new URL('/site/oauth2/authorize', baseUrl);
  const params = new URLSearchParams({
    client_id: input.clientId ?? BITBUCKET_SANDBOX_KEY,
    response_type: 'code',
    state: input.state ?? 'state-123',
  });
  const redirectUri = input.redirectUri === undefined ? DEFAULT_REDIRECT : input.redirectUri;
  if (redirectUri !== null) params.set('redirect_uri', redirectUri);
  authorize.search = params.toString();
  let res = await fetch(authorize, { headers: { cookie }, redirect: 'manual' });
  if (res.status === 200) {
    const fields = decisionFields(await res.text());
    fields.set('decision', 'grant');
    res = await fetch(authorize.origin + authorize.pathname, { method: 'POST', headers: { cookie }, body: fields, redirect: 'manual' });
  }
  const code = new URL(res.headers.get('location') ?? '', baseUrl).searchParams.get('code');
  if (res.status !== 302 || !code) throw new Error(`bitbucket consent gave no code (status ${res.status})`);
  return code;
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
