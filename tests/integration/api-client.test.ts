import type { Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callProductApi } from '../../lib/providers/product-api';
import { SimulatorControl, postRefresh } from '../../lib/providers/atlassian/simulator/client';
import { startSimulator, type Simulator } from '../../lib/sandbox/simulator';
import type { TokenEngine } from '../../lib/tokens/engine';
import { connectViaSimulator, engineFor, simApps, storedTokens, testSql } from '../helpers/connections';

let sim: Simulator;
let control: SimulatorControl;
let sql: Sql;
let markerSql: Sql;
let engine: TokenEngine;

const ACME = async (id: string) => (await sql`select cloud_id from connection_sites where connection_id = ${id} and name = 'Acme'`)[0].cloud_id as string;

beforeAll(async () => {
  sim = await startSimulator({ leewaySeconds: 600 });
  control = new SimulatorControl(sim.url);
  sql = testSql();
  markerSql = testSql(2);
  engine = engineFor(sql, markerSql, sim.url);
});

afterAll(async () => {
  await sim.stop();
  await Promise.all([sql.end(), markerSql.end()]);
});

const api = () => ({ apps: simApps(sim.url), tokens: engine });

describe('callProductApi', () => {
  it('calls {API}/ex/jira/{cloudId}/… with the connection token', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    const res = await callProductApi(api(), { connectionId: id, product: 'jira', cloudId: await ACME(id), path: 'rest/api/3/myself' });
    expect(res.status).toBe(200);
    expect((await res.json()).emailAddress).toBe('alice@example.com');
  });

  it('on a 401 refreshes once with rejectedToken and retries once', async () => {
    const { id, tokens } = await connectViaSimulator(sql, sim.url, 'bob@example.com');
    // Another system refreshed behind our back: Atlassian revoked the access token we store.
    expect((await postRefresh(sim.url, tokens.refreshToken!)).status).toBe(200);
    const before = await control.counters();
    const res = await callProductApi(api(), { connectionId: id, product: 'jira', cloudId: await ACME(id), path: 'rest/api/3/myself' });
    expect(res.status).toBe(200);
    const after = await control.counters();
    expect(after.api_calls - before.api_calls).toBe(2);
    expect(after.token_calls - before.token_calls).toBe(1);
    expect((await storedTokens(sql, id)).generation).toBe(2);
    const events = await sql`select type, code from connection_events where connection_id = ${id} order by id`;
    expect(events.map((e) => `${e.type}:${e.code ?? ''}`)).toEqual(['connected:', 'api_unauthorized:unauthorized', 'refreshed:']);
  });

  it('"scope does not match" after a fresh token marks needs_reauth (scope_mismatch) once', async () => {
    const scopes = ['read:jira-user', 'read:me', 'offline_access']; // lacks read:jira-work
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com', 'jira', undefined, scopes);
    const cloudId = await ACME(id);
    const res = await callProductApi(api(), { connectionId: id, product: 'jira', cloudId, path: 'rest/api/3/project/search' });
    expect(res.status).toBe(401);
    expect((await res.json()).message).toBe('Unauthorized; scope does not match');
    const [row] = await sql`select status, reason from connections where id = ${id}`;
    expect(row).toEqual({ status: 'needs_reauth', reason: 'scope_mismatch' });
    const err = await callProductApi(api(), { connectionId: id, product: 'jira', cloudId, path: 'rest/api/3/project/search' }).catch((e) => e);
    expect(err).toMatchObject({ code: 'needs_reauth', reason: 'scope_mismatch' });
    const hooks = await sql`select type from webhook_messages where connection_id = ${id} and type = 'connection.needs_reauth'`;
    expect(hooks).toHaveLength(1);
  });

  it('refuses a path that escapes the product prefix before sending anything', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'bob@example.com');
    const before = await control.counters();
    await expect(
      callProductApi(api(), { connectionId: id, product: 'jira', cloudId: await ACME(id), path: '../../oauth/token' }),
    ).rejects.toThrow();
    expect((await control.counters()).api_calls).toBe(before.api_calls);
  });
});
