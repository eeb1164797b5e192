// A tiny typed client for tests: the simulator's control API and a browser-like consent shortcut.
import type { Counters } from './state';
import type { FaultSpec } from './faults';

export type { Counters } from './state';

export type FaultInput = { [K in FaultSpec['kind']]: Omit<Extract<FaultSpec, { kind: K }>, 'target'> & {
  kind: K;
  target?: Extract<FaultSpec, { kind: K }>['target'];
} }[FaultSpec['kind']];

export interface GrantView {
  id: string;
  user_email: string;
  client_id: string;
  scopes: string[];
  created_at: string;
  revoked: boolean;
  revoked_reason: string | null;
  revoked_at: string | null;
  generation: number;
  last_rotated_at: string | null;
  has_refresh_token: boolean;
}

export interface SimConfigView {
  leeway_seconds: number;
  auto_consent: boolean;
  dead_token_error: 'invalid_grant' | 'unauthorized_client';
  access_token_ttl_seconds: number;
  access_revoke_grace_seconds: number;
  omit_refresh_token: boolean;
  inactivity_seconds: number;
  absolute_lifetime_seconds: number;
  client_id: string;
}

export interface TokenSet {
  access_token: string;
  expires_in: number;
  token_type: string;
  scope: string;
  refresh_token?: string;
}

export class SimulatorControl {
  constructor(private readonly baseUrl: string) {}

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}/_control${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`simulator control ${method} ${path} → ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  }

  counters = () => this.call<Counters>('GET', '/counters');
  reset = () => this.call<{ ok: true }>('POST', '/reset');
  config = () => this.call<SimConfigView>('GET', '/config');
  patchConfig = (patch: Partial<Omit<SimConfigView, 'client_id'>>) => this.call<SimConfigView>('PATCH', '/config', patch);
  clock = () => this.call<{ now: string; offset_seconds: number }>('GET', '/clock');
  advanceClock = (seconds: number) => this.call<{ now: string; offset_seconds: number }>('POST', '/clock', { advance_seconds: seconds });
  resetClock = () => this.call<{ now: string; offset_seconds: number }>('DELETE', '/clock');
  addFault = (fault: FaultInput) => this.call<{ id: string }>('POST', '/faults', fault);
  faults = () => this.call<unknown[]>('GET', '/faults');
  clearFaults = () => this.call<{ cleared: number }>('DELETE', '/faults');
  revokeApp = (email: string) => this.call<{ revoked_grants: number }>('POST', `/users/${encodeURIComponent(email)}/revoke`);
  changePassword = (email: string) => this.call<{ revoked_grants: number }>('POST', `/users/${encodeURIComponent(email)}/password`);
  changeScopes = (email: string) => this.call<{ revoked_grants: number }>('POST', `/users/${encodeURIComponent(email)}/scopes-changed`);
  grants = () => this.call<GrantView[]>('GET', '/grants');
}

export interface ConsentInput {
  email: string;
  scopes: readonly string[];
  clientId?: string;
  clientSecret?: string;
  redirectUri?: string;
  state?: string;
}

function cookieFrom(res: Response): string {
  const cookie = res.headers.getSetCookie().find((value) => value.startsWith('atlassian_sim_session='));
  if (!cookie) throw new Error('simulator login set no session cookie');
  return cookie.split(';')[0] ?? '';
}

function hiddenFields(page: string): URLSearchParams {
  const fields = new URLSearchParams();
  const decisionForm = /<form method="post" action="\/authorize\/decision">([\s\S]*?)<\/form>/.exec(page)?.[1] ?? '';
  for (const match of decisionForm.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)) {
    fields.append(decode(match[1] ?? ''), decode(match[2] ?? ''));
  }
  return fields;
}

function decode(text: string): string {
  return text
    .replaceAll('&quot;', '"')
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

/** Signs in as `email`, opens /authorize, presses Accept when a consent page is shown; returns the code. */
export async function consentAndGetCode(baseUrl: string, input: ConsentInput): Promise<string> {
  const redirectUri = input.redirectUri ?? 'http://localhost:3000/api/oauth/callback';
  const login = await fetch(`${baseUrl}/login`, {
    method: 'POST',
    body: new URLSearchParams({ email: input.email, continue: '/' }),
    redirect: 'manual',
  });
  const cookie = cookieFrom(login);
  const authorize = new URL('/authorize', baseUrl);
  authorize.search = new URLSearchParams({
    audience: 'api.atlassian.com',
    client_id: input.clientId ?? 'reconnect-sandbox',
    scope: input.scopes.join(' '),
    redirect_uri: redirectUri,
    state: input.state ?? 'state-123',
    response_type: 'code',
    prompt: 'consent',
  }).toString();
  let res = await fetch(authorize, { headers: { cookie }, redirect: 'manual' });
  if (res.status === 200) {
    const fields = hiddenFields(await res.text());
    fields.set('decision', 'accept');
    res = await fetch(`${baseUrl}/authorize/decision`, { method: 'POST', headers: { cookie }, body: fields, redirect: 'manual' });
  }
  const code = new URL(res.headers.get('location') ?? '', baseUrl).searchParams.get('code');
  if (res.status !== 302 || !code) throw new Error(`simulator consent gave no code (status ${res.status})`);
  return code;
}

export async function exchangeCode(
  baseUrl: string,
  code: string,
  opts: { clientId?: string; clientSecret?: string; redirectUri?: string } = {},
): Promise<TokenSet> {
  const res = await fetch(`${baseUrl}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      grant_type: 'authorization_code',
      client_id: opts.clientId ?? 'reconnect-sandbox',
      client_secret: opts.clientSecret ?? 'sandbox-secret',
      code,
      redirect_uri: opts.redirectUri ?? 'http://localhost:3000/api/oauth/callback',
    }),
  });
  if (res.status !== 200) throw new Error(`simulator code exchange → ${res.status}: ${await res.text()}`);
  return (await res.json()) as TokenSet;
}

/** Full consent + code exchange, as a connected app would see it. */
export async function connectAs(baseUrl: string, input: ConsentInput): Promise<TokenSet> {
  const code = await consentAndGetCode(baseUrl, input);
  return exchangeCode(baseUrl, code, input);
}

/** Raw POST /oauth/token with a JSON body; the Response is returned as is. */
export function postToken(baseUrl: string, body: Record<string, unknown>, init: RequestInit = {}): Promise<Response> {
  return fetch(`${baseUrl}/oauth/token`, {
    ...init,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export function postRefresh(
  baseUrl: string,
  refreshToken: string,
  opts: { clientId?: string; clientSecret?: string; signal?: AbortSignal } = {},
): Promise<Response> {
  return postToken(
    baseUrl,
    {
      grant_type: 'refresh_token',
      client_id: opts.clientId ?? 'reconnect-sandbox',
      client_secret: opts.clientSecret ?? 'sandbox-secret',
      refresh_token: refreshToken,
    },
    { signal: opts.signal },
  );
}

export function getApi(baseUrl: string, path: string, accessToken: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${baseUrl}${path}`, {
    ...init,
    headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${accessToken}` },
  });
}
