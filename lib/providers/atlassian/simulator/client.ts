// A tiny typed client for tests and the sandbox panel: the simulator's control API and a browser-like consent
// shortcut for the simulated Atlassian.
import { consentInBrowser, ControlClient, type Counters, type FaultInput, type GrantView } from '../../../simulator/client';

export type { Counters, FaultInput, GrantView } from '../../../simulator/client';

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

/** The simulator's control API: the core's routes (reset, clock, faults) and Atlassian's (config, users, grants). */
export class SimulatorControl extends ControlClient {
  constructor(baseUrl: string) {
    super(`${baseUrl}/_control`, 'simulator');
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

/** Signs in as `email`, opens /authorize, presses Accept when a consent page is shown; returns the code. */
export function consentAndGetCode(baseUrl: string, input: ConsentInput): Promise<string> {
  const authorize = new URL('/authorize', baseUrl);
  authorize.search = new URLSearchParams({
    audience: 'api.atlassian.com',
    client_id: input.clientId ?? 'reconnect-sandbox',
    scope: input.scopes.join(' '),
    redirect_uri: input.redirectUri ?? 'http://localhost:3000/api/oauth/callback',
    state: input.state ?? 'state-123',
    response_type: 'code',
    prompt: 'consent',
  }).toString();
  return consentInBrowser(baseUrl, {
    email: input.email,
    authorize,
    decisionPath: '/authorize/decision',
    accept: 'accept',
    name: 'simulator',
  });
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
