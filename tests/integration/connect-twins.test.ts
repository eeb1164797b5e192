// Two first connects of one account at the same moment (two tabs, a double click): both pass the callback, and
// they end as one connection, the second a reconnect of the first, never twins. Real HTTP to the simulator for the
// code exchange and the grant's details; a database of this file's own (a test drops the index).
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createConnection } from '../../lib/connections/store';
import { dbFor } from '../../lib/db';
import { handleOAuthCallback } from '../../lib/flows/callback';
import type { FlowContext } from '../../lib/flows/context';
import { startFlow } from '../../lib/flows/start';
import { providerFor } from '../../lib/providers';
import { scopesForConnect } from '../../lib/providers/atlassian/products';
import { consentAndGetCode } from '../../lib/providers/atlassian/simulator/client';
import { startSimulator, type Simulator } from '../../lib/sandbox/simulator';
import { upsertUser } from '../../lib/users';
import { APP_URL, simApps, TEST_KEYS, testSql } from '../helpers/connections';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const REDIRECT = `${APP_URL}/api/oauth/callback`;
const BROWSER = 'nonce-of-this-browser';
let sim: Simulator;
let database: TestDatabase;
let sql: Sql;
let ctx: FlowContext;

beforeAll(async () => {
  sim = await startSimulator({ leewaySeconds: 0 });
  database = await createTestDatabase('connect_twins');
  sql = testSql(8, database.url);
  ctx = { db: dbFor(sql), keys: TEST_KEYS, appUrl: APP_URL, adminEmails: [], apps: simApps(sim.url), signInProduct: 'jira' };
});

afterAll(async () => {
  await sim?.stop();
  await sql?.end();
  await database?.drop();
});

/** A connect callback of `email`'s Jira, its state started by `userId` in this browser and its code from the simulator. */
async function connectCallback(userId: string, email: string) {
  const state = new URL(await startFlow(ctx, { purpose: 'connect', userId, product: 'jira' }, BROWSER)).searchParams.get('state')!;
  const code = await consentAndGetCode(sim.url, { email, scopes: scopesForConnect('jira'), redirectUri: REDIRECT });
  return () => handleOAuthCallback(ctx, new URLSearchParams({ state, code }), { sessionUserId: userId, browserNonce: BROWSER });
}

const liveJira = (userId: string) =>
  sql<{ id: string; token_generation: number }[]>`select id, token_generation from connections where user_id = ${userId} and product = 'jira' and status <> 'disconnected'`;

/**
 * Runs both callbacks with the person's row held FOR UPDATE, so that each gets as far as inserting its connection
 * (the insert's foreign-key check waits on that lock) before either commits; then lets them go.
 */
async function simultaneously(userId: string, callbacks: (() => ReturnType<typeof handleOAuthCallback>)[]) {
  const locker = testSql(1, database.url);
  let release!: () => void;
  const released = new Promise<void>((resolve) => (release = resolve));
  let holding!: () => void;
  const held = new Promise<void>((resolve) => (holding = resolve));
  const lock = locker.begin(async (tx) => {
    await tx`select 1 from users where id = ${userId} for update`;
    holding();
    await released;
  });
  await held;
  const results = Promise.all(callbacks.map((run) => run()));
  try {
    // Both wait on a lock: at the person's row (the foreign-key check), or behind the other's uncommitted insert.
    await vi.waitFor(
      async () => {
        const [{ waiting }] = await sql`select count(*)::int as waiting from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`;
        expect(waiting).toBe(callbacks.length);
      },
      { timeout: 20_000, interval: 50 },
    );
  } finally {
    release();
    await lock;
    await locker.end();
  }
  return results;
}

describe('two first connects of one account at once', () => {
  it('end as one live connection: the second reconnects the first (same row, new tokens), no 500, no twin', async () => {
    const alice = await upsertUser(dbFor(sql), 'alice@example.com', 'Alice Jones', []);
    const callbacks = [await connectCallback(alice.id, 'alice@example.com'), await connectCallback(alice.id, 'alice@example.com')];
    const results = await simultaneously(alice.id, callbacks);

    expect(results.map((r) => r.ok)).toEqual([true, true]);
    const kinds = results.map((r) => (r.ok && r.kind !== 'signin' ? r.kind : r.ok ? r.kind : r.code)).sort();
    expect(kinds).toEqual(['connected', 'reconnected']);
    const live = await liveJira(alice.id);
    expect(live).toHaveLength(1);
    expect(new Set(results.map((r) => (r.ok && r.kind !== 'signin' ? r.connectionId : '')))).toEqual(new Set([live[0]!.id]));
    // The second consent's tokens are the ones kept (generation 2), and the timeline says so.
    expect(live[0]!.token_generation).toBe(2);
    const events = await sql`select type from connection_events where connection_id = ${live[0]!.id} order by id`;
    expect(events.map((e) => e.type)).toEqual(['connected', 'reconnected']);
    const hooks = await sql`select type from webhook_messages where connection_id = ${live[0]!.id} order by created_at`;
    expect(hooks.map((h) => h.type)).toEqual(['connection.created', 'connection.reconnected']);
  });

  it('the database itself refuses a second live connection of one account, and a disconnected one does not count', async () => {
    const bob = await upsertUser(dbFor(sql), 'bob@example.com', 'Bob Smith', []);
    const app = simApps(sim.url)('jira')!;
    const grant = async () => {
      const code = await consentAndGetCode(sim.url, { email: 'bob@example.com', scopes: scopesForConnect('jira'), redirectUri: REDIRECT });
      const tokens = await providerFor('jira').exchangeCode(app, code, REDIRECT);
      return { product: 'jira' as const, tokens, ...(await providerFor('jira').grantDetails(app, tokens.accessToken)) };
    };
    const store = { db: dbFor(sql), keys: TEST_KEYS, appUrl: APP_URL };
    const first = await createConnection(store, bob.id, await grant());
    const twin = await grant();
    const refused = await createConnection(store, bob.id, twin).then(() => undefined, (err: unknown) => (err as { cause?: unknown }).cause ?? err);
    expect(refused).toMatchObject({ code: '23505', constraint_name: 'connections_live_account_idx' });
    expect(await liveJira(bob.id)).toHaveLength(1);
    await sql`update connections set status = 'disconnected' where id = ${first}`;
    const second = await createConnection(store, bob.id, await grant());
    expect((await liveJira(bob.id)).map((c) => c.id)).toEqual([second]);
  });
});
