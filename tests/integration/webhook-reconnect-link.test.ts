// The webhooks that ask for the user carry the one kind of Reconnect link the mail and the API's 409 give: a
// single-use /connect/… link for that connection, written in the transaction of the transition. Real state changes
// (a grant revoked at the simulator, the renewal scan), real deliveries to a receiver on loopback, then the link
// opened as another person and as the owner, and the consent finished at the simulator.
import { createServer } from 'node:http';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordTransition } from '../../lib/connections/transitions';
import { openConnectSession } from '../../lib/connect-sessions';
import { dbFor } from '../../lib/db';
import { handleOAuthCallback } from '../../lib/flows/callback';
import type { FlowContext } from '../../lib/flows/context';
import { recordEnteredWindows } from '../../lib/jobs/renewal';
import { consentAndGetCode, SimulatorControl } from '../../lib/providers/atlassian/simulator/client';
import { startSimulator, type Simulator } from '../../lib/sandbox/simulator';
import { hashSecret } from '../../lib/secrets';
import { upsertUser } from '../../lib/users';
import { deliverDueWebhooks } from '../../lib/webhooks/deliver';
import { createEndpoint } from '../../lib/webhooks/endpoints';
import { APP_URL, connectViaSimulator, engineFor, expireAccessTokens, simApps, TEST_KEYS, testSql } from '../helpers/connections';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { listenOnLoopback } from '../helpers/webhooks';

const DAY_MS = 86_400_000;
const BROWSER = 'nonce-of-the-owners-browser';
let sim: Simulator;
let database: TestDatabase;
let sql: Sql;
let markerSql: Sql;
let ctx: FlowContext;
let bodies: { type: string; data: Record<string, unknown> }[];
let closeReceiver: () => Promise<void>;

beforeAll(async () => {
  sim = await startSimulator({ leewaySeconds: 0 });
  database = await createTestDatabase('webhook_reconnect_link');
  [sql, markerSql] = [testSql(6, database.url), testSql(2, database.url)];
  ctx = { db: dbFor(sql), keys: TEST_KEYS, appUrl: APP_URL, adminEmails: [], apps: simApps(sim.url), signInProduct: 'jira' };
  bodies = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
      res.end();
    });
  });
  const receiver = await listenOnLoopback(server);
  closeReceiver = receiver.close;
  await createEndpoint(
    { db: dbFor(sql), keys: TEST_KEYS, allowPrivate: true },
    { url: receiver.url, events: ['connection.created', 'connection.needs_reauth', 'connection.expiring', 'connection.reconnected'] },
  );
});

afterAll(async () => {
  await closeReceiver?.();
  await sim?.stop();
  await Promise.all([sql?.end(), markerSql?.end()]);
  await database?.drop();
});

/** Delivers what is due and returns the bodies the receiver got this time. */
async function deliver() {
  const seen = bodies.length;
  await deliverDueWebhooks(dbFor(sql), { keys: TEST_KEYS, allowPrivate: true });
  return bodies.slice(seen);
}

const tokenOf = (url: string) => url.slice(`${APP_URL}/connect/`.length);

async function linkRow(url: string) {
  const [row] = await sql<{ connection_id: string; user_email: string; product: string; expires_at: Date; used_at: Date | null }[]>`
    select connection_id, user_email, product, expires_at, used_at from connect_sessions where token_hash = ${hashSecret(tokenOf(url))}`;
  return row;
}

describe("a webhook's reconnect_url", () => {
  it('connection.needs_reauth: a single-use connect link for that connection, valid 7 days; the owner opening it reconnects that connection', async () => {
    const alice = await upsertUser(dbFor(sql), 'alice@example.com', 'Alice Jones', []);
    const bob = await upsertUser(dbFor(sql), 'bob@example.com', 'Bob Smith', []);
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    const [created] = await deliver();
    expect(created).toMatchObject({ type: 'connection.created', data: { connection_id: id, reconnect_url: null } });

    // Alice revokes the app at Atlassian; the next refresh finds out.
    await new SimulatorControl(sim.url).revokeApp('alice@example.com');
    await expireAccessTokens(sql, [id]);
    await expect(engineFor(sql, markerSql, sim.url).getAccessToken(id)).rejects.toMatchObject({ code: 'needs_reauth', reason: 'revoked' });
    const [hook] = await deliver();
    expect(hook).toMatchObject({ type: 'connection.needs_reauth', data: { connection_id: id, status: 'needs_reauth', reason: 'revoked' } });
    const url = hook!.data.reconnect_url as string;
    expect(url.startsWith(`${APP_URL}/connect/`)).toBe(true);
    expect(tokenOf(url)).toMatch(/^[A-Za-z0-9_-]{43}$/);

    // The same kind of link as the mail's: a connect session of this connection for its owner, 7 days from the transition.
    const row = await linkRow(url);
    expect(row).toMatchObject({ connection_id: id, user_email: 'alice@example.com', product: 'jira', used_at: null });
    const occurred = new Date(hook!.data.occurred_at as string).getTime();
    expect(row!.expires_at.getTime() - occurred).toBe(7 * DAY_MS);

    // Anyone else is refused and the link stays unused; the owner is sent to the consent for this very connection.
    expect(await openConnectSession(ctx, tokenOf(url), { id: bob.id, email: 'bob@example.com' }, BROWSER)).toMatchObject({ kind: 'error', status: 403 });
    expect((await linkRow(url))!.used_at).toBeNull();
    const opened = await openConnectSession(ctx, tokenOf(url), { id: alice.id, email: 'alice@example.com' }, BROWSER);
    expect(opened.kind).toBe('redirect');
    const authorize = new URL(opened.kind === 'redirect' ? opened.url : '');
    expect(authorize.origin).toBe(new URL(sim.url).origin);
    const state = authorize.searchParams.get('state')!;
    const [flow] = await sql`select purpose, user_id, connection_id from oauth_states where state_hash = ${hashSecret(state)}`;
    expect(flow).toEqual({ purpose: 'reconnect', user_id: alice.id, connection_id: id });
    expect(await openConnectSession(ctx, tokenOf(url), { id: alice.id, email: 'alice@example.com' }, BROWSER)).toMatchObject({ kind: 'error', code: 'used' });

    const code = await consentAndGetCode(sim.url, {
      email: 'alice@example.com',
      scopes: authorize.searchParams.get('scope')!.split(' '),
      redirectUri: authorize.searchParams.get('redirect_uri')!,
      state,
    });
    const done = await handleOAuthCallback(ctx, new URLSearchParams({ code, state }), { sessionUserId: alice.id, browserNonce: BROWSER });
    expect(done).toMatchObject({ ok: true, kind: 'reconnected', connectionId: id });
    const [conn] = await sql`select status from connections where id = ${id}`;
    expect(conn).toEqual({ status: 'active' });
    expect((await deliver()).map((b) => [b.type, b.data.reconnect_url])).toEqual([['connection.reconnected', null]]);
  });

  it('connection.expiring: the Renew link, valid until renew_by', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'bob@example.com');
    await deliver();
    const [{ renew_by: renewBy }] = await sql<{ renew_by: Date }[]>`select renew_by from connections where id = ${id}`;
    await recordEnteredWindows({ db: dbFor(sql), appUrl: APP_URL, warningDays: 30, now: () => new Date(renewBy.getTime() - 10 * DAY_MS) });
    const hook = (await deliver()).find((b) => b.data.connection_id === id);
    expect(hook).toMatchObject({ type: 'connection.expiring', data: { connection_id: id } });
    const url = hook!.data.reconnect_url as string;
    expect(url.startsWith(`${APP_URL}/connect/`)).toBe(true);
    expect(await linkRow(url)).toMatchObject({ connection_id: id, user_email: 'bob@example.com', expires_at: renewBy, used_at: null });
  });

  it('is written with the message, in the transition transaction: a transition rolled back leaves no link', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com', 'confluence');
    const links = async () => (await sql`select count(*)::int as n from connect_sessions where connection_id = ${id}`)[0]!.n as number;
    await expect(
      dbFor(sql).transaction(async (tx) => {
        await recordTransition(tx, { type: 'needs_reauth', connectionId: id, appUrl: APP_URL, event: { code: 'invalid_grant' } });
        expect((await tx.execute<{ n: number }>(`select count(*)::int as n from connect_sessions where connection_id = '${id}'`))[0]!.n).toBe(1);
        throw new Error('the state change failed');
      }),
    ).rejects.toThrow('the state change failed');
    expect(await links()).toBe(0);
  });
});
