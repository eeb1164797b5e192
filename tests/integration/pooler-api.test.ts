// The token storm across OS processes and the service API, with DATABASE_URL through a PgBouncer of the
// test's own in pool_mode=transaction (a server pool of 4): what a deployment behind a pooler runs.
import { eq, sql } from 'drizzle-orm';
import { getConnectionView } from '../../lib/connections/queries';
import { connections } from '../../lib/db/schema';
import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createApiKey } from '../../lib/api-keys';
import { loadAccessTokenCall } from '../../lib/api/access-token';
import { createDb, dbFor, driverOptions, endDb } from '../../lib/db';
import { SimulatorControl } from '../../lib/providers/atlassian/simulator/client';
import { startSimulator, type Simulator } from '../../lib/sandbox/simulator';
import { APP_URL, appEnv, connectViaSimulator, expireAccessTokens, storedTokens, testSql } from '../helpers/connections';
import { startPooler, type Pooler } from '../helpers/pgbouncer';
import { startCaller, type CallerProcess } from '../helpers/processes';

const PROCESSES = 4;
const CALLS_PER_PROCESS = 30;
const CONNECTIONS = 10;
const ROUNDS = 2;

interface StormResult {
  ok: { id: string; token: string; generation: number }[];
  failed: string[];
}

let pooler: Pooler;
let sim: Simulator;
let control: SimulatorControl;
let direct: Sql;

beforeAll(async () => {
  pooler = await startPooler(inject('databaseUrl'));
  sim = await startSimulator({ leewaySeconds: 0 }); // strict: any second use of a rotated refresh token is refused
  control = new SimulatorControl(sim.url);
  direct = testSql(); // set-up and checks go straight to Postgres
});

afterAll(async () => {
  await direct.end();
  await sim.stop();
  await pooler.stop();
});

describe('refresh storm across OS processes through a transaction pooler', () => {
  let callers: CallerProcess[] = [];
  const ids: string[] = [];

  beforeAll(async () => {
    for (let i = 0; i < CONNECTIONS; i++) ids.push((await connectViaSimulator(direct, sim.url, i % 2 ? 'bob@example.com' : 'alice@example.com')).id);
    const env = { SIM_URL: sim.url, CONNECTION_IDS: ids.join(','), CALLS: String(CALLS_PER_PROCESS), DATABASE_URL: pooler.url, DATABASE_POOLER: 'transaction', DATABASE_DIRECT_URL: inject('databaseUrl') };
    callers = await Promise.all(Array.from({ length: PROCESSES }, () => startCaller(env)));
  });

  afterAll(() => {
    for (const c of callers) c.send('exit');
  });

  it(`${PROCESSES} processes × ${CALLS_PER_PROCESS} calls on ${CONNECTIONS} expired connections: one refresh each per round, no refused reuse`, async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      await expireAccessTokens(direct, ids);
      const before = await control.counters();
      const answers = callers.map((c) => c.nextLine());
      for (const c of callers) c.send('go');
      const results = (await Promise.all(answers)).map((line) => JSON.parse(line) as StormResult);
      const after = await control.counters();

      expect(results.flatMap((r) => r.failed)).toEqual([]);
      expect(after.refreshes - before.refreshes).toBe(CONNECTIONS);
      expect(after.rejected_reuses).toBe(0);
      const calls = results.flatMap((r) => r.ok);
      expect(calls).toHaveLength(PROCESSES * CALLS_PER_PROCESS);
      for (const id of ids) {
        const stored = await storedTokens(direct, id);
        expect(stored.generation).toBe(round + 1);
        expect(new Set(calls.filter((c) => c.id === id).map((c) => c.token))).toEqual(new Set([stored.access]));
      }
    }
  });
});

describe('the service API through a transaction pooler', () => {
  let key: string;
  let routes: {
    list: typeof import('../../app/api/v1/connections/route');
    one: typeof import('../../app/api/v1/connections/[id]/route');
    token: typeof import('../../app/api/v1/connections/[id]/access-token/route');
    proxy: typeof import('../../app/api/v1/connections/[id]/proxy/[cloudId]/[...path]/route');
  };
  const auth = () => ({ authorization: `Bearer ${key}` });
  const ctx = <P>(params: P) => ({ params: Promise.resolve(params) });
  const req = (path: string, init: RequestInit = {}) => new Request(`${APP_URL}${path}`, { ...init, headers: auth() });

  beforeAll(async () => {
    // The app's own handles (lib/db getDb) read these on first use: the route modules below go through the pooler.
    Object.assign(process.env, {
      DATABASE_URL: pooler.url,
      DATABASE_POOLER: 'transaction',
      DATABASE_DIRECT_URL: inject('databaseUrl'),
      ...appEnv(sim.url),
    });
    key = (await createApiKey(dbFor(direct), 'pooler tests')).key;
    routes = {
      list: await import('../../app/api/v1/connections/route'),
      one: await import('../../app/api/v1/connections/[id]/route'),
      token: await import('../../app/api/v1/connections/[id]/access-token/route'),
      proxy: await import('../../app/api/v1/connections/[id]/proxy/[cloudId]/[...path]/route'),
    };
  });

  it('lists, gets and serves tokens for every connection, under concurrency, right after they connect', async () => {
    // admin@example.com: no other test here connects it. (Not uma@example.com: another file checks that her unverified
    // email never makes a user, and the test database is shared.) Other files may list admin's connections too.
    const email = 'admin@example.com';
    const made = await Promise.all(Array.from({ length: 6 }, (_, i) => connectViaSimulator(direct, sim.url, email, i % 2 ? 'jira' : 'confluence')));
    const ids = made.map((m) => m.id).sort();
    const rounds = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const list = await routes.list.GET(req(`/api/v1/connections?user_email=${email}&limit=100`), ctx({}));
        const tokens = await Promise.all(ids.map((id) => routes.token.POST(req(`/api/v1/connections/${id}/access-token`, { method: 'POST' }), ctx({ id }))));
        const gets = await Promise.all(ids.map((id) => routes.one.GET(req(`/api/v1/connections/${id}`), ctx({ id }))));
        return { list, tokens, gets };
      }),
    );
    for (const { list, tokens, gets } of rounds) {
      expect(list.status).toBe(200);
      expect(((await list.json()).data as { id: string }[]).map((c) => c.id)).toEqual(expect.arrayContaining(ids));
      expect(tokens.map((r) => r.status)).toEqual(ids.map(() => 200));
      expect(gets.map((r) => r.status)).toEqual(ids.map(() => 200));
    }
    for (const [i, id] of ids.entries()) {
      const served = await (await routes.token.POST(req(`/api/v1/connections/${id}/access-token`, { method: 'POST' }), ctx({ id }))).json();
      expect(served.access_token, `connection ${i}`).toBe((await storedTokens(direct, id)).access);
    }
  });

  it('refreshes expired connections once each when many API calls arrive at once', async () => {
    const made = await Promise.all(Array.from({ length: 4 }, () => connectViaSimulator(direct, sim.url, 'bob@example.com')));
    const ids = made.map((m) => m.id);
    await expireAccessTokens(direct, ids);
    const before = await control.counters();
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => routes.token.POST(req(`/api/v1/connections/${ids[i % 4]}/access-token`, { method: 'POST' }), ctx({ id: ids[i % 4] }))),
    );
    const after = await control.counters();
    expect(answers.map((r) => r.status)).toEqual(answers.map(() => 200));
    expect(after.refreshes - before.refreshes).toBe(4);
    expect(after.rejected_reuses).toBe(0);
  });

  it('reads the key, connection and sites of an access-token call in one round trip: one unnamed statement without parameters', async () => {
    const { id } = await connectViaSimulator(direct, sim.url, 'alice@example.com');
    const sent: { query: string; parameters: unknown[] }[] = [];
    const debug = (_c: number, query: string, parameters: unknown[]) => void sent.push({ query, parameters });
    const handle = createDb(pooler.url, { ...driverOptions('transaction'), max: 1, debug });
    try {
      const call = await loadAccessTokenCall(handle, key, id);
      expect(call?.connection?.row.id).toBe(id);
      expect(call?.connection?.sites.length).toBeGreaterThan(0);
      const reads = sent.filter((s) => /access_token_call\(/.test(s.query));
      // A parameter would make postgres-js describe the statement first and wait for the answer: two round trips.
      expect(reads).toHaveLength(1);
      expect(reads[0]!.parameters).toEqual([]);
      // The database function answers what a select of the row and the connection's view give.
      const [row] = await dbFor(direct).select().from(connections).where(eq(connections.id, id));
      expect(call?.connection?.row).toEqual(row);
      expect(call?.connection?.sites).toEqual((await getConnectionView(dbFor(direct), id))!.sites);
    } finally {
      await endDb(handle);
    }
  });

  it('answers queries that arrive together on a saturated pool, and runs transactions beside them (nothing is pipelined)', async () => {
    const handle = createDb(pooler.url, { ...driverOptions('transaction'), max: 2 });
    try {
      // Parameterless queries are the ones postgres-js would pipeline onto a busy connection; behind a
      // transaction pooler the ones written after the first reply are never answered.
      // Every other one has a parameter: postgres-js describes it first, and its second half must reach the same server connection.
      const lone = Array.from({ length: 300 }, (_, i) => handle.execute(i % 2 ? sql`select ${i}::int as n` : sql.raw(`select ${i} as n`)));
      const inTransactions = Array.from({ length: 6 }, (_, i) =>
        handle.transaction(async (tx) => (await tx.execute(sql.raw(`select ${100 + i} as n`)))[0]),
      );
      const settled = await Promise.race([
        Promise.all([...lone.map(async (q) => (await q)[0]), ...inTransactions]),
        new Promise<'hung'>((done) => setTimeout(() => done('hung'), 10_000)),
      ]);
      expect(settled).not.toBe('hung');
      expect((settled as { n: number }[]).map((r) => Number(r.n))).toEqual([
        ...Array.from({ length: 300 }, (_, i) => i),
        ...Array.from({ length: 6 }, (_, i) => 100 + i),
      ]);
    } finally {
      await endDb(handle);
    }
  });

  it('proxies a call to the product API', async () => {
    const { id } = await connectViaSimulator(direct, sim.url, 'alice@example.com');
    const [{ cloud_id }] = await direct`select cloud_id from connection_sites where connection_id = ${id} limit 1`;
    const res = await routes.proxy.GET(req(`/api/v1/connections/${id}/proxy/${cloud_id}/_echo/issue`), ctx({ id, cloudId: cloud_id, path: ['_echo', 'issue'] }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ method: 'GET', path: `/ex/jira/${cloud_id}/_echo/issue` });
  });
});
