import fc from 'fast-check';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApiKey, revokeApiKey } from '../../lib/api-keys';
import { resetConfigForTests } from '../../lib/config';
import { ConnectionNotFoundError, connectSessionInput, createConnectSession, openConnectSession } from '../../lib/connect-sessions';
import { disconnectConnection } from '../../lib/connections/manage';
import { closeDb } from '../../lib/db';
import { handleOAuthCallback } from '../../lib/flows/callback';
import type { FlowContext } from '../../lib/flows/context';
import { consentAndGetCode } from '../../lib/providers/atlassian/simulator/client';
import { startSimulator, type Simulator } from '../../lib/sandbox/simulator';
import { hashSecret } from '../../lib/secrets';
import { upsertUser, type UserRow } from '../../lib/users';
import { APP_URL, connectViaSimulator, engineFor, expireAccessTokens, reconnectViaSimulator, simApps, TEST_KEYS, testSql } from '../helpers/connections';
import { NextRequest } from 'next/server';
import { appFlowContext } from '../../lib/flows/app-context';
import { startFlow } from '../../lib/flows/start';
import { safeRedirect } from '../../lib/auth/redirect';
import { deadEnd } from '../../lib/pages/dead-ends';
import { SimulatorControl } from '../../lib/providers/atlassian/simulator/client';
import { dbFor } from '../../lib/db';

const ROUTE_APP_URL = 'http://reconnect.test';
const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
const ENV = {
  APP_URL: ROUTE_APP_URL,
  TOKEN_ENCRYPTION_KEY: TEST_KEYS.current.toString('base64'),
  AUTH_SECRET: 'connect-sessions-test-secret',
};

// The link route reads the session through next-auth; here the test decides who is signed in.
const session = vi.hoisted(() => ({ user: null as null | { id: string; email: string; name: string | null; role: 'user' | 'admin' } }));
vi.mock('../../lib/auth/session', () => ({ currentUser: async () => session.user }));
// The flow cookie (next/headers needs a request scope): this "browser" always has the same nonce.
vi.mock('../../lib/auth/flow-nonce', () => ({ browserFlowNonce: async () => 'nonce-of-the-route-browser', sentFlowNonce: async () => 'nonce-of-the-route-browser' }));

let sim: Simulator;
let sql: Sql;
let ctx: FlowContext;
let alice: UserRow;
let bob: UserRow;
const savedEnv: Record<string, string | undefined> = {};

beforeAll(async () => {
  sim = await startSimulator({ autoConsent: false });
  sql = testSql();
  ctx = {
    db: dbFor(sql),
    keys: TEST_KEYS,
    appUrl: APP_URL,
    adminEmails: [],
    apps: simApps(sim.url),
    signInProduct: 'jira',
  };
  alice = await upsertUser(dbFor(sql), 'alice@example.com', 'Alice', []);
  bob = await upsertUser(dbFor(sql), 'bob@example.com', 'Bob', []);
  for (const [k, v] of Object.entries({ ...ENV, ATLASSIAN_AUTH_URL: sim.url, ATLASSIAN_API_URL: sim.url })) {
    savedEnv[k] = process.env[k];
    process.env[k] = v;
  }
  resetConfigForTests();
});

afterAll(async () => {
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  resetConfigForTests();
  await sim.stop();
  await sql.end();
  await closeDb();
});

const tokenOf = (url: string) => new URL(url).pathname.split('/').at(-1)!;

async function sessionRow(token: string) {
  const [row] = await sql<
    { id: string; user_email: string; product: string; connection_id: string | null; expires_at: Date; used_at: Date | null; created_at: Date }[]
  >`select id, user_email, product, connection_id, expires_at, used_at, created_at from connect_sessions where token_hash = ${hashSecret(token)}`;
  return row;
}

async function sessionCount(): Promise<number> {
  const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from connect_sessions`;
  return n;
}

async function stateCount(): Promise<number> {
  const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from oauth_states`;
  return n;
}

async function newLink(input: Parameters<typeof createConnectSession>[2] = { user_email: 'alice@example.com', product: 'jira' }) {
  const link = await createConnectSession(dbFor(sql), APP_URL, input);
  return { ...link, token: tokenOf(link.url) };
}

/** Plays the user at Atlassian's consent screen for an authorize URL; returns the callback's query. */
async function consentAt(authorizeUrl: string, email: string): Promise<URLSearchParams> {
  const url = new URL(authorizeUrl);
  const state = url.searchParams.get('state')!;
  const code = await consentAndGetCode(sim.url, {
    email,
    scopes: url.searchParams.get('scope')!.split(' '),
    redirectUri: url.searchParams.get('redirect_uri')!,
    state,
  });
  return new URLSearchParams({ code, state });
}

describe('createConnectSession', () => {
  it('writes a 30-minute link for a user and product, storing only the token hash', async () => {
    const before = Date.now();
    const link = await newLink({ user_email: '  Carol@Example.COM ', product: 'confluence' });
    expect(link.url).toMatch(new RegExp(`^${APP_URL}/connect/[A-Za-z0-9_-]{43}$`));
    const row = await sessionRow(link.token);
    expect(row).toMatchObject({ user_email: 'carol@example.com', product: 'confluence', connection_id: null, used_at: null });
    expect(row.expires_at.toISOString()).toBe(link.expires_at);
    expect(row.expires_at.getTime() - row.created_at.getTime()).toBe(30 * 60 * 1000);
    expect(Math.abs(new Date(link.expires_at).getTime() - (before + 30 * 60 * 1000))).toBeLessThan(10_000);
    const [raw] = await sql`select * from connect_sessions where id = ${row.id}`;
    expect(JSON.stringify(raw)).not.toContain(link.token);
    expect(tokenOf((await newLink()).url)).not.toBe(link.token);
  });

  it('its API schema normalises the email as users are (NFKC, trimmed, lower-cased)', () => {
    expect(connectSessionInput.parse({ user_email: ' Carol@Example.COM ', product: 'jira' })).toEqual({ user_email: 'carol@example.com', product: 'jira' });
    expect(connectSessionInput.parse({ user_email: 'carol@\uff25xample.com', product: 'jira' })).toEqual({ user_email: 'carol@example.com', product: 'jira' });
    expect(connectSessionInput.parse({ connection_id: UNKNOWN_ID })).toEqual({ connection_id: UNKNOWN_ID });
  });

  it('copies product and owner email from a connection', async () => {
    const conn = await connectViaSimulator(sql, sim.url, 'bob@example.com', 'confluence');
    const link = await newLink({ connection_id: conn.id });
    expect(await sessionRow(link.token)).toMatchObject({ user_email: 'bob@example.com', product: 'confluence', connection_id: conn.id });
  });

  it('refuses an unknown, malformed or disconnected connection and writes nothing', async () => {
    const conn = await connectViaSimulator(sql, sim.url, 'bob@example.com');
    await disconnectConnection(dbFor(sql), APP_URL, conn.id, 'test');
    const before = await sessionCount();
    for (const id of [UNKNOWN_ID, 'not-a-uuid', conn.id]) {
      await expect(createConnectSession(dbFor(sql), APP_URL, { connection_id: id })).rejects.toBeInstanceOf(ConnectionNotFoundError);
    }
    expect(await sessionCount()).toBe(before);
  });
});

// The flow cookie nonce of the browser that opens the links.
const BROWSER = 'nonce-of-the-browser';

describe('openConnectSession', () => {
  it('asks someone not signed in to sign in first, and consumes nothing', async () => {
    const link = await newLink();
    expect(await openConnectSession(ctx, link.token, null, BROWSER)).toEqual({ kind: 'signin', next: `/connect/${link.token}` });
    expect((await sessionRow(link.token)).used_at).toBeNull();
  });

  it('refuses someone signed in as another email without naming whom the link is for, and consumes nothing', async () => {
    const link = await newLink();
    const states = await stateCount();
    const result = await openConnectSession(ctx, link.token, { id: bob.id, email: bob.email }, BROWSER);
    expect(result).toMatchObject({ kind: 'error', status: 403 });
    const message = result.kind === 'error' ? result.message : '';
    expect(message).toContain('belongs to someone else');
    expect(message).not.toContain('alice@example.com');
    expect(message).not.toContain('alice');
    expect((await sessionRow(link.token)).used_at).toBeNull();
    expect(await stateCount()).toBe(states);
  });

  it('sends the right user to Atlassian with a state bound to them, once', async () => {
    const link = await newLink();
    const result = await openConnectSession(ctx, link.token, { id: alice.id, email: 'Alice@Example.com' }, BROWSER);
    expect(result.kind).toBe('redirect');
    const url = new URL(result.kind === 'redirect' ? result.url : '');
    expect(`${url.origin}${url.pathname}`).toBe(`${sim.url}/authorize`);
    expect(url.searchParams.get('redirect_uri')).toBe(`${APP_URL}/api/oauth/callback`);
    expect(url.searchParams.get('scope')).toContain('offline_access');
    expect(url.searchParams.get('scope')).toContain('read:jira-work');
    const state = url.searchParams.get('state')!;
    const [stored] = await sql`select purpose, user_id, product, connection_id, connect_session_id from oauth_states where state_hash = ${hashSecret(state)}`;
    const row = await sessionRow(link.token);
    expect(stored).toEqual({ purpose: 'connect', user_id: alice.id, product: 'jira', connection_id: null, connect_session_id: row.id });
    expect(row.used_at).toBeInstanceOf(Date);
    expect(await openConnectSession(ctx, link.token, { id: alice.id, email: alice.email }, BROWSER)).toMatchObject({ kind: 'error', status: 410, code: 'used' });
    expect(await openConnectSession(ctx, link.token, null, BROWSER)).toMatchObject({ kind: 'error', status: 410 });
  });

  it('ends, through consent and the callback, in a new connection of the link user', async () => {
    // A link user of this test alone: one who already had alice's Confluence connected would get it reconnected (SPEC 2).
    const owner = await upsertUser(dbFor(sql), `link-${Date.now()}@example.com`, 'Link', []);
    const link = await newLink({ user_email: owner.email, product: 'confluence' });
    const opened = await openConnectSession(ctx, link.token, { id: owner.id, email: owner.email }, BROWSER);
    const query = await consentAt(opened.kind === 'redirect' ? opened.url : '', 'alice@example.com');
    const done = await handleOAuthCallback(ctx, query, { sessionUserId: owner.id, browserNonce: BROWSER });
    expect(done).toMatchObject({ ok: true, kind: 'connected', product: 'confluence' });
    const [conn] = await sql`select user_id, product, status from connections where id = ${done.ok && 'connectionId' in done ? done.connectionId : UNKNOWN_ID}`;
    expect(conn).toEqual({ user_id: owner.id, product: 'confluence', status: 'active' });
  });

  it('reconnects the link connection in place', async () => {
    const conn = await connectViaSimulator(sql, sim.url, 'alice@example.com', 'jira');
    await sql`update connections set status = 'needs_reauth', reason = 'revoked' where id = ${conn.id}`;
    const link = await newLink({ connection_id: conn.id });
    const opened = await openConnectSession(ctx, link.token, { id: alice.id, email: alice.email }, BROWSER);
    const authorize = opened.kind === 'redirect' ? opened.url : '';
    const [state] = await sql`select purpose, connection_id from oauth_states where state_hash = ${hashSecret(new URL(authorize).searchParams.get('state')!)}`;
    expect(state).toEqual({ purpose: 'reconnect', connection_id: conn.id });
    const done = await handleOAuthCallback(ctx, await consentAt(authorize, 'alice@example.com'), { sessionUserId: alice.id, browserNonce: BROWSER });
    expect(done).toMatchObject({ ok: true, kind: 'reconnected', connectionId: conn.id });
    const [row] = await sql`select status, token_generation from connections where id = ${conn.id}`;
    expect(row).toEqual({ status: 'active', token_generation: 2 });
  });

  it('lets exactly one of several simultaneous opens through', async () => {
    const link = await newLink();
    const { id } = await sessionRow(link.token);
    // Hold the row so that every opener passes its first read and then queues on the consuming update.
    const locker = testSql(1);
    const observer = testSql(1);
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    let holding!: () => void;
    const held = new Promise<void>((r) => (holding = r));
    const lock = locker.begin(async (tx) => {
      await tx`select 1 from connect_sessions where id = ${id} for update`;
      holding();
      await released;
    });
    await held;
    const opens = Promise.all(Array.from({ length: 6 }, () => openConnectSession(ctx, link.token, { id: alice.id, email: alice.email }, BROWSER)));
    try {
      await vi.waitFor(
        async () => {
          const [{ n }] = await observer`select count(*)::int as n from pg_stat_activity
            where datname = current_database() and wait_event_type = 'Lock' and query like 'update "connect_sessions"%'`; // the statement as Drizzle writes it
          expect(n).toBe(6);
        },
        { timeout: 10_000 },
      );
    } finally {
      release();
      await lock;
      await locker.end();
      await observer.end();
    }
    const results = await opens;
    expect(results.filter((r) => r.kind === 'redirect')).toHaveLength(1);
    expect(results.filter((r) => r.kind === 'error' && r.status === 410)).toHaveLength(5);
    const [{ n }] = await sql`select count(*)::int as n from oauth_states where connect_session_id = ${id}`;
    expect(n).toBe(1);
  });

  it('consumes the link and stores the state in one transaction (one pooled connection suffices)', async () => {
    const link = await newLink();
    const single = testSql(1);
    try {
      const opened = await Promise.race([
        openConnectSession({ ...ctx, db: dbFor(single) }, link.token, { id: alice.id, email: alice.email }, BROWSER),
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error('openConnectSession needed a second connection')), 5_000)),
      ]);
      expect(opened.kind).toBe('redirect');
    } finally {
      await single.end({ timeout: 1 });
    }
  });

  it('answers 410 for an expired link, even before sign-in, and 404 for an unknown one', async () => {
    const link = await newLink();
    await sql`update connect_sessions set expires_at = now() - interval '1 second' where token_hash = ${hashSecret(link.token)}`;
    expect(await openConnectSession(ctx, link.token, { id: alice.id, email: alice.email }, BROWSER)).toMatchObject({ kind: 'error', status: 410, code: 'expired' });
    expect(await openConnectSession(ctx, link.token, null, BROWSER)).toMatchObject({ kind: 'error', status: 410, code: 'expired' });
    expect((await sessionRow(link.token)).used_at).toBeNull();
    for (const token of ['nope', '', link.token.slice(1), 'x'.repeat(5000)]) {
      expect(await openConnectSession(ctx, token, { id: alice.id, email: alice.email }, BROWSER)).toMatchObject({ kind: 'error', status: 404 });
    }
  });

  it('refuses to reconnect a connection owned by someone else, consuming nothing', async () => {
    const bobs = await connectViaSimulator(sql, sim.url, 'bob@example.com');
    const link = await newLink({ connection_id: bobs.id });
    expect(await openConnectSession(ctx, link.token, { id: alice.id, email: alice.email }, BROWSER)).toMatchObject({ kind: 'error', status: 403 });
    // Even a link whose email was (somehow) the signed-in user's cannot hand over bob's connection.
    await sql`update connect_sessions set user_email = 'alice@example.com' where token_hash = ${hashSecret(link.token)}`;
    const states = await stateCount();
    expect(await openConnectSession(ctx, link.token, { id: alice.id, email: alice.email }, BROWSER)).toMatchObject({ kind: 'error', status: 403, code: 'not_owner' });
    expect((await sessionRow(link.token)).used_at).toBeNull();
    expect(await stateCount()).toBe(states);
  });

  it('refuses a link whose connection was disconnected since', async () => {
    const conn = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    const link = await newLink({ connection_id: conn.id });
    await disconnectConnection(dbFor(sql), APP_URL, conn.id, 'test');
    expect(await openConnectSession(ctx, link.token, { id: alice.id, email: alice.email }, BROWSER)).toMatchObject({ kind: 'error', status: 404 });
    expect((await sessionRow(link.token)).used_at).toBeNull();
  });

  it('leaves the link unused when the OAuth state cannot be stored', async () => {
    const link = await newLink();
    // A user id with no users row: the oauth_states insert fails on its foreign key.
    await expect(openConnectSession(ctx, link.token, { id: UNKNOWN_ID, email: 'alice@example.com' }, BROWSER)).rejects.toThrow();
    expect((await sessionRow(link.token)).used_at).toBeNull();
    expect((await openConnectSession(ctx, link.token, { id: alice.id, email: alice.email }, BROWSER)).kind).toBe('redirect');
  });
});

describe('POST /api/v1/connect-sessions', () => {
  let apiKey: string;
  let POST: (request: Request, context: unknown) => Promise<Response>;

  beforeAll(async () => {
    apiKey = (await createApiKey(dbFor(sql), 'connect-sessions route')).key;
    ({ POST } = await import('../../app/api/v1/connect-sessions/route'));
  });

  const request = (body: unknown, headers: Record<string, string> = {}) =>
    new Request(`${ROUTE_APP_URL}/api/v1/connect-sessions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  /** Posts and asserts that no link was written when the answer is not a 201. */
  async function post(body: unknown, headers?: Record<string, string>) {
    const before = await sessionCount();
    const res = await POST(request(body, headers), { params: Promise.resolve({}) });
    const json = await res.json();
    if (res.status !== 201) expect(await sessionCount()).toBe(before);
    return { status: res.status, json };
  }

  it('201 {url, expires_at} for a user and product, email normalised', async () => {
    const { status, json } = await post({ user_email: '  Dave@Example.COM', product: 'jira' });
    expect(status).toBe(201);
    expect(Object.keys(json).sort()).toEqual(['expires_at', 'url']);
    expect(json.url).toMatch(new RegExp(`^${ROUTE_APP_URL}/connect/[A-Za-z0-9_-]{43}$`));
    expect(new Date(json.expires_at).toISOString()).toBe(json.expires_at);
    expect(await sessionRow(tokenOf(json.url))).toMatchObject({ user_email: 'dave@example.com', product: 'jira', connection_id: null });
  });

  it('201 for bitbucket in sandbox mode (all three products work with no configuration)', async () => {
    const { status, json } = await post({ user_email: 'dave@example.com', product: 'bitbucket' });
    expect(status).toBe(201);
    expect(await sessionRow(tokenOf(json.url))).toMatchObject({ product: 'bitbucket' });
  });

  it('400 product_not_configured, naming the field and writing nothing, for a product whose app has no credentials', async () => {
    // Live with only Atlassian's 3LO app: no Bitbucket consumer.
    const saved = { id: process.env.ATLASSIAN_CLIENT_ID, secret: process.env.ATLASSIAN_CLIENT_SECRET };
    Object.assign(process.env, { ATLASSIAN_CLIENT_ID: 'live-id', ATLASSIAN_CLIENT_SECRET: 'live-secret' });
    resetConfigForTests();
    try {
      const { status, json } = await post({ user_email: 'dave@example.com', product: 'bitbucket' });
      expect(status).toBe(400);
      expect(json.error).toMatchObject({ code: 'product_not_configured', field: 'product' });
      expect((await post({ user_email: 'dave@example.com', product: 'jira' })).status).toBe(201);
    } finally {
      for (const [k, v] of [['ATLASSIAN_CLIENT_ID', saved.id], ['ATLASSIAN_CLIENT_SECRET', saved.secret]] as const) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      resetConfigForTests();
    }
  });

  it('201 for a connection id', async () => {
    const conn = await connectViaSimulator(sql, sim.url, 'bob@example.com', 'confluence');
    const { status, json } = await post({ connection_id: conn.id });
    expect(status).toBe(201);
    expect(await sessionRow(tokenOf(json.url))).toMatchObject({ user_email: 'bob@example.com', product: 'confluence', connection_id: conn.id });
  });

  it('401 for a missing, wrong or revoked key, writing nothing', async () => {
    const body = { user_email: 'dave@example.com', product: 'jira' };
    const revoked = await createApiKey(dbFor(sql), 'revoked');
    await revokeApiKey(dbFor(sql), revoked.id);
    for (const authorization of ['', `Bearer ${apiKey.slice(0, -1)}x`, `Bearer ${revoked.key}`, `Token ${apiKey}`]) {
      const { status, json } = await post(body, { authorization });
      expect(status).toBe(401);
      expect(json.error.code).toBe('unauthorized');
    }
  });

  it('404 not_found for an unknown or disconnected connection, writing nothing', async () => {
    const conn = await connectViaSimulator(sql, sim.url, 'bob@example.com');
    await disconnectConnection(dbFor(sql), APP_URL, conn.id, 'test');
    for (const id of [UNKNOWN_ID, conn.id]) {
      const { status, json } = await post({ connection_id: id });
      expect(status).toBe(404);
      expect(json.error.code).toBe('not_found');
      expect(json.error.message).toContain(id);
    }
  });

  it.each([
    [{}, 'user_email'],
    [{ product: 'jira' }, 'user_email'],
    [{ user_email: 'dave@example.com' }, 'product'],
    [{ user_email: 'not an email', product: 'jira' }, 'user_email'],
    [{ user_email: 42, product: 'jira' }, 'user_email'],
    [{ user_email: 'dave@example.com', product: 'trello' }, 'product'],
    [{ connection_id: 'abc' }, 'connection_id'],
    [{ connection_id: 7 }, 'connection_id'],
    [{ connection_id: UNKNOWN_ID, product: 'jira' }, 'product'],
    [{ connection_id: UNKNOWN_ID, user_email: 'dave@example.com' }, 'user_email'],
    [{ user_email: 'dave@example.com', product: 'jira', userEmail: 'x' }, 'userEmail'],
  ])('400 naming the field for %j', async (body, field) => {
    const { status, json } = await post(body);
    expect(status).toBe(400);
    expect(json.error).toMatchObject({ code: 'invalid_request', field });
    expect(json.error.message).toContain(field);
  });

  it('400 for a body that is not a JSON object; 415 for another content type', async () => {
    for (const body of ['{"user_email":', '[]', 'null', '"x"']) {
      const { status, json } = await post(body);
      expect(status).toBe(400);
      expect(json.error.code).toBe('invalid_request');
    }
    const { status, json } = await post('user_email=a@b.co&product=jira', { 'content-type': 'application/x-www-form-urlencoded' });
    expect(status).toBe(415);
    expect(json.error.code).toBe('unsupported_media_type');
  });

  it('property: a bad product, email or connection id is a 400 naming that field, and writes nothing', async () => {
    const notProduct = fc.string().filter((s) => s !== 'jira' && s !== 'confluence');
    const notEmail = fc.string().filter((s) => !s.includes('@'));
    const notString = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 2 }), fc.object({ maxDepth: 1 }));
    const cases = fc.oneof(
      notProduct.map((product) => ({ body: { user_email: 'eve@example.com', product } as Record<string, unknown>, field: 'product' })),
      notEmail.map((user_email) => ({ body: { user_email, product: 'jira' } as Record<string, unknown>, field: 'user_email' })),
      notString.map((connection_id) => ({ body: { connection_id } as Record<string, unknown>, field: 'connection_id' })),
      fc.uuid().map((connection_id) => ({ body: { connection_id, product: 'jira' } as Record<string, unknown>, field: 'product' })),
    );
    await fc.assert(
      fc.asyncProperty(cases, async ({ body, field }) => {
        const { status, json } = await post(body);
        expect(status).toBe(400);
        expect(json.error.field).toBe(field);
        expect(json.error.message).toContain(field);
      }),
      { numRuns: 60 },
    );
  });
});

describe('GET /connect/{token}', () => {
  let GET: (request: Request, context: { params: Promise<{ token: string }> }) => Promise<Response>;

  beforeAll(async () => {
    ({ GET } = await import('../../app/connect/[token]/route'));
  });

  const open = (token: string, user: UserRow | null) => {
    session.user = user;
    return GET(new Request(`${ROUTE_APP_URL}/connect/${token}`), { params: Promise.resolve({ token }) });
  };

  it('sends someone not signed in to sign in, coming back to the link', async () => {
    const link = await newLink();
    const res = await open(link.token, null);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${ROUTE_APP_URL}/signin?next=${encodeURIComponent(`/connect/${link.token}`)}`);
    expect((await sessionRow(link.token)).used_at).toBeNull();
  });

  it('sends the right user to the consent screen once; then 410', async () => {
    const link = await newLink();
    const res = await open(link.token, alice);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toMatch(new RegExp(`^${sim.url}/authorize\\?.*state=`));
    expect(res.headers.get('cache-control')).toBe('no-store');
    const again = await open(link.token, alice);
    expect(again.status).toBe(303);
    expect(again.headers.get('location')).toBe(`${ROUTE_APP_URL}/problem/link-used`);
  });

  it('sends another user to the wrong-user page (the URL names nobody) and an unknown link to its page', async () => {
    const link = await newLink();
    const wrong = await open(link.token, bob);
    expect(wrong.status).toBe(303);
    expect(wrong.headers.get('location')).toBe(`${ROUTE_APP_URL}/problem/link-wrong-user`);
    expect((await sessionRow(link.token)).used_at).toBeNull();
    expect((await open('unknown-token', alice)).headers.get('location')).toBe(`${ROUTE_APP_URL}/problem/link-not-found`);
  });
});

describe('a link after sign-in, and a link no longer needed', () => {
  const ROUTE_BROWSER = 'nonce-of-the-route-browser';
  let openLink: (request: Request, context: { params: Promise<{ token: string }> }) => Promise<Response>;
  let callbackRoute: (request: NextRequest) => Promise<Response>;

  beforeAll(async () => {
    ({ GET: openLink } = await import('../../app/connect/[token]/route'));
    ({ GET: callbackRoute } = await import('../../app/api/oauth/callback/route'));
  });

  const open = (token: string, user: UserRow | null) => {
    session.user = user;
    return openLink(new Request(`${ROUTE_APP_URL}/connect/${token}`), { params: Promise.resolve({ token }) });
  };
  const callback = (query: URLSearchParams, user: UserRow | null) => {
    session.user = user;
    return callbackRoute(new NextRequest(`${ROUTE_APP_URL}/api/oauth/callback?${query}`));
  };

  it('the sign-in before a link stores the link by its id, never its token; after sign-in the link goes on to the consent screen', async () => {
    const link = await newLink({ user_email: 'alice@example.com', product: 'confluence' });
    const { id } = await sessionRow(link.token);
    const signIn = await open(link.token, null);
    const next = new URL(signIn.headers.get('location')!).searchParams.get('next')!;
    expect(next).toBe(`/connect/${link.token}`);
    // What the sign-in page's button does (app/signin/actions.ts).
    const app = appFlowContext();
    const authorize = await startFlow(app, { purpose: 'signin', redirectTo: safeRedirect(next, app.appUrl) }, ROUTE_BROWSER);
    const state = new URL(authorize).searchParams.get('state')!;
    const [row] = await sql`select * from oauth_states where state_hash = ${hashSecret(state)}`;
    expect(row).toMatchObject({ purpose: 'signin', redirect_to: null, connect_session_id: id });
    expect(JSON.stringify(row)).not.toContain(link.token);
    expect(JSON.stringify(await sql`select * from oauth_states`)).not.toContain(link.token);

    // Signed in at the provider: the callback signs Alice in and goes straight on to the link's consent screen.
    const signedIn = await callback(await consentAt(authorize, 'alice@example.com'), null);
    expect(signedIn.status).toBe(303);
    expect(signedIn.headers.get('set-cookie')).toMatch(/session-token=/);
    const consent = signedIn.headers.get('location')!;
    expect(consent).toMatch(new RegExp(`^${sim.url}/authorize\\?`));
    const [connectState] = await sql`select purpose, user_id, product, connect_session_id from oauth_states where state_hash = ${hashSecret(new URL(consent).searchParams.get('state')!)}`;
    expect(connectState).toEqual({ purpose: 'connect', user_id: alice.id, product: 'confluence', connect_session_id: id });
    expect((await sessionRow(link.token)).used_at).not.toBeNull();
    const done = await callback(await consentAt(consent, 'alice@example.com'), alice);
    expect(done.headers.get('location')).toMatch(new RegExp(`^${ROUTE_APP_URL}/\\?connected=confluence&connection=`));
  });

  it('after sign-in as someone else, the link says it is for someone else, and stays unused', async () => {
    const link = await newLink({ user_email: 'alice@example.com', product: 'jira' });
    const app = appFlowContext();
    const authorize = await startFlow(app, { purpose: 'signin', redirectTo: `/connect/${link.token}` }, ROUTE_BROWSER);
    const signedIn = await callback(await consentAt(authorize, 'bob@example.com'), null);
    expect(signedIn.headers.get('location')).toBe(`${ROUTE_APP_URL}/problem/link-wrong-user`);
    expect((await sessionRow(link.token)).used_at).toBeNull();
  });

  it('a link opened after its connection was reconnected another way says it is no longer valid', async () => {
    const conn = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    await sql`update connections set status = 'needs_reauth', reason = 'revoked' where id = ${conn.id}`;
    const mailed = await newLink({ connection_id: conn.id }); // e.g. the mail's Reconnect button
    const fromApi = await newLink({ connection_id: conn.id }); // and a link the API handed out
    // Reconnected from the connection's page (or any other link): both links are withdrawn in that transaction.
    await reconnectViaSimulator(sql, sim.url, conn.id, 'alice@example.com');
    for (const link of [mailed, fromApi]) {
      const row = await sessionRow(link.token);
      expect(row.used_at).not.toBeNull();
      expect(row.used_at!.getTime()).toBe(row.expires_at.getTime());
      for (const who of [alice, null]) {
        const res = await open(link.token, who);
        expect(res.headers.get('location')).toBe(`${ROUTE_APP_URL}/problem/link-withdrawn`);
      }
      expect(await openConnectSession(ctx, link.token, alice, BROWSER)).toMatchObject({ kind: 'error', status: 410, code: 'withdrawn' });
    }
    const page = deadEnd('link-withdrawn');
    expect(page.title({})).toBe('This link is no longer valid');
    expect(page.status).toBe(410);
    expect(page.explanation({})).toContain('has been reconnected, or works again, since the link was sent');
    // Another connection's links, and links without a connection, are left alone.
    const other = await newLink({ user_email: 'alice@example.com', product: 'jira' });
    await reconnectViaSimulator(sql, sim.url, conn.id, 'alice@example.com');
    expect(await sessionRow(other.token)).toMatchObject({ used_at: null });
  });

  it('a connection that recovers withdraws its open links, except its Renew link while in its renewal window', async () => {
    const control = new SimulatorControl(sim.url);
    const engine = engineFor(sql, sql, sim.url);
    const degrade = async (id: string) => {
      await control.addFault({ kind: 'status', status: 503, target: 'token', count: 1 });
      await expireAccessTokens(sql, [id]);
      await expect(engine.getAccessToken(id)).rejects.toMatchObject({ code: 'temporarily_unavailable' });
      expect((await sql`select status from connections where id = ${id}`)[0].status).toBe('degraded');
    };
    // The worker's retry after the backoff: refreshed, recovered.
    const recover = async (id: string) => {
      await sql`update connections set next_refresh_at = now() - interval '1 second' where id = ${id}`;
      expect(await engine.refreshNextDue()).toEqual({ id, outcome: 'refreshed' });
      expect((await sql`select status from connections where id = ${id}`)[0].status).toBe('active');
    };
    try {
      const plain = await connectViaSimulator(sql, sim.url, 'alice@example.com', 'confluence');
      await degrade(plain.id);
      const link = await newLink({ connection_id: plain.id });
      await recover(plain.id);
      expect((await open(link.token, alice)).headers.get('location')).toBe(`${ROUTE_APP_URL}/problem/link-withdrawn`);

      const renewing = await connectViaSimulator(sql, sim.url, 'alice@example.com', 'confluence');
      await sql`update connections set renew_warned_at = now() where id = ${renewing.id}`;
      await degrade(renewing.id);
      const renew = await newLink({ connection_id: renewing.id });
      await recover(renewing.id);
      expect(await sessionRow(renew.token)).toMatchObject({ used_at: null });
    } finally {
      await control.clearFaults();
    }
  });
});
