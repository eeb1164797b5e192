import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scopesForConnect } from '../../lib/atlassian/products';
import { handleOAuthCallback, redeemSigninTicket } from '../../lib/flows/callback';
import type { FlowContext } from '../../lib/flows/context';
import { startFlow, type FlowStart } from '../../lib/flows/start';
import { consentAndGetCode } from '../../lib/sandbox/client';
import { startSimulator, type Simulator } from '../../lib/sandbox/simulator';
import { upsertUser } from '../../lib/users';
import { APP_URL, TEST_KEYS, storedTokens, testSql } from '../helpers/connections';

let sim: Simulator;
let sql: Sql;
let ctx: FlowContext;
let alice: { id: string };
let bob: { id: string };
const REDIRECT = `${APP_URL}/api/oauth/callback`;

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

async function begin(flow: FlowStart): Promise<string> {
  return new URL(await startFlow(ctx, flow)).searchParams.get('state')!;
}

async function code(email: string, scopes: string[] = scopesForConnect('jira')): Promise<string> {
  return consentAndGetCode(sim.url, { email, scopes, redirectUri: REDIRECT });
}

const callback = (params: Record<string, string>, sessionUserId: string | null) =>
  handleOAuthCallback(ctx, new URLSearchParams(params), sessionUserId);

async function connectJira(userId: string, email: string): Promise<string> {
  const state = await begin({ purpose: 'connect', userId, product: 'jira' });
  const result = await callback({ state, code: await code(email) }, userId);
  if (!result.ok || result.kind === 'signin') throw new Error(`connect failed: ${JSON.stringify(result)}`);
  return result.connectionId;
}

/** Runs `fn` and asserts it answered `status`/`code` and that no connection, site, event, webhook or user changed. */
async function expectRefusedWithoutWrites(fn: () => ReturnType<typeof callback>, status: number, errorCode: string) {
  const before = await snapshot();
  const result = await fn();
  expect(result).toMatchObject({ ok: false, status, code: errorCode });
  expect(await snapshot()).toEqual(before);
  return result as { message: string };
}

beforeAll(async () => {
  sim = await startSimulator({ leewaySeconds: 0 });
  sql = testSql();
  ctx = {
    sql,
    keys: TEST_KEYS,
    appUrl: APP_URL,
    adminEmails: ['admin@example.com'],
    atlassian: { authUrl: sim.url, apiUrl: sim.url, clientId: 'reconnect-sandbox', clientSecret: 'sandbox-secret' },
  };
  alice = await upsertUser(sql, 'alice@example.com', 'Alice Jones', []);
  bob = await upsertUser(sql, 'bob@example.com', 'Bob Smith', []);
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
    expect(hooks.map((h) => h.type)).toEqual(['connection.created', 'connection.reconnected']);
  });

  it('refuses a reconnect by a different Atlassian account (no silent takeover)', async () => {
    const id = await connectJira(bob.id, 'bob@example.com');
    const state = await begin({ purpose: 'reconnect', userId: bob.id, product: 'jira', connectionId: id });
    const result = await expectRefusedWithoutWrites(async () => callback({ state, code: await code('alice@example.com') }, bob.id), 409, 'account_mismatch');
    expect(result.message).toContain('alice@example.com');
    expect(result.message).toContain('bob@example.com');
  });
});

describe('sign-in through the callback', () => {
  it('creates the user with the admin role from ADMIN_EMAILS and a single-use ticket', async () => {
    const state = await begin({ purpose: 'signin', redirectTo: '/connections/x' });
    const result = await callback({ state, code: await code('admin@example.com', ['read:me']) }, null);
    expect(result).toMatchObject({ ok: true, kind: 'signin', redirectTo: '/connections/x' });
    const ticket = (result as { ticket: string }).ticket;
    const user = await redeemSigninTicket(ctx, ticket);
    expect(user).toMatchObject({ email: 'admin@example.com', role: 'admin' });
    expect(await redeemSigninTicket(ctx, ticket)).toBeUndefined();
  });

  it('never redirects off-site after sign-in', async () => {
    for (const target of ['https://evil.example', '//evil.example', '/\\evil.example']) {
      const state = await begin({ purpose: 'signin', redirectTo: target });
      const result = await callback({ state, code: await code('alice@example.com', ['read:me']) }, null);
      expect(result).toMatchObject({ ok: true, redirectTo: '/' });
    }
  });
});
