// The background worker in two OS processes, webhook delivery from two pools, sign-in and connect: all with
// DATABASE_URL through a PgBouncer of the test's own in pool_mode=transaction (a server pool of 4).
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readSession } from '../../lib/auth/sessions';
import { scopesForConnect } from '../../lib/providers/atlassian/products';
import { dbFor } from '../../lib/db';
import { handleOAuthCallback } from '../../lib/flows/callback';
import { startFlow, type FlowStart } from '../../lib/flows/start';
import { consentAndGetCode, SimulatorControl } from '../../lib/providers/atlassian/simulator/client';
import { startSimulator, type Simulator } from '../../lib/sandbox/simulator';
import { deliverDueWebhooks } from '../../lib/webhooks/deliver';
import { createEndpoint, sendTestWebhook } from '../../lib/webhooks/endpoints';
import { APP_URL, connectViaSimulator, simApps, TEST_KEYS, testSql } from '../helpers/connections';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { startPooler, type Pooler } from '../helpers/pgbouncer';
import { listenOnLoopback, verifies } from '../helpers/webhooks';

let db: TestDatabase;
let pooler: Pooler;
let sim: Simulator;
let direct: Sql;
let pooled: Sql;
const pooledEnv = () => ({ DATABASE_URL: pooler.url, DATABASE_POOLER: 'transaction', DATABASE_DIRECT_URL: db.url });

beforeAll(async () => {
  db = await createTestDatabase('pooler_flows'); // its own: the worker takes every due connection there
  pooler = await startPooler(db.url);
  sim = await startSimulator({ leewaySeconds: 0 });
  direct = testSql(10, db.url);
  Object.assign(process.env, pooledEnv()); // testSql() and the app's handles now go through the pooler
  pooled = testSql(10);
});

afterAll(async () => {
  await Promise.all([direct.end(), pooled.end()]);
  await sim.stop();
  await pooler.stop();
  await db.drop();
});

function runWorkerProcess(): Promise<{ refreshed: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'tests/fixtures/worker-process.ts'], {
      env: { ...process.env, SIM_URL: sim.url, ...pooledEnv() },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (err += String(d)));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!)) : reject(new Error(err))));
  });
}

describe('the background worker in two processes through a transaction pooler', () => {
  it('refreshes every due connection exactly once, with no refused reuse', async () => {
    const control = new SimulatorControl(sim.url);
    const emails = ['alice@example.com', 'bob@example.com', 'uma@example.com'];
    const ids = (await Promise.all(Array.from({ length: 24 }, (_, i) => connectViaSimulator(direct, sim.url, emails[i % 3])))).map((c) => c.id);
    await direct`update connections set next_refresh_at = now() - interval '1 minute', last_used_at = now() where id = any(${ids})`;
    const before = await control.counters();
    const [a, b] = await Promise.all([runWorkerProcess(), runWorkerProcess()]);
    const after = await control.counters();
    expect(a.refreshed + b.refreshed).toBe(24);
    expect(after.refreshes - before.refreshes).toBe(24);
    expect(after.rejected_reuses).toBe(before.rejected_reuses);
    const rows = await direct`select token_generation, status, count(*)::int as n from connections where id = any(${ids}) group by 1, 2`;
    expect(rows).toEqual([{ token_generation: 2, status: 'active', n: 24 }]);
  }, 180_000); // two worker processes start (tsx) inside the test
});

describe('webhook delivery through a transaction pooler', () => {
  it('two workers on two pools deliver each message once, signed', async () => {
    const hits: { id: string; verified: boolean }[] = [];
    let secret = '';
    const receiver = await listenOnLoopback(
      createServer((req, res) => {
        let body = '';
        req.on('data', (c) => (body += String(c)));
        req.on('end', () => {
          hits.push({ id: String(req.headers['webhook-id']), verified: verifies(secret, body, req.headers) });
          res.writeHead(200).end();
        });
      }),
    );
    try {
      const endpoint = await createEndpoint({ db: dbFor(direct), keys: TEST_KEYS, allowPrivate: true }, { url: receiver.url, events: ['connection.created'] });
      secret = endpoint.secret;
      for (let i = 0; i < 30; i++) await sendTestWebhook(dbFor(direct), endpoint.id);
      const pools = [testSql(3), testSql(3)];
      const options = { keys: TEST_KEYS, allowPrivate: true, timeoutMs: 15_000 };
      const results = await Promise.all(pools.flatMap((p) => [deliverDueWebhooks(dbFor(p), options), deliverDueWebhooks(dbFor(p), options)]));
      await Promise.all(pools.map((p) => p.end()));
      expect(results.reduce((s, r) => s + r.succeeded, 0)).toBe(30);
      expect(hits).toHaveLength(30);
      expect(new Set(hits.map((h) => h.id)).size).toBe(30);
      expect(hits.every((h) => h.verified)).toBe(true);
    } finally {
      await receiver.close();
    }
  });
});

describe('sign-in and connect through a transaction pooler', () => {
  const REDIRECT = `${APP_URL}/api/oauth/callback`;
  const BROWSER = 'nonce-of-this-browser';
  const ctx = () => ({ db: dbFor(pooled), keys: TEST_KEYS, appUrl: APP_URL, adminEmails: ['admin@example.com'], apps: simApps(sim.url), signInProduct: 'jira' as const });
  const begin = async (flow: FlowStart) => new URL(await startFlow(ctx(), flow, BROWSER)).searchParams.get('state')!;
  const code = (email: string, scopes: string[]) => consentAndGetCode(sim.url, { email, scopes, redirectUri: REDIRECT });
  const callback = (params: Record<string, string>, sessionUserId: string | null) =>
    handleOAuthCallback(ctx(), new URLSearchParams(params), { sessionUserId, browserNonce: BROWSER });

  it('signs people in, then connects Jira for each, several at once; every connection is listed right after', async () => {
    const people = ['alice@example.com', 'bob@example.com', 'admin@example.com'];
    const connected = await Promise.all(
      people.map(async (email) => {
        const signin = await callback({ state: await begin({ purpose: 'signin', redirectTo: '/' }), code: await code(email, ['read:me']) }, null);
        expect(signin).toMatchObject({ ok: true, kind: 'signin' });
        const session = await readSession(dbFor(pooled), (signin as { sessionToken: string }).sessionToken);
        const userId = session!.userId;
        const state = await begin({ purpose: 'connect', userId, product: 'jira' });
        const result = await callback({ state, code: await code(email, scopesForConnect('jira')) }, userId);
        expect(result).toMatchObject({ ok: true });
        return { email, id: (result as { connectionId: string }).connectionId };
      }),
    );
    for (const { email, id } of connected) {
      const listed = await direct`select c.id from connections c join users u on u.id = c.user_id where u.email = ${email} and c.product = 'jira' and c.id = ${id}`;
      expect(listed).toHaveLength(1);
    }
  });
});
