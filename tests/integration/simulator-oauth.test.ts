import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFLUENCE_SCOPES, JIRA_SCOPES } from '@/lib/providers/atlassian/simulator/catalog';
import { consentAndGetCode, exchangeCode, postToken, SimulatorControl } from '@/lib/providers/atlassian/simulator/client';
import { SANDBOX_USERS, startSimulator, type Simulator } from '@/lib/sandbox/simulator';

const REDIRECT = 'http://localhost:3000/api/oauth/callback';
const JIRA = [...JIRA_SCOPES, 'read:me', 'offline_access'];

let sim: Simulator;
let control: SimulatorControl;

beforeEach(async () => {
  sim = await startSimulator();
  control = new SimulatorControl(sim.url);
});
afterEach(() => sim.stop());

function authorizeUrl(params: Record<string, string> = {}): string {
  const query = new URLSearchParams({
    audience: 'api.atlassian.com',
    client_id: 'reconnect-sandbox',
    scope: JIRA.join(' '),
    redirect_uri: REDIRECT,
    state: 'st-1',
    response_type: 'code',
    prompt: 'consent',
    ...params,
  });
  return `${sim.url}/authorize?${query}`;
}

async function signIn(email: string): Promise<string> {
  const res = await fetch(`${sim.url}/login`, {
    method: 'POST',
    body: new URLSearchParams({ email, continue: '/authorize?x=1' }),
    redirect: 'manual',
  });
  expect(res.status).toBe(302);
  expect(res.headers.get('location')).toBe('/authorize?x=1');
  const cookie = res.headers.getSetCookie()[0] ?? '';
  expect(cookie).toMatch(/^atlassian_sim_session=[^;]+; Path=\/; HttpOnly/);
  return cookie.split(';')[0] ?? '';
}

function decisionFields(page: string): URLSearchParams {
  const form = /action="\/authorize\/decision">([\s\S]*?)<\/form>/.exec(page)?.[1] ?? '';
  const fields = new URLSearchParams();
  for (const m of form.matchAll(/name="([^"]+)" value="([^"]*)"/g)) fields.append(m[1] ?? '', (m[2] ?? '').replaceAll('&amp;', '&'));
  return fields;
}

async function openConsent(cookie: string): Promise<string> {
  const res = await fetch(authorizeUrl(), { headers: { cookie }, redirect: 'manual' });
  expect(res.status).toBe(200);
  return res.text();
}

async function decide(cookie: string, page: string, decision: 'accept' | 'cancel'): Promise<URL> {
  const fields = decisionFields(page);
  fields.set('decision', decision);
  const res = await fetch(`${sim.url}/authorize/decision`, { method: 'POST', headers: { cookie }, body: fields, redirect: 'manual' });
  expect(res.status).toBe(302);
  return new URL(res.headers.get('location') ?? '');
}

describe('sign-in and consent', () => {
  it('sends an anonymous browser to the login page, which lists every seeded user', async () => {
    const res = await fetch(authorizeUrl(), { redirect: 'manual' });
    expect(res.status).toBe(302);
    const location = res.headers.get('location') ?? '';
    expect(location.startsWith('/login?continue=')).toBe(true);
    const continueTo = new URLSearchParams(location.split('?')[1]).get('continue') ?? '';
    expect(`${sim.url}${continueTo}`).toBe(authorizeUrl());

    const login = await (await fetch(`${sim.url}${location}`)).text();
    for (const user of SANDBOX_USERS) expect(login).toContain(`Sign in as ${user.name}</button>`);
  });

  it('runs the full code flow: login cookie → consent page → Accept → code → tokens', async () => {
    const cookie = await signIn('bob@example.com');
    const page = await openConsent(cookie);
    expect(page).toContain('Reconnect');
    expect(page).toContain('Bob Smith');
    for (const scope of JIRA) expect(page).toContain(scope);
    expect(page).toMatch(/<button[^>]*>Accept<\/button>/);
    expect(page).toMatch(/<button[^>]*>Cancel<\/button>/);

    const callback = await decide(cookie, page, 'accept');
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT);
    expect(callback.searchParams.get('state')).toBe('st-1');
    const code = callback.searchParams.get('code') ?? '';
    expect(code.length).toBeGreaterThan(10);

    const res = await postToken(sim.url, {
      grant_type: 'authorization_code',
      client_id: 'reconnect-sandbox',
      client_secret: 'sandbox-secret',
      code,
      redirect_uri: REDIRECT,
    });
    expect(res.status).toBe(200);
    const tokens = (await res.json()) as Record<string, unknown>;
    expect(tokens).toMatchObject({ expires_in: 3600, token_type: 'Bearer', scope: JIRA.join(' ') });
    expect(String(tokens.refresh_token).length).toBeGreaterThanOrEqual(300);
    expect(String(tokens.access_token).split('.')).toHaveLength(3);

    const me = await fetch(`${sim.url}/me`, { headers: { authorization: `Bearer ${String(tokens.access_token)}` } });
    expect(((await me.json()) as { email: string }).email).toBe('bob@example.com');
    expect((await control.counters()).authorization_code_grants).toBe(1);
  });

  it('Cancel redirects with access_denied and the documented description', async () => {
    const cookie = await signIn('alice@example.com');
    const callback = await decide(cookie, await openConsent(cookie), 'cancel');
    expect(callback.search).toBe('?error=access_denied&error_description=User%20did%20not%20authorize%20the%20request&state=st-1');
  });

  it('refuses a decision without the session that saw the consent page', async () => {
    const cookie = await signIn('alice@example.com');
    const page = await openConsent(cookie);
    const other = await signIn('bob@example.com');
    const fields = decisionFields(page);
    fields.set('decision', 'accept');
    const res = await fetch(`${sim.url}/authorize/decision`, { method: 'POST', headers: { cookie: other }, body: fields, redirect: 'manual' });
    expect(res.status).toBe(400);
  });

  it('logout clears the session so /authorize asks for login again', async () => {
    const cookie = await signIn('alice@example.com');
    const out = await fetch(`${sim.url}/logout`, { method: 'POST', headers: { cookie }, redirect: 'manual' });
    expect(out.status).toBe(302);
    expect(out.headers.getSetCookie()[0]).toMatch(/atlassian_sim_session=;.*Max-Age=0/);
    const res = await fetch(authorizeUrl(), { headers: { cookie }, redirect: 'manual' });
    expect(res.headers.get('location')).toMatch(/^\/login\?continue=/);
  });

  it('a password change signs the user out of the simulated Atlassian session', async () => {
    const cookie = await signIn('alice@example.com');
    await openConsent(cookie);
    await control.changePassword('alice@example.com');
    const res = await fetch(authorizeUrl(), { headers: { cookie }, redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/^\/login\?continue=/);
  });

  it('only follows relative continue paths after login', async () => {
    const res = await fetch(`${sim.url}/login`, {
      method: 'POST',
      body: new URLSearchParams({ email: 'alice@example.com', continue: '//evil.example/x' }),
      redirect: 'manual',
    });
    expect(res.headers.get('location')).toBe('/');
  });
});

describe('authorize validation', () => {
  it.each([
    ['unknown client_id', { client_id: 'someone-else' }],
    ['wrong audience', { audience: 'example.com' }],
    ['response_type other than code', { response_type: 'token' }],
    ['missing redirect_uri', { redirect_uri: '' }],
  ])('answers %s with a 400 page and no redirect', async (_name, params) => {
    const res = await fetch(authorizeUrl(params), { redirect: 'manual' });
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
  });

  it('sends unknown scopes back to the app as invalid_scope', async () => {
    const res = await fetch(authorizeUrl({ scope: 'read:jira-work manage:everything' }), { redirect: 'manual' });
    const location = new URL(res.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('invalid_scope');
    expect(location.searchParams.get('state')).toBe('st-1');
  });
});

describe('auto-consent', () => {
  it('redirects with a code at once for login_hint, else alice', async () => {
    await control.patchConfig({ auto_consent: true });
    for (const [hint, expected] of [['bob@example.com', 'bob@example.com'], [undefined, 'alice@example.com']] as const) {
      const res = await fetch(authorizeUrl(hint ? { login_hint: hint } : {}), { redirect: 'manual' });
      expect(res.status).toBe(302);
      const code = new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
      const tokens = await exchangeCode(sim.url, code);
      const me = await fetch(`${sim.url}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      expect(((await me.json()) as { email: string }).email).toBe(expected);
    }
  });

  it('uses the signed-in user when there is a session', async () => {
    const s2 = await startSimulator({ autoConsent: true });
    try {
      const code = await consentAndGetCode(s2.url, { email: 'admin@example.com', scopes: ['read:me'] });
      const tokens = await exchangeCode(s2.url, code);
      const me = await fetch(`${s2.url}/me`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      expect(((await me.json()) as { name: string }).name).toBe('Ada Admin');
    } finally {
      await s2.stop();
    }
  });
});

describe('authorization_code grant', () => {
  const exchange = (code: string, overrides: Record<string, unknown> = {}) =>
    postToken(sim.url, {
      grant_type: 'authorization_code',
      client_id: 'reconnect-sandbox',
      client_secret: 'sandbox-secret',
      code,
      redirect_uri: REDIRECT,
      ...overrides,
    });
  const INVALID_CODE = { error: 'invalid_grant', error_description: 'Invalid authorization code' };

  it('refuses a reused code with 403 invalid_grant', async () => {
    const code = await consentAndGetCode(sim.url, { email: 'alice@example.com', scopes: JIRA });
    expect((await exchange(code)).status).toBe(200);
    const again = await exchange(code);
    expect(again.status).toBe(403);
    expect(await again.json()).toEqual(INVALID_CODE);
  });

  it('refuses a code after 10 minutes and with a different redirect_uri', async () => {
    const late = await consentAndGetCode(sim.url, { email: 'alice@example.com', scopes: JIRA });
    await control.advanceClock(601);
    expect(await (await exchange(late)).json()).toEqual(INVALID_CODE);

    const moved = await consentAndGetCode(sim.url, { email: 'alice@example.com', scopes: JIRA });
    const res = await exchange(moved, { redirect_uri: 'http://localhost:3000/other' });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual(INVALID_CODE);
  });

  it('answers wrong client credentials with 401 access_denied before looking at the code', async () => {
    const code = await consentAndGetCode(sim.url, { email: 'alice@example.com', scopes: JIRA });
    const res = await exchange(code, { client_secret: 'wrong' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: 'access_denied', error_description: 'Unauthorized' });
  });

  it('rejects a non-JSON body with 400 invalid_request and counts the call', async () => {
    const res = await fetch(`${sim.url}/oauth/token`, {
      method: 'POST',
      body: new URLSearchParams({ grant_type: 'refresh_token', refresh_token: 'x' }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_request');
    expect((await control.counters()).token_calls).toBe(1);
  });

  it('issues no refresh token without offline_access', async () => {
    const code = await consentAndGetCode(sim.url, { email: 'alice@example.com', scopes: [...CONFLUENCE_SCOPES] });
    const tokens = (await (await exchange(code)).json()) as Record<string, unknown>;
    expect(tokens.access_token).toBeTypeOf('string');
    expect('refresh_token' in tokens).toBe(false);
  });

  it('keeps several families for one user (Jira and Confluence connections)', async () => {
    await exchange(await consentAndGetCode(sim.url, { email: 'alice@example.com', scopes: JIRA }));
    await exchange(await consentAndGetCode(sim.url, { email: 'alice@example.com', scopes: [...CONFLUENCE_SCOPES, 'offline_access'] }));
    const grants = await control.grants();
    expect(grants).toHaveLength(2);
    expect(grants.every((grant) => !grant.revoked && grant.user_email === 'alice@example.com')).toBe(true);
  });
});
