import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scopesForConnect } from '../../lib/providers/atlassian/products';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readSession } from '../../lib/auth/sessions';
import { handleOAuthCallback, type CallbackResult } from '../../lib/flows/callback';
import { callbackProblemPath, deadEnd } from '../../lib/pages/dead-ends';
import { hashSecret } from '../../lib/secrets';
import type { FlowContext } from '../../lib/flows/context';
import { startFlow, type FlowStart } from '../../lib/flows/start';
import { BitbucketControl, bitbucketConsentAndGetCode } from '../../lib/providers/bitbucket/simulator/client';
import { consentAndGetCode, SimulatorControl } from '../../lib/providers/atlassian/simulator/client';
import { startSimulator, type Simulator } from '../../lib/sandbox/simulator';
import { releaseSignInAccount, roleFor, upsertUser } from '../../lib/users';
import { APP_URL, engineFor, TEST_KEYS, simApps, storedTokens, testSql } from '../helpers/connections';
import { dbFor } from '../../lib/db';

let sim: Simulator;
let sql: Sql;
let ctx: FlowContext;
let alice: { id: string };
let bob: { id: string };
const REDIRECT = `${APP_URL}/api/oauth/callback`;
// The flow cookie nonce of "this browser" (what the app reads from the cookie the flow start set).
const BROWSER = 'nonce-of-the-browser-that-started-the-flow';

async function snapshot() {
  const [row] = await sql`select
    (select count(*)::int from connections) as connections,
    (select count(*)::int from connection_sites) as sites,
    (select count(*)::int from connection_events) as events,
    (select count(*)::int from webhook_messages) as webhooks,
    (select count(*)::int from users) as users,
    (select coalesce(max(updated_at), 'epoch') from connections) as last_update,
    (select coalesce(sum(token_generation), 0)::int from connections) as generations`;
  return row;
}

async function begin(flow: FlowStart, browserNonce = BROWSER): Promise<string> {
  return new URL(await startFlow(ctx, flow, browserNonce)).searchParams.get('state')!;
}

async function code(email: string, scopes: string[] = scopesForConnect('jira')): Promise<string> {
  return consentAndGetCode(sim.url, { email, scopes, redirectUri: REDIRECT });
}

const callback = (params: Record<string, string>, sessionUserId: string | null, browserNonce: string | null = BROWSER) =>
  handleOAuthCallback(ctx, new URLSearchParams(params), { sessionUserId, browserNonce });

async function connectJira(userId: string, email: string): Promise<string> {
  const state = await begin({ purpose: 'connect', userId, product: 'jira' });
  const result = await callback({ state, code: await code(email) }, userId);
  if (!result.ok || result.kind === 'signin') throw new Error(`connect failed: ${JSON.stringify(result)}`);
  return result.connectionId;
}

// The page the callback route answers 303 to, for each refusal: what the person sees (lib/pages/dead-ends.ts).
const PAGE_OF: Record<string, string> = {
  missing_state: 'oauth-invalid',
  unknown_state: 'oauth-invalid',
  state_expired: 'oauth-expired',
  state_used: 'oauth-used',
  state_mismatch: 'other-user',
  other_browser: 'other-browser',
  access_denied: 'cancelled',
  code_exchange_failed: 'oauth-failed',
  no_sites: 'no-sites',
  no_refresh_token: 'no-refresh-token',
  account_mismatch: 'account-mismatch',
  email_not_verified: 'email-not-verified',
  signin_account_mismatch: 'signin-other-account',
  email_look_alike: 'email-not-accepted',
  product_not_configured: 'product-not-configured',
};

/** Where the callback route sends this refusal (a same-site path, as the route redirects to it). */
const problemTarget = (result: CallbackResult) => new URL(callbackProblemPath(result as Extract<CallbackResult, { ok: false }>), APP_URL);

/**
 * Runs `fn` and asserts it answered `status`/`code`, that no connection, site, event, webhook or user changed, and that
 * the route's 303 leads to the page for that code, with the same status.
 */
async function expectRefusedWithoutWrites(fn: () => ReturnType<typeof callback>, status: number, errorCode: string) {
  const before = await snapshot();
  const result = await fn();
  expect(result).toMatchObject({ ok: false, status, code: errorCode });
  expect(await snapshot()).toEqual(before);
  const target = problemTarget(result);
  expect(target.pathname, errorCode).toBe(`/problem/${PAGE_OF[errorCode]}`);
  expect(deadEnd(PAGE_OF[errorCode]!).status, `${errorCode} page status`).toBe(status);
  return { ...(result as { message: string }), target };
}

beforeAll(async () => {
  sim = await startSimulator({ leewaySeconds: 0 });
  sql = testSql();
  ctx = {
    db: dbFor(sql),
    keys: TEST_KEYS,
    appUrl: APP_URL,
    adminEmails: ['admin@example.com'],
    apps: simApps(sim.url),
    signInProduct: 'jira',
  };
  alice = await upsertUser(dbFor(sql), 'alice@example.com', 'Alice Jones', []);
  bob = await upsertUser(dbFor(sql), 'bob@example.com', 'Bob Smith', []);
});

afterAll(async () => {
  await sim.stop();
  await sql.end();
});

describe('the 3LO callback', () => {
  it('connects: one connection with its product sites, an event and a connection.created webhook', async () => {
    const id = await connectJira(alice.id, 'alice@example.com');
    const sites = await sql`select name from connection_sites where connection_id = ${id} order by name`;
    expect(sites.map((s) => s.name)).toEqual(['Acme', 'Globex']);
    const [event] = await sql`select type from connection_events where connection_id = ${id}`;
    expect(event.type).toBe('connected');
    const [hook] = await sql`select type, payload from webhook_messages where connection_id = ${id}`;
    expect(hook.type).toBe('connection.created');
    expect(JSON.stringify(hook.payload)).not.toContain((await storedTokens(sql, id)).refresh);
  });

  it('refuses a missing state', async () => {
    await expectRefusedWithoutWrites(() => callback({ code: 'x' }, alice.id), 400, 'missing_state');
  });

  it('refuses an unknown state', async () => {
    await expectRefusedWithoutWrites(() => callback({ state: 'forged', code: 'x' }, alice.id), 400, 'unknown_state');
  });

  it('refuses an expired state', async () => {
    const state = await begin({ purpose: 'connect', userId: alice.id, product: 'jira' });
    await sql`update oauth_states set expires_at = now() - interval '1 second' where used_at is null`;
    await expectRefusedWithoutWrites(async () => callback({ state, code: await code('alice@example.com') }, alice.id), 400, 'state_expired');
  });

  it('refuses a replayed callback (state already used)', async () => {
    const state = await begin({ purpose: 'connect', userId: alice.id, product: 'jira' });
    const params = { state, code: await code('alice@example.com') };
    expect((await callback(params, alice.id)).ok).toBe(true);
    await expectRefusedWithoutWrites(() => callback(params, alice.id), 400, 'state_used');
  });

  it("refuses another user's state, and leaves it usable by its owner", async () => {
    const state = await begin({ purpose: 'connect', userId: alice.id, product: 'jira' });
    const params = { state, code: await code('alice@example.com') };
    await expectRefusedWithoutWrites(() => callback(params, bob.id), 403, 'state_mismatch');
    await expectRefusedWithoutWrites(() => callback(params, null), 403, 'state_mismatch');
    expect((await callback(params, alice.id)).ok).toBe(true);
  });

  it('says "You cancelled — nothing changed" on access_denied', async () => {
    const state = await begin({ purpose: 'connect', userId: alice.id, product: 'jira' });
    const result = await expectRefusedWithoutWrites(
      () => callback({ state, error: 'access_denied', error_description: 'User did not authorize the request' }, alice.id),
      400,
      'access_denied',
    );
    expect(result.message).toBe('You cancelled — nothing changed.');
    expect(`${result.target.pathname}${result.target.search}`).toBe('/problem/cancelled?product=jira');
  });

  it('refuses a code Atlassian does not accept', async () => {
    const state = await begin({ purpose: 'connect', userId: alice.id, product: 'jira' });
    await expectRefusedWithoutWrites(() => callback({ state, code: 'not-a-real-code' }, alice.id), 502, 'code_exchange_failed');
  });

  it('refuses a grant with no site for the product', async () => {
    const state = await begin({ purpose: 'connect', userId: alice.id, product: 'jira' });
    const confluenceOnly = await code('alice@example.com', scopesForConnect('confluence'));
    const result = await expectRefusedWithoutWrites(() => callback({ state, code: confluenceOnly }, alice.id), 400, 'no_sites');
    expect(result.message).toContain('no Jira site');
  });

  it('refuses a grant without offline_access (no refresh token)', async () => {
    const state = await begin({ purpose: 'connect', userId: alice.id, product: 'jira' });
    const noOffline = await code('alice@example.com', scopesForConnect('jira').filter((s) => s !== 'offline_access'));
    await expectRefusedWithoutWrites(() => callback({ state, code: noOffline }, alice.id), 400, 'no_refresh_token');
  });

  it('reconnects the same row with a new token family and generation', async () => {
    const id = await connectJira(bob.id, 'bob@example.com');
    const before = await storedTokens(sql, id);
    const hooksBefore = (await sql`select type from webhook_messages where connection_id = ${id}`).length;
    await sql`update connections set status = 'needs_reauth', reason = 'revoked' where id = ${id}`;
    const state = await begin({ purpose: 'reconnect', userId: bob.id, product: 'jira', connectionId: id });
    const result = await callback({ state, code: await code('bob@example.com') }, bob.id);
    expect(result).toMatchObject({ ok: true, kind: 'reconnected', connectionId: id });
    const after = await storedTokens(sql, id);
    expect(after.generation).toBe(before.generation + 1);
    expect(after.refresh).not.toBe(before.refresh);
    const [row] = await sql`select status, reason, consecutive_failures from connections where id = ${id}`;
    expect(row).toEqual({ status: 'active', reason: null, consecutive_failures: 0 });
    const hooks = await sql`select type from webhook_messages where connection_id = ${id} order by created_at`;
    expect(hooks[0]?.type).toBe('connection.created');
    expect(hooks.slice(hooksBefore).map((h) => h.type)).toEqual(['connection.reconnected']);
  });

  it('refuses a reconnect by a different Atlassian account (no silent takeover)', async () => {
    const id = await connectJira(bob.id, 'bob@example.com');
    const state = await begin({ purpose: 'reconnect', userId: bob.id, product: 'jira', connectionId: id });
    const result = await expectRefusedWithoutWrites(async () => callback({ state, code: await code('alice@example.com') }, bob.id), 409, 'account_mismatch');
    expect(result.message).toContain('alice@example.com');
    expect(result.message).toContain('bob@example.com');
    // The page gets the connection id (it shows the account to the owner only), never an email or a token.
    expect(`${result.target.pathname}${result.target.search}`).toBe(`/problem/account-mismatch?product=jira&connection=${id}`);
  });
});

describe('sign-in through the callback', () => {
  it('creates the user with the admin role from ADMIN_EMAILS and a server-side session', async () => {
    const state = await begin({ purpose: 'signin', redirectTo: '/connections/x' });
    const result = await callback({ state, code: await code('admin@example.com', ['read:me']) }, null);
    expect(result).toMatchObject({ ok: true, kind: 'signin', redirectTo: `${APP_URL}/connections/x` });
    const { sessionToken } = result as { sessionToken: string };
    const session = await readSession(dbFor(sql), sessionToken);
    const [user] = await sql`select id, role from users where email = 'admin@example.com'`;
    expect(session?.userId).toBe(user.id);
    expect(user.role).toBe('admin');
    // Only the token's hash is stored.
    expect((await sql`select 1 from sessions where session_token = ${sessionToken}`).length).toBe(0);
  });

  it('signs in with Bitbucket when only a Bitbucket consumer is configured, by its confirmed email', async () => {
    const bitbucketOnly: FlowContext = { ...ctx, signInProduct: 'bitbucket', apps: (p) => (p === 'bitbucket' ? ctx.apps(p) : undefined) };
    const url = new URL(await startFlow(bitbucketOnly, { purpose: 'signin', redirectTo: '/' }, BROWSER));
    expect(url.pathname).toBe('/site/oauth2/authorize');
    const pending = await bitbucketConsentAndGetCode(sim.url, { email: 'bob@example.com', redirectUri: REDIRECT });
    const result = await handleOAuthCallback(bitbucketOnly, new URLSearchParams({ state: url.searchParams.get('state')!, code: pending }), {
      sessionUserId: null,
      browserNonce: BROWSER,
    });
    expect(result).toMatchObject({ ok: true, kind: 'signin' });
    const session = await readSession(dbFor(sql), (result as { sessionToken: string }).sessionToken);
    expect(session?.userId).toBe(bob.id);
  });

  it('never redirects off-site after sign-in', async () => {
    for (const target of ['https://evil.example', '//evil.example', '/\\evil.example', '/\t/evil.example']) {
      const state = await begin({ purpose: 'signin', redirectTo: target });
      const result = await callback({ state, code: await code('alice@example.com', ['read:me']) }, null);
      expect(result).toMatchObject({ ok: true, redirectTo: `${APP_URL}/` });
    }
  });

  it('refuses an Atlassian account whose email Atlassian has not verified: no user, no session', async () => {
    const state = await begin({ purpose: 'signin' });
    const sessions = async () => (await sql`select count(*)::int as n from sessions`)[0].n;
    const before = await sessions();
    await expectRefusedWithoutWrites(async () => callback({ state, code: await code('uma@example.com', ['read:me']) }, null), 403, 'email_not_verified');
    expect((await sql`select 1 from users where email = 'uma@example.com'`).length).toBe(0);
    expect(await sessions()).toBe(before);
  });

  it('signs in a profile whose name carries NUL and control characters, without them', async () => {
    // A loopback stand-in for Atlassian's API: the simulator, except that /me answers a hostile name.
    const server: Server = createServer(async (req, res) => {
      const upstream = await fetch(`${sim.url}${req.url}`, { headers: { authorization: req.headers.authorization ?? '' } });
      const body = await upstream.text();
      res.writeHead(upstream.status, { 'content-type': 'application/json' });
      if (req.url === '/me' && upstream.ok) {
        const me = JSON.parse(body);
        res.end(JSON.stringify({ ...me, name: 'Bob\u0000 \u001b[31mSmith\u0007', picture: `${me.picture}\u0000` }));
      } else res.end(body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const hostileApi = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const hostile: FlowContext = { ...ctx, apps: (p) => { const app = ctx.apps(p); return app && { ...app, apiUrl: hostileApi }; } };
    try {
      const state = new URL(await startFlow(hostile, { purpose: 'signin' }, BROWSER)).searchParams.get('state')!;
      const result = await handleOAuthCallback(hostile, new URLSearchParams({ state, code: await code('bob@example.com', ['read:me']) }), {
        sessionUserId: null,
        browserNonce: BROWSER,
      });
      expect(result).toMatchObject({ ok: true, kind: 'signin' });
      const [user] = await sql`select name from users where email = 'bob@example.com'`;
      expect(user.name).toBe('Bob [31mSmith');
    } finally {
      server.close();
    }
  });
});

describe('a user is bound to the account that first signed them in, not to an email', () => {
  /**
   * A loopback stand-in for Atlassian's API: the simulator, except that /me answers `me(simulated)`, e.g. another
   * account id for the same email (the email is verified: Atlassian would vouch for it).
   */
  async function standIn(me: (simulated: Record<string, unknown>) => Record<string, unknown>, extra: Partial<FlowContext> = {}) {
    const server: Server = createServer(async (req, res) => {
      const upstream = await fetch(`${sim.url}${req.url}`, { headers: { authorization: req.headers.authorization ?? '' } });
      const body = await upstream.text();
      res.writeHead(upstream.status, { 'content-type': 'application/json' });
      res.end(req.url === '/me' && upstream.ok ? JSON.stringify(me(JSON.parse(body))) : body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const flow: FlowContext = { ...ctx, ...extra, apps: (p) => { const app = ctx.apps(p); return app && { ...app, apiUrl }; } };
    const signIn = async (simulatedEmail: string) => {
      const state = new URL(await startFlow(flow, { purpose: 'signin' }, BROWSER)).searchParams.get('state')!;
      return handleOAuthCallback(flow, new URLSearchParams({ state, code: await code(simulatedEmail, ['read:me']) }), { sessionUserId: null, browserNonce: BROWSER });
    };
    return { signIn, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  const sessionsOf = async (email: string) =>
    (await sql`select count(*)::int as n from sessions s join users u on u.id = s.user_id where u.email = ${email}`)[0].n as number;
  const userRow = async (email: string) => (await sql`select id, name, role, atlassian_account_id as bound from users where email = ${email}`)[0];

  it('binds a user to the provider account at sign-in, and refuses another account with the same (verified) email: no session, nothing changed', async () => {
    // Carol signs in for the first time: her account binds her.
    const carolAccount = '557058:ca401000-0000-4000-8000-00000000ca01';
    const asCarol = await standIn((me) => ({ ...me, account_id: carolAccount, email: 'carol@example.com', name: 'Carol', email_verified: true }));
    try {
      expect(await asCarol.signIn('bob@example.com')).toMatchObject({ ok: true, kind: 'signin' });
      expect(await asCarol.signIn('bob@example.com')).toMatchObject({ ok: true, kind: 'signin' }); // the same account again
    } finally {
      await asCarol.close();
    }
    const before = await userRow('carol@example.com');
    expect(before.bound).toBe(`atlassian:${carolAccount}`);
    const sessions = await sessionsOf('carol@example.com');

    // Another Atlassian account whose (verified) email is Carol's, even written differently: refused.
    const impostor = await standIn((me) => ({ ...me, name: 'Not Carol', email: ' CAROL@example.com ', email_verified: true }));
    try {
      const refused = await expectRefusedWithoutWrites(() => impostor.signIn('bob@example.com'), 403, 'signin_account_mismatch');
      expect(refused.message).toContain('signs in with a different Atlassian account');
      const page = deadEnd('signin-other-account');
      expect(page.title({})).toBe('Signed in with another account');
      expect(page.explanation({ product: 'jira' })).toContain('Nothing changed: nobody was signed in.');
    } finally {
      await impostor.close();
    }
    expect(await userRow('carol@example.com')).toEqual(before); // same name, role and binding
    expect(await sessionsOf('carol@example.com')).toBe(sessions);

    // Released by an admin (npm run cli -- user unbind), the next sign-in binds again.
    expect(await releaseSignInAccount(dbFor(sql), 'Carol@Example.com')).toBe(true);
    const again = await standIn((me) => ({ ...me, email: 'carol@example.com', email_verified: true }));
    try {
      expect(await again.signIn('bob@example.com')).toMatchObject({ ok: true, kind: 'signin' });
    } finally {
      await again.close();
    }
    expect((await userRow('carol@example.com')).bound).toBe('atlassian:557058:d4c3b2a1-9f8e-4d7c-b6a5-000000000003');
  });

  it('two simultaneous first sign-ins of one email from two accounts: one binds, the other is refused', async () => {
    const a = await standIn((me) => ({ ...me, account_id: '557058:da000000-0000-4000-8000-0000000000a1', email: 'dana@example.com' }));
    const b = await standIn((me) => ({ ...me, account_id: '557058:da000000-0000-4000-8000-0000000000b2', email: 'dana@example.com' }));
    try {
      const results = await Promise.all([a.signIn('bob@example.com'), b.signIn('alice@example.com')]);
      expect(results.map((r) => (r.ok ? 'ok' : r.code)).sort()).toEqual(['ok', 'signin_account_mismatch']);
      expect(await sessionsOf('dana@example.com')).toBe(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it('a legacy binding (a bare account id) still binds; a binding to another provider is replaced', async () => {
    const eveAccount = '557058:e0e00000-0000-4000-8000-0000000000e1';
    await upsertUser(dbFor(sql), 'eve@example.com', 'Eve', []);
    await sql`update users set atlassian_account_id = ${'557058:e0e00000-0000-4000-8000-0000000000ff'} where email = 'eve@example.com'`;
    const eve = await standIn((me) => ({ ...me, account_id: eveAccount, email: 'eve@example.com' }));
    try {
      await expectRefusedWithoutWrites(() => eve.signIn('bob@example.com'), 403, 'signin_account_mismatch');
      await sql`update users set atlassian_account_id = ${eveAccount} where email = 'eve@example.com'`;
      expect(await eve.signIn('bob@example.com')).toMatchObject({ ok: true });
      expect((await userRow('eve@example.com')).bound).toBe(`atlassian:${eveAccount}`);
      await sql`update users set atlassian_account_id = ${'bitbucket:{e0e00000-0000-4000-8000-0000000000ff}'} where email = 'eve@example.com'`;
      expect(await eve.signIn('bob@example.com')).toMatchObject({ ok: true });
      expect((await userRow('eve@example.com')).bound).toBe(`atlassian:${eveAccount}`);
    } finally {
      await eve.close();
    }
  });

  it('normalises emails with NFKC: the same address written with a combining accent is one user', async () => {
    const composed = 'jos\u00e9@example.com';
    const decomposed = 'JOSE\u0301@example.com';
    const jose = await standIn((me) => ({ ...me, account_id: '557058:105e0000-0000-4000-8000-000000000001', email: decomposed }));
    try {
      expect(await jose.signIn('bob@example.com')).toMatchObject({ ok: true, user: { email: composed } });
      expect(await jose.signIn('bob@example.com')).toMatchObject({ ok: true, user: { email: composed } });
    } finally {
      await jose.close();
    }
    expect((await sql`select email from users where email like 'jos%'`).map((u) => u.email)).toEqual([composed]);
  });

  it('refuses an address written with look-alike characters that read as another, plain one (full-width letters)', async () => {
    const lookAlike = await standIn((me) => ({ ...me, account_id: '557058:f0000000-0000-4000-8000-0000000000f1', email: '\uff41dmin@example.com' }));
    try {
      await expectRefusedWithoutWrites(() => lookAlike.signIn('bob@example.com'), 403, 'email_look_alike');
      expect(deadEnd('email-not-accepted').title({})).toBe('Email address not accepted');
    } finally {
      await lookAlike.close();
    }
  });

  it('matches ADMIN_EMAILS on plain ASCII addresses only: a non-ASCII address never gets the admin role', async () => {
    const dotless = 'adm\u0131n@example.com'; // "admın", with a dotless ı
    const adminEmails = ['admin@example.com', dotless];
    const server = await standIn((me) => ({ ...me, account_id: '557058:d0000000-0000-4000-8000-0000000000d1', email: dotless }), { adminEmails });
    try {
      expect(await server.signIn('bob@example.com')).toMatchObject({ ok: true, user: { email: dotless } });
    } finally {
      await server.close();
    }
    expect(roleFor(dotless, [dotless, 'admin@example.com'])).toBe('user');
    expect(roleFor('\uff41dmin@example.com', ['admin@example.com'])).toBe('user');
    expect(roleFor(' Admin@Example.com ', ['admin@example.com'])).toBe('admin');
    const [row] = await sql`select role from users where email = ${dotless}`;
    expect(row.role).toBe('user');
  });
});

describe('every flow is bound to the browser that started it', () => {
  it.each([
    ['sign-in', (): FlowStart => ({ purpose: 'signin' }), 'bob@example.com', ['read:me']],
    ['connect', (): FlowStart => ({ purpose: 'connect', userId: alice.id, product: 'jira' }), 'alice@example.com', scopesForConnect('jira')],
  ] as const)('%s: a callback from another browser (other or no nonce) changes nothing and leaves the state to its owner', async (_name, flow, email, scopes) => {
    const state = await begin(flow());
    const params = { state, code: await code(email, [...scopes]) };
    const userId = flow().purpose === 'signin' ? null : alice.id;
    const sessions = async () => (await sql`select count(*)::int as n from sessions`)[0].n;
    const before = await sessions();
    const refused = await expectRefusedWithoutWrites(() => callback(params, userId, 'nonce-of-the-victims-browser'), 403, 'other_browser');
    expect(refused.message).toContain('nothing changed');
    await expectRefusedWithoutWrites(() => callback(params, userId, null), 403, 'other_browser');
    expect(await sessions()).toBe(before);
    const [row] = await sql`select used_at from oauth_states where state_hash = ${hashSecret(state)}`;
    expect(row).toEqual({ used_at: null });
    expect((await callback(params, userId)).ok).toBe(true);
  });

  it('reconnect: a callback from another browser is refused', async () => {
    const id = await connectJira(bob.id, 'bob@example.com');
    const state = await begin({ purpose: 'reconnect', userId: bob.id, product: 'jira', connectionId: id });
    await expectRefusedWithoutWrites(async () => callback({ state, code: await code('bob@example.com') }, bob.id, 'another'), 403, 'other_browser');
  });
});

// The same flows for every provider: Atlassian's 3LO app (Jira) and Bitbucket's OAuth consumer.
describe.each(['jira', 'bitbucket'] as const)('connect and reconnect through the callback (%s)', (product) => {
  const productCode = (email: string) =>
    product === 'bitbucket' ? bitbucketConsentAndGetCode(sim.url, { email, redirectUri: REDIRECT }) : code(email);
  const families = async () => (product === 'bitbucket' ? new BitbucketControl(sim.url).grants() : new SimulatorControl(sim.url).grants());

  async function connect(userId: string, email: string) {
    const state = await begin({ purpose: 'connect', userId, product });
    return callback({ state, code: await productCode(email) }, userId);
  }

  it('stores one connection with its sites (Bitbucket: workspaces by uuid) and the account', async () => {
    const result = await connect(alice.id, 'alice@example.com');
    expect(result).toMatchObject({ ok: true, product });
    const id = (result as { connectionId: string }).connectionId;
    const sites = await sql`select cloud_id, name from connection_sites where connection_id = ${id} order by name`;
    expect(sites.length).toBeGreaterThan(0);
    if (product === 'bitbucket') {
      expect(sites.map((s) => s.name)).toEqual(['Acme Engineering', 'Globex', 'Initech Dev']);
      expect(sites.every((s) => /^\{[0-9a-f-]+\}$/.test(s.cloud_id))).toBe(true);
    }
    const [row] = await sql`select product, status, account_email from connections where id = ${id}`;
    expect(row).toEqual({ product, status: 'active', account_email: 'alice@example.com' });
  });

  it('connecting the same account again reconnects the existing connection with the new family; the old token is never used', async () => {
    // A user of this test alone (other files write connections to the same database at the same time), consenting as bob.
    const owner = await upsertUser(dbFor(sql), `twice-${product}-${Date.now()}@example.com`, 'Twice', []);
    const first = await connect(owner.id, 'bob@example.com');
    const id = (first as { connectionId: string }).connectionId;
    const before = await storedTokens(sql, id);
    const again = await connect(owner.id, 'bob@example.com');
    expect(again).toMatchObject({ ok: true, kind: 'reconnected', connectionId: id, product });
    const live = await sql`select id from connections where user_id = ${owner.id} and status <> 'disconnected'`;
    expect(live.map((r) => r.id)).toEqual([id]);
    const after = await storedTokens(sql, id);
    expect(after.refresh).not.toBe(before.refresh);
    expect(after.generation).toBe(before.generation + 1);
    // The replaced family is left alone (Bitbucket has no revocation endpoint); Reconnect just never sends its token again.
    const bobs = (await families()).filter((g) => g.user_email === 'bob@example.com');
    expect(bobs.length).toBeGreaterThanOrEqual(2);
    expect(bobs.every((g) => !g.revoked)).toBe(true);
    const [{ n: refreshed }] = await sql`select count(*)::int as n from connection_events where connection_id = ${id} and type = 'refreshed'`;
    expect(refreshed).toBe(0);
    // The next refresh rotates the new family; the replaced one is never sent again (no reuse, no rotation there).
    const markerSql = testSql(2);
    try {
      const token = await engineFor(sql, markerSql, sim.url).getAccessToken(id, { rejectedToken: after.access });
      expect(token.refreshed).toBe(true);
    } finally {
      await markerSql.end();
    }
    const [older, newer] = (await families()).filter((g) => g.user_email === 'bob@example.com').slice(-2);
    expect(older).toMatchObject({ generation: 0, revoked: false });
    expect(newer).toMatchObject({ generation: 1, revoked: false });
  });

  it('refuses to start or finish a flow for a product whose app is not configured, writing nothing', async () => {
    const unconfigured: FlowContext = { ...ctx, apps: (p) => (p === product ? undefined : ctx.apps(p)) };
    await expect(startFlow(unconfigured, { purpose: 'connect', userId: alice.id, product }, BROWSER)).rejects.toMatchObject({ code: 'product_not_configured' });
    const state = await begin({ purpose: 'connect', userId: alice.id, product });
    const pending = await productCode('alice@example.com');
    const before = await snapshot();
    const result = await handleOAuthCallback(unconfigured, new URLSearchParams({ state, code: pending }), { sessionUserId: alice.id, browserNonce: BROWSER });
    expect(result).toMatchObject({ ok: false, status: 400, code: 'product_not_configured' });
    const after = await snapshot();
    expect(after.connections).toBe(before.connections);
    expect(after.generations).toBe(before.generations);
  });
});
