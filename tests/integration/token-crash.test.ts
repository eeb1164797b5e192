import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimulatorControl } from '../../lib/providers/atlassian/simulator/client';
import { startSimulator, type Simulator } from '../../lib/sandbox/simulator';
import { until } from '../helpers/wait';
import { ConnectionUnavailableError } from '../../lib/connections/errors';
import { connectViaSimulator, engineFor, expireAccessTokens, storedTokens, testSql } from '../helpers/connections';
import { startCaller } from '../helpers/processes';

let sim: Simulator;
let control: SimulatorControl;
let sql: Sql;
let markerSql: Sql;
let observer: Sql;

/** A caller process takes the row lock and sends a slow refresh; it is SIGKILLed while waiting. */
async function killMidRefresh(id: string, email: string): Promise<void> {
  const grantsBefore = (await control.grants()).filter((g) => g.user_email === email);
  const callsBefore = (await control.counters()).token_calls;
  await control.addFault({ kind: 'latency', ms: 800, target: 'token', count: 1 });
  const caller = await startCaller({ SIM_URL: sim.url, CONNECTION_IDS: id });
  caller.send('hold');
  await until(async () => (await observer`select 1 from refresh_attempts where connection_id = ${id}`).length > 0, 'the refresh to start');
  await until(async () => (await control.counters()).token_calls > callsBefore, 'the request to reach Atlassian');
  const lockHeld = await observer`select 1 from pg_locks l join pg_class c on c.oid = l.relation
    where c.relname = 'connections' and l.mode = 'RowShareLock' and l.granted`;
  expect(lockHeld.length).toBeGreaterThan(0);
  const exited = new Promise((r) => caller.child.once('exit', r));
  caller.child.kill('SIGKILL');
  await exited;
  // Postgres sees the socket close, rolls back, and releases the row lock.
  await until(async () => {
    try {
      await observer.begin(async (tx) => tx`select 1 from connections where id = ${id} for update nowait`);
      return true;
    } catch {
      return false;
    }
  }, 'the row lock to be released');
  // Atlassian still acts on the request it received: the family rotates although nobody got the answer.
  await until(async () => {
    const grants = (await control.grants()).filter((g) => g.user_email === email);
    return grants.reduce((n, g) => n + g.generation, 0) > grantsBefore.reduce((n, g) => n + g.generation, 0);
  }, 'the simulator to rotate');
}

beforeAll(async () => {
  sim = await startSimulator({ leewaySeconds: 600 });
  control = new SimulatorControl(sim.url);
  sql = testSql();
  markerSql = testSql(2);
  observer = testSql(1);
});

afterAll(async () => {
  await sim.stop();
  await Promise.all([sql.end(), markerSql.end(), observer.end()]);
});

describe('a process SIGKILLed while holding the lock mid-refresh', () => {
  it('within the leeway: the next caller reuses the same refresh token and succeeds', async () => {
    await control.patchConfig({ leeway_seconds: 600 });
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    await expireAccessTokens(sql, [id]);
    const before = await storedTokens(sql, id);
    await killMidRefresh(id, 'alice@example.com');
    expect(await storedTokens(sql, id)).toEqual(before); // nothing half-written
    const counters = await control.counters();
    const token = await engineFor(sql, markerSql, sim.url).getAccessToken(id);
    expect(token.refreshed).toBe(true);
    expect((await control.counters()).reuses_within_leeway - counters.reuses_within_leeway).toBe(1);
    const after = await storedTokens(sql, id);
    expect(after.generation).toBe(before.generation + 1);
    expect((await fetch(`${sim.url}/me`, { headers: { authorization: `Bearer ${after.access}` } })).status).toBe(200);
    const [row] = await sql`select status from connections where id = ${id}`;
    expect(row.status).toBe('active');
    expect(await sql`select 1 from refresh_attempts where connection_id = ${id}`).toHaveLength(0);
  });

  it('with no leeway: the next caller reports token_lost, and the stored family is not overwritten', async () => {
    await control.patchConfig({ leeway_seconds: 0 });
    const { id } = await connectViaSimulator(sql, sim.url, 'bob@example.com');
    await expireAccessTokens(sql, [id]);
    const before = await storedTokens(sql, id);
    await killMidRefresh(id, 'bob@example.com');
    const err = await engineFor(sql, markerSql, sim.url).getAccessToken(id).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConnectionUnavailableError);
    expect(err).toMatchObject({ code: 'needs_reauth', reason: 'token_lost' });
    const after = await storedTokens(sql, id);
    expect(after.generation).toBe(before.generation);
    const [row] = await sql`select status, reason from connections where id = ${id}`;
    expect(row).toEqual({ status: 'needs_reauth', reason: 'token_lost' });
  });
});
