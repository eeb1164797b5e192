// The simulated Bitbucket Cloud (SPEC 1b), over real HTTP: consent, the token endpoint's wire format,
// rotation, refused reuse, independent families, consumer permission changes and the unused expiry.
import { afterEach, describe, expect, it } from 'vitest';
import {
  basicAuth,
  bitbucketConsentAndGetCode,
  BitbucketControl,
  connectBitbucketAs,
  exchangeBitbucketCode,
  postBitbucketRefresh,
  postBitbucketToken,
  type BitbucketTokenSet,
} from '@/lib/providers/bitbucket/simulator/client';
import { SimulatorControl } from '@/lib/providers/atlassian/simulator/client';
import { startSimulator, type Simulator, type SimulatorOptions } from '@/lib/sandbox/simulator';

const DEAD = { error: 'invalid_request', error_description: 'Invalid refresh_token' };
const DAY = 24 * 60 * 60;
const REDIRECT = 'http://localhost:3000/api/oauth/callback';

let sim: Simulator;
let bb: BitbucketControl;
let control: SimulatorControl;
afterEach(() => sim.stop());

async function start(opts: SimulatorOptions = {}): Promise<void> {
  sim = await startSimulator(opts);
  bb = new BitbucketControl(sim.url);
  control = new SimulatorControl(sim.url);
}

async function connect(email = 'alice@example.com'): Promise<BitbucketTokenSet> {
  return connectBitbucketAs(sim.url, { email });
}

async function refreshOk(refreshToken: string): Promise<BitbucketTokenSet> {
  const res = await postBitbucketRefresh(sim.url, refreshToken);
  expect(res.status).toBe(200);
  return (await res.json()) as BitbucketTokenSet;
}

async function expectDead(refreshToken: string): Promise<void> {
  const res = await postBitbucketRefresh(sim.url, refreshToken);
  expect(res.status).toBe(400);
  expect(await res.json()).toEqual(DEAD);
}

const api = (path: string, token: string, init: RequestInit = {}) =>
  fetch(`${sim.url}${path}`, { ...init, headers: { authorization: `Bearer ${token}` } });

describe('authorize', () => {
  function authorizeUrl(params: Record<string, string>): string {
    return `${sim.url}/site/oauth2/authorize?${new URLSearchParams(params)}`;
  }

  it('sends a signed-out browser to log in, then shows the consumer permissions with Grant access and Cancel', async () => {
    await start();
    const url = authorizeUrl({ client_id: 'reconnect-bitbucket-sandbox', response_type: 'code', state: 's', redirect_uri: REDIRECT });
    const signedOut = await fetch(url, { redirect: 'manual' });
    expect(signedOut.status).toBe(302);
    expect(signedOut.headers.get('location')).toMatch(/^\/login\?continue=%2Fsite%2Foauth2%2Fauthorize/);

    const login = await fetch(`${sim.url}/login`, {
      method: 'POST',
      body: new URLSearchParams({ email: 'bob@example.com', continue: '/' }),
      redirect: 'manual',
    });
    const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const page = await (await fetch(url, { headers: { cookie } })).text();
    expect(page).toContain('requesting access to your Bitbucket account');
    expect(page).toContain('Bob Smith');
    for (const scope of ['account', 'email', 'repository', 'pullrequest']) expect(page).toContain(`<code>${scope}</code>`);
    expect(page).toContain('>Grant access</button>');
    expect(page).toContain('>Cancel</button>');
  });

  it('returns a code with the state; Cancel returns access_denied', async () => {
    await start();
    const code = await bitbucketConsentAndGetCode(sim.url, { email: 'alice@example.com', state: 'xyz' });
    expect(code.length).toBeGreaterThan(10);

    const login = await fetch(`${sim.url}/login`, { method: 'POST', body: new URLSearchParams({ email: 'alice@example.com' }), redirect: 'manual' });
    const cookie = (login.headers.getSetCookie()[0] ?? '').split(';')[0] ?? '';
    const page = await (await fetch(authorizeUrl({ client_id: 'reconnect-bitbucket-sandbox', response_type: 'code', state: 'xyz', redirect_uri: REDIRECT }), { headers: { cookie } })).text();
    const csrf = /name="csrf_token" value="([^"]+)"/.exec(page)?.[1] ?? '';
    const cancel = await fetch(`${sim.url}/site/oauth2/authorize`, {
      method: 'POST',
      headers: { cookie },
      body: new URLSearchParams({ client_id: 'reconnect-bitbucket-sandbox', response_type: 'code', state: 'xyz', redirect_uri: REDIRECT, csrf_token: csrf, decision: 'cancel' }),
      redirect: 'manual',
    });
    const location = new URL(cancel.headers.get('location') ?? '');
    expect(location.searchParams.get('error')).toBe('access_denied');
    expect(location.searchParams.get('state')).toBe('xyz');
    expect(location.searchParams.has('code')).toBe(false);
  });

  it('refuses an unknown consumer and a foreign redirect_uri when the consumer has a callback URL', async () => {
    await start({ bitbucket: { callbackUrl: REDIRECT } });
    const unknown = await fetch(authorizeUrl({ client_id: 'nope', response_type: 'code' }), { redirect: 'manual' });
    expect(unknown.status).toBe(400);
    expect(await unknown.text()).toContain('no OAuth consumer has this key');
    const foreign = await fetch(
      authorizeUrl({ client_id: 'reconnect-bitbucket-sandbox', response_type: 'code', redirect_uri: 'https://evil.example/cb' }),
      { redirect: 'manual' },
    );
    expect(foreign.status).toBe(400);
    // Without redirect_uri the consumer's own callback URL is used.
    const code = await bitbucketConsentAndGetCode(sim.url, { email: 'alice@example.com', redirectUri: null });
    expect((await exchangeBitbucketCode(sim.url, code, null)).access_token).toBeTruthy();
  });

  it('consents at once in auto-consent mode, as the signed-in account or alice', async () => {
    await start({ autoConsent: true });
    const res = await fetch(authorizeUrl({ client_id: 'reconnect-bitbucket-sandbox', response_type: 'code', state: 'a', redirect_uri: REDIRECT }), { redirect: 'manual' });
    expect(res.status).toBe(302);
    const code = new URL(res.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const tokens = await exchangeBitbucketCode(sim.url, code);
    expect((await bb.grants())[0]?.user_email).toBe('alice@example.com');
    expect((await api('/2.0/user', tokens.access_token)).status).toBe(200);
  });
});

describe('token endpoint wire format', () => {
  it('answers a code exchange with bearer tokens of 2 hours and the consumer scopes', async () => {
    await start();
    const tokens = await connect();
    expect(tokens).toMatchObject({ token_type: 'bearer', expires_in: 7200, scope: 'account email repository pullrequest' });
    expect(tokens.refresh_token).toBeTypeOf('string');
    expect(tokens).not.toHaveProperty('scopes');
    expect((await bb.counters()).authorization_code_grants).toBe(1);
    // The Atlassian side saw nothing.
    expect((await control.counters()).token_calls).toBe(0);
  });

  it('says `scopes` instead of `scope` when configured like older answers', async () => {
    await start();
    await bb.patchConfig({ legacy_scopes_field: true });
    const tokens = await connect();
    expect(tokens.scopes).toBe('account email repository pullrequest');
    expect(tokens).not.toHaveProperty('scope');
  });

  it('uses a code once', async () => {
    await start();
    const code = await bitbucketConsentAndGetCode(sim.url, { email: 'alice@example.com' });
    await exchangeBitbucketCode(sim.url, code);
    const again = await postBitbucketToken(sim.url, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
    expect(again.status).toBe(400);
    expect(await again.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('answers wrong or missing client credentials, or credentials only in the body, with 401 invalid_client', async () => {
    await start();
    const tokens = await connect();
    const wrong = await postBitbucketToken(sim.url, { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }, {
      authorization: basicAuth('reconnect-bitbucket-sandbox', 'wrong'),
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toMatchObject({ error: 'invalid_client' });
    const inBody = await postBitbucketToken(
      sim.url,
      { grant_type: 'refresh_token', refresh_token: tokens.refresh_token, client_id: 'reconnect-bitbucket-sandbox', client_secret: 'bitbucket-sandbox-secret' },
      { authorization: null },
    );
    expect(inBody.status).toBe(401);
    // Nothing rotated: the refresh token still works.
    await refreshOk(tokens.refresh_token);
  });

  it('answers a JSON body or a missing parameter with an invalid_request that is not "Invalid refresh_token"', async () => {
    await start();
    const tokens = await connect();
    const json = await fetch(`${sim.url}/site/oauth2/access_token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: basicAuth() },
      body: JSON.stringify({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token }),
    });
    expect(json.status).toBe(400);
    const body = (await json.json()) as { error: string; error_description: string };
    expect(body.error).toBe('invalid_request');
    expect(body.error_description).not.toBe('Invalid refresh_token');
    const missing = await postBitbucketToken(sim.url, { grant_type: 'refresh_token' });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({ error: 'invalid_request', error_description: 'Missing refresh_token parameter' });
    await refreshOk(tokens.refresh_token);
  });
});

describe('rotation and reuse', () => {
  it('rotates on every refresh; the new access token works and the old one lives out its 2 hours', async () => {
    await start();
    const first = await connect();
    const second = await refreshOk(first.refresh_token);
    expect(second.refresh_token).not.toBe(first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    expect((await api('/2.0/user', second.access_token)).status).toBe(200);
    expect((await api('/2.0/user', first.access_token)).status).toBe(200);
    await control.advanceClock(7200);
    const expired = await api('/2.0/user', second.access_token);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual({ type: 'error', error: { message: 'Access token expired.' } });
    const counters = await bb.counters();
    expect(counters).toMatchObject({ refreshes: 1, token_calls: 2, api_unauthorized: 1 });
    expect((await bb.grants())[0]).toMatchObject({ generation: 1, revoked: false });
  });

  it('refuses a rotated refresh token and revokes the whole family', async () => {
    await start();
    const first = await connect();
    const second = await refreshOk(first.refresh_token);
    await expectDead(first.refresh_token);
    await expectDead(second.refresh_token);
    expect((await api('/2.0/user', second.access_token)).status).toBe(401);
    expect(await bb.counters()).toMatchObject({ rejected_reuses: 1, dead_token_responses: 2, refreshes: 1 });
    expect((await bb.grants())[0]).toMatchObject({ revoked: true, revoked_reason: 'reuse_detected' });
  });

  it('accepts a reuse within a configured leeway (default none) by answering with the current token', async () => {
    await start();
    await bb.patchConfig({ leeway_seconds: 30 });
    const first = await connect();
    const second = await refreshOk(first.refresh_token);
    const reused = await refreshOk(first.refresh_token);
    expect(reused.refresh_token).toBe(second.refresh_token);
    expect((await bb.counters()).reuses_within_leeway).toBe(1);
    await control.advanceClock(31);
    await expectDead(first.refresh_token);
  });

  it('can answer a dead token with invalid_grant instead', async () => {
    await start();
    await bb.patchConfig({ dead_token_error: 'invalid_grant' });
    const res = await postBitbucketRefresh(sim.url, 'no-such-token');
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: 'invalid_grant', error_description: 'Invalid refresh_token' });
  });
});

describe('families', () => {
  it('gives each authorization an independent family: one dying leaves the other alive', async () => {
    await start();
    const a = await connect();
    const b = await connect();
    expect(await bb.grants()).toHaveLength(2);
    const a2 = await refreshOk(a.refresh_token);
    const b2 = await refreshOk(b.refresh_token);
    await expectDead(a.refresh_token); // reuse kills family A only
    await refreshOk(b2.refresh_token);
    await expectDead(a2.refresh_token);
    const grants = await bb.grants();
    expect(grants.map((g) => g.revoked)).toEqual([true, false]);
  });

  it('revokes every token of the consumer when its permissions change, for every user', async () => {
    await start();
    const alice = await connect('alice@example.com');
    const bob = await connect('bob@example.com');
    const result = await bb.changePermissions(['account', 'repository']);
    expect(result).toEqual({ scopes: ['account', 'repository'], revoked_grants: 2 });
    await expectDead(alice.refresh_token);
    await expectDead(bob.refresh_token);
    expect((await api('/2.0/user', alice.access_token)).status).toBe(401);
    expect((await bb.grants()).every((g) => g.revoked_reason === 'permissions_changed')).toBe(true);
    // A new consent gets the new permissions.
    const again = await connect('alice@example.com');
    expect(again.scope).toBe('account repository');
    expect((await api('/2.0/user/emails', again.access_token)).status).toBe(403);
  });

  it("revokes only that user's families when a user revokes the app", async () => {
    await start();
    const alice = await connect('alice@example.com');
    const bob = await connect('bob@example.com');
    expect((await bb.revokeApp('alice@example.com')).revoked_grants).toBe(1);
    await expectDead(alice.refresh_token);
    await refreshOk(bob.refresh_token);
  });

  it('expires a refresh token left unused for 3 months on the simulator clock; each rotation restarts it', async () => {
    await start();
    const first = await connect();
    await control.advanceClock(80 * DAY);
    const second = await refreshOk(first.refresh_token);
    await control.advanceClock(80 * DAY);
    const third = await refreshOk(second.refresh_token);
    await control.advanceClock(90 * DAY + 1);
    await expectDead(third.refresh_token);
    expect((await bb.grants())[0]).toMatchObject({ revoked: true, revoked_reason: 'unused_expired' });
  });
});

describe('the 2.0 API', () => {
  it('serves the user, their primary email and workspaces with their uuids', async () => {
    await start();
    const tokens = await connect('alice@example.com');
    const user = (await (await api('/2.0/user', tokens.access_token)).json()) as Record<string, unknown>;
    expect(user).toMatchObject({ display_name: 'Alice Jones', nickname: 'alice', account_id: '557058:8b2e4f6a-1c3d-4e5f-a6b7-000000000002' });
    expect(user.uuid).toMatch(/^\{[0-9a-f-]+\}$/);
    const emails = (await (await api('/2.0/user/emails', tokens.access_token)).json()) as { values: unknown[] };
    expect(emails.values).toEqual([{ type: 'email', email: 'alice@example.com', is_primary: true, is_confirmed: true }]);
    const page = (await (await api('/2.0/user/permissions/workspaces', tokens.access_token)).json()) as {
      values: Array<{ permission: string; workspace: { uuid: string; slug: string; name: string } }>;
      next?: string;
    };
    expect(page.values.map((v) => v.workspace.slug)).toEqual(['acme-eng', 'globex', 'initech-dev']);
    expect(page.values[0]?.workspace.uuid).toMatch(/^\{[0-9a-f-]+\}$/);
    expect(page.next).toBeUndefined();
  });

  it('paginates workspaces with `next`', async () => {
    await start();
    const tokens = await connect();
    const seen: string[] = [];
    let url: string | undefined = `${sim.url}/2.0/user/permissions/workspaces?pagelen=2`;
    let pages = 0;
    while (url) {
      const body = (await (await fetch(url, { headers: { authorization: `Bearer ${tokens.access_token}` } })).json()) as {
        values: Array<{ workspace: { slug: string } }>;
        next?: string;
      };
      seen.push(...body.values.map((v) => v.workspace.slug));
      url = body.next;
      pages += 1;
    }
    expect(pages).toBe(2);
    expect(seen).toEqual(['acme-eng', 'globex', 'initech-dev']);
  });

  it('accepts access tokens only in the Bearer header', async () => {
    await start();
    const tokens = await connect();
    const query = await fetch(`${sim.url}/2.0/user?access_token=${encodeURIComponent(tokens.access_token)}`);
    expect(query.status).toBe(401);
    expect((await bb.counters()).api_unauthorized).toBe(1);
  });

  it('answers 403 with the granted and required scopes when a permission is missing', async () => {
    await start({ bitbucket: { scopes: ['account'] } });
    const tokens = await connect();
    const res = await api('/2.0/repositories/acme-eng', tokens.access_token);
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: { detail: { granted: ['account'], required: ['repository'] } } });
  });
});

describe('faults, counters and reset', () => {
  it('applies faults to Bitbucket unless they name the other provider', async () => {
    await start();
    const tokens = await connect();
    await control.addFault({ kind: 'status', status: 503, target: 'token', provider: 'atlassian' });
    await refreshOk(tokens.refresh_token).then(async (next) => {
      await control.clearFaults();
      await control.addFault({ kind: 'status', status: 502, target: 'token', provider: 'bitbucket', count: 1 });
      expect((await postBitbucketRefresh(sim.url, next.refresh_token)).status).toBe(502);
      await control.addFault({ kind: 'rate_limit', retry_after_seconds: 7, count: 1 });
      const limited = await api('/2.0/user', next.access_token);
      expect(limited.status).toBe(429);
      expect(limited.headers.get('retry-after')).toBe('7');
      await control.addFault({ kind: 'invalid_client', count: 1 });
      expect((await postBitbucketRefresh(sim.url, next.refresh_token)).status).toBe(401);
      await refreshOk(next.refresh_token);
    });
  });

  it('rotates a refresh token whose answer is dropped (drop_after_rotate): a retry is a refused reuse', async () => {
    await start();
    const tokens = await connect();
    await control.addFault({ kind: 'drop_after_rotate', count: 1, provider: 'bitbucket' });
    await expect(postBitbucketRefresh(sim.url, tokens.refresh_token)).rejects.toThrow();
    await expectDead(tokens.refresh_token);
    expect((await bb.counters()).rejected_reuses).toBe(1);
  });

  it('resets the Bitbucket side with the rest of the simulator', async () => {
    await start();
    await connect();
    await bb.patchConfig({ leeway_seconds: 5 });
    await control.reset();
    expect(await bb.grants()).toEqual([]);
    expect((await bb.counters()).authorization_code_grants).toBe(0);
    expect((await bb.config()).leeway_seconds).toBe(0);
  });

  it('refuses a bad control body naming the field', async () => {
    await start();
    const res = await fetch(`${sim.url}/_control/bitbucket/consumer/permissions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ scopes: ['account', 'nonsense'] }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_body', field: 'scopes.1' });
    expect((await bb.config()).scopes).toEqual(['account', 'email', 'repository', 'pullrequest']);
  });
});
