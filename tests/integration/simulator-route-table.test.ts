// A provider's simulator is one route table on the provider-neutral core: a test-only provider, defined here
// from the core's pieces alone, mounts with one entry and gets consent, rotating token families, faults, control
// routes and the state file like the built-in ones, without disturbing them.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimulatorControl } from '@/lib/providers/atlassian/simulator/client';
import { startSimulator, type Simulator } from '@/lib/sandbox/simulator';
import { answerApiCall } from '@/lib/simulator/api-calls';
import type { SimClock } from '@/lib/simulator/clock';
import { consentError, type ConsentFlow } from '@/lib/simulator/consent';
import type { FamilyRules } from '@/lib/simulator/families';
import { bearerToken, json, readBody } from '@/lib/simulator/http';
import { oauthControlRoutes } from '@/lib/simulator/oauth-control';
import { oauthRouteTable } from '@/lib/simulator/oauth-routes';
import { OAuthProviderState } from '@/lib/simulator/oauth-state';
import type { ProviderHooks } from '@/lib/simulator/route-table';
import { opaqueString } from '@/lib/simulator/token-strings';
import type { TokenEndpoint } from '@/lib/simulator/token-endpoint';

const DAY = 24 * 60 * 60;

interface DemoConfig {
  clientId: string;
  clientSecret: string;
  lifetimeSeconds: number;
}

class DemoState extends OAuthProviderState<DemoConfig> {
  protected readonly clientSecretName = 'demo_client_secret';
  constructor(clock: SimClock, hooks: ProviderHooks) {
    const mint = { refreshToken: () => opaqueString(20, 30), accessToken: () => opaqueString(20, 30) };
    super({ clientId: 'demo-app', clientSecret: 'demo-secret', lifetimeSeconds: 10 * DAY }, clock, hooks, { idPrefix: 'demo-', mint });
  }
  clientId = () => this.config.clientId;
  clientSecret = () => this.config.clientSecret;
  protected rules(): FamilyRules {
    return {
      leewaySeconds: 0,
      inactivitySeconds: 30 * DAY,
      inactivityReason: 'inactive',
      absoluteLifetimeSeconds: this.config.lifetimeSeconds,
      accessTokenTtlSeconds: 60,
      accessRevokeGraceSeconds: 0,
      omitRefreshToken: false,
    };
  }
}

const demoConsent: ConsentFlow<DemoState> = {
  wording: {
    brand: 'Demo',
    title: 'Allow access',
    heading: 'Reconnect wants access to Demo',
    signedIn: 'You are',
    listHeading: 'It may:',
    scopeItem: (scope) => `<li>${scope}</li>`,
    action: '/demo/authorize',
    accept: { value: 'allow', label: 'Allow' },
  },
  carriedParams: ['client_id', 'redirect_uri', 'state'],
  parse(params, demo) {
    const redirectUri = params.get('redirect_uri');
    if (params.get('client_id') !== demo.clientId() || !redirectUri) return consentError(demoConsent, 'Bad request.');
    return { ok: true, request: { clientId: demo.clientId(), redirectUri, redirectUriGiven: true, scopes: ['read'], state: params.get('state') } };
  },
  codes: (demo) => demo.codes,
  scopesShown: (request) => request.scopes,
  deniedDescription: 'denied',
};

const demoToken: TokenEndpoint<DemoState> = {
  provider: 'demo',
  read: async (ctx) => ({ params: JSON.parse(await readBody(ctx.req)) as Record<string, unknown> }),
  credentials: (_ctx, params) => ({ id: params.client_id, secret: params.client_secret }),
  invalidClient: json(401, { error: 'invalid_client' }),
  invalidRequest: (description) => json(400, { error: 'invalid_request', description }),
  missing: (name) => `no ${name}`,
  exchangeRequires: [],
  invalidCode: json(400, { error: 'bad_code' }),
  redirectMismatch: () => undefined,
  grantFor: (code) => ({ scopes: code.scopes, refreshToken: true }),
  deadTokenReply: () => json(400, { error: 'dead' }),
  tokenReply: (_demo, issued) => json(200, { access_token: issued.accessToken, refresh_token: issued.refreshToken }),
};

const demoSimulator = () =>
  oauthRouteTable<DemoState>({
    id: 'demo',
    createState: (sim, hooks) => new DemoState(sim.clock, hooks),
    control: oauthControlRoutes<DemoConfig, DemoState>('/_control/demo', {
      schema: z.strictObject({ lifetime_seconds: z.number().int().min(1).optional() }),
      fields: { client_id: 'clientId', lifetime_seconds: 'lifetimeSeconds' },
    }),
    consent: { path: '/demo/authorize', decisionPath: '/demo/authorize', flow: demoConsent },
    token: { path: '/demo/token', endpoint: demoToken },
    api: {
      path: '/demo/api/me',
      handle: (ctx, demo) =>
        answerApiCall(ctx, 'demo', demo.counters, async () => {
          const check = demo.families.checkAccessToken(bearerToken(ctx.req) ?? '');
          return check.ok ? json(200, { email: check.family.userEmail }) : json(401, { error: 'unauthorized' });
        }),
    },
  });

let sim: Simulator;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.resolve('test-results/sim-route-table-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => sim.stop());

const control = (rest: string, init?: RequestInit) => fetch(`${sim.url}/_control${rest}`, init);
const token = (body: Record<string, unknown>) =>
  fetch(`${sim.url}/demo/token`, {
    method: 'POST',
    body: JSON.stringify({ client_id: 'demo-app', client_secret: 'demo-secret', ...body }),
  });

async function connect(): Promise<{ access_token: string; refresh_token: string }> {
  const authorize = `${sim.url}/demo/authorize?client_id=demo-app&redirect_uri=http://app.test/cb&login_hint=bob@example.com`;
  const res = await fetch(authorize, { redirect: 'manual' });
  const code = new URL(res.headers.get('location') ?? '').searchParams.get('code');
  const exchanged = await token({ grant_type: 'authorization_code', code });
  expect(exchanged.status).toBe(200);
  return (await exchanged.json()) as { access_token: string; refresh_token: string };
}

describe('a test-only provider mounted with one route table', () => {
  it('consents, exchanges, calls its API, rotates, refuses a reuse and counts all of it', async () => {
    sim = await startSimulator({ autoConsent: true, routeTables: [demoSimulator()] });
    const first = await connect();
    const me = await fetch(`${sim.url}/demo/api/me`, { headers: { authorization: `Bearer ${first.access_token}` } });
    expect(await me.json()).toEqual({ email: 'bob@example.com' });
    const rotated = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(rotated.status).toBe(200);
    const reused = await token({ grant_type: 'refresh_token', refresh_token: first.refresh_token });
    expect(await reused.json()).toEqual({ error: 'dead' });
    expect(await (await control('/demo/counters')).json()).toMatchObject({
      token_calls: 3,
      authorization_code_grants: 1,
      refreshes: 1,
      rejected_reuses: 1,
      api_calls: 1,
    });
    expect(await (await control('/demo/grants')).json()).toEqual([
      expect.objectContaining({ id: 'demo-1', user_email: 'bob@example.com', revoked_reason: 'reuse_detected' }),
    ]);
    expect((await new SimulatorControl(sim.url).counters()).token_calls).toBe(0); // Atlassian's untouched
  });

  it('ends its families after its own absolute lifetime, on the shared clock', async () => {
    sim = await startSimulator({ autoConsent: true, routeTables: [demoSimulator()] });
    const tokens = await connect();
    await new SimulatorControl(sim.url).advanceClock(10 * DAY + 1);
    const res = await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token });
    expect(await res.json()).toEqual({ error: 'dead' });
    expect(await (await control('/demo/grants')).json()).toEqual([expect.objectContaining({ revoked_reason: 'absolute_expired' })]);
  });

  it('takes faults aimed at it by id, and refuses an id no route table has, naming the field', async () => {
    sim = await startSimulator({ autoConsent: true, routeTables: [demoSimulator()] });
    const post = (fault: object) =>
      control('/faults', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(fault) });
    const unknown = await post({ kind: 'status', status: 503, provider: 'nope' });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ field: 'provider' });
    expect((await post({ kind: 'status', status: 503, target: 'token', provider: 'demo', count: 1 })).status).toBe(201);
    expect((await token({ grant_type: 'refresh_token', refresh_token: 'x' })).status).toBe(503);
    expect((await token({ grant_type: 'refresh_token', refresh_token: 'x' })).status).toBe(400);
  });

  it('saves its part of the state under its id and finds it again after a restart', async () => {
    const file = path.join(dir, 'demo.json');
    sim = await startSimulator({ autoConsent: true, stateFile: file, routeTables: [demoSimulator()] });
    const tokens = await connect();
    await sim.stop();
    const saved = JSON.parse(readFileSync(file, 'utf8')) as { version: number; providers: Record<string, unknown> };
    expect(saved.version).toBe(2);
    expect(Object.keys(saved.providers)).toEqual(['atlassian', 'bitbucket', 'demo']);
    await new Promise((resolve) => setTimeout(resolve, 100)); // idle keep-alive sockets to the old server close

    sim = await startSimulator({ autoConsent: true, stateFile: file, routeTables: [demoSimulator()] });
    expect((await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token })).status).toBe(200);
  });
});
