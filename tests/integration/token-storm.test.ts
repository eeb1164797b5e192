import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../lib/sandbox/simulator';
import { connectViaSimulator, expireAccessTokens, storedTokens, testSql } from '../helpers/connections';
import { startCaller, type CallerProcess } from '../helpers/processes';
import { SIM_PRODUCTS, simProduct, type SimProduct } from '../helpers/sim-products';

const PROCESSES = 4;
const CALLS_PER_PROCESS = 50;
const CONNECTIONS = 20;
const ROUNDS = 3;

interface StormResult {
  ok: { id: string; token: string; generation: number }[];
  failed: string[];
}

// For Atlassian (Jira and Confluence connections) and for Bitbucket: the same storm, the same promises.
describe.each(SIM_PRODUCTS)('refresh storm across OS processes (%s)', (product) => {
  let sim: Simulator;
  let control: SimProduct;
  let sql: Sql;
  let callers: CallerProcess[] = [];
  const ids: string[] = [];

  beforeAll(async () => {
    sim = await startSimulator({ leewaySeconds: 0 }); // strict: any second use of a rotated token is refused (Bitbucket: always)
    control = simProduct(sim.url, product);
    sql = testSql();
    for (let i = 0; i < CONNECTIONS; i++) {
      const each = product === 'jira' && i % 3 === 0 ? 'confluence' : product;
      const { id } = await connectViaSimulator(sql, sim.url, i % 2 ? 'bob@example.com' : 'alice@example.com', each);
      ids.push(id);
    }
    const env = { SIM_URL: sim.url, CONNECTION_IDS: ids.join(','), CALLS: String(CALLS_PER_PROCESS) };
    callers = await Promise.all(Array.from({ length: PROCESSES }, () => startCaller(env)));
  });

  afterAll(async () => {
    for (const c of callers) c.send('exit');
    await sim.stop();
    await sql.end();
  });

  it(`${PROCESSES} processes × ${CALLS_PER_PROCESS} calls on ${CONNECTIONS} expired connections refresh each exactly once per round`, async () => {
    for (let round = 1; round <= ROUNDS; round++) {
      await expireAccessTokens(sql, ids);
      const before = await control.counters();
      const answers = callers.map((c) => c.nextLine());
      for (const c of callers) c.send('go');
      const results = (await Promise.all(answers)).map((line) => JSON.parse(line) as StormResult);
      const after = await control.counters();

      expect(results.flatMap((r) => r.failed)).toEqual([]);
      expect(after.refreshes - before.refreshes).toBe(CONNECTIONS);
      expect(after.token_calls - before.token_calls).toBe(CONNECTIONS);
      expect(after.rejected_reuses).toBe(0);
      const calls = results.flatMap((r) => r.ok);
      expect(calls).toHaveLength(PROCESSES * CALLS_PER_PROCESS);
      for (const id of ids) {
        const stored = await storedTokens(sql, id);
        expect(stored.generation).toBe(round + 1);
        // Every caller in every process got the one token that is stored.
        expect(new Set(calls.filter((c) => c.id === id).map((c) => c.token))).toEqual(new Set([stored.access]));
      }
    }
    const statuses = await sql`select status, count(*)::int as n from connections where id = any(${ids}) group by status`;
    expect(statuses).toEqual([{ status: 'active', n: CONNECTIONS }]);
    const sample = await storedTokens(sql, ids[0]);
    expect((await fetch(`${sim.url}${control.identityPath}`, { headers: { authorization: `Bearer ${sample.access}` } })).status).toBe(200);
  });
});
