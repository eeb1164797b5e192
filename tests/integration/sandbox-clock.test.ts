// One clock (docs/architecture.md, Clocks): the sandbox's "Advance N days" moves the simulator's clock and ages the
// app's connections by as much; the app keeps the real clock. After an advance and a real refresh at the simulator,
// no stored event time is after the database's now(), and what the owner's card and /admin read (the same query
// functions as their pages) agrees, as the pages show it with their clock.
import type { Sql } from 'postgres';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ago, duration, renderTime } from '../../components/time';
import { loadAdminDashboard } from '../../lib/admin/dashboard';
import { parseAdminQuery } from '../../lib/admin/params';
import { listUserConnections } from '../../lib/connections/queries';
import { renewHorizon } from '../../lib/connections/renewal';
import { dbFor } from '../../lib/db';
import { SimulatorControl } from '../../lib/providers/atlassian/simulator/client';
import { advanceSandboxClock } from '../../lib/sandbox/clock';
import { startSimulator, type Simulator } from '../../lib/sandbox/simulator';
import { connectViaSimulator, engineFor, testSql } from '../helpers/connections';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

const DAY = 86_400;
// Times that are deadlines, in the future by nature (token expiry, next refresh or attempt, link and session ends).
const DEADLINES = new Set(['access_expires_at', 'next_refresh_at', 'renew_by', 'expires_at', 'expires', 'next_attempt_at', 'previous_secret_expires_at']);
let sim: Simulator;
let control: SimulatorControl;
let database: TestDatabase;
let sql: Sql;
let markerSql: Sql;

beforeAll(async () => {
  sim = await startSimulator({ leewaySeconds: 0 });
  control = new SimulatorControl(sim.url);
  database = await createTestDatabase('sandbox_clock');
  [sql, markerSql] = [testSql(6, database.url), testSql(2, database.url)];
});

afterAll(async () => {
  await sim?.stop();
  await Promise.all([sql?.end(), markerSql?.end()]);
  await database?.drop();
});

beforeEach(async () => {
  await control.resetClock();
  await sql`update connections set next_refresh_at = null`; // only the connection a test works on may be due
});

/** Every stored time that records when something happened (every timestamp column but the deadlines) after now(). */
async function timesAfterNow(): Promise<string[]> {
  const columns = await sql<{ table_name: string; column_name: string }[]>`
    select table_name, column_name from information_schema.columns
    where table_schema = 'public' and data_type = 'timestamp with time zone' order by 1, 2`;
  const events = columns.filter((c) => !DEADLINES.has(c.column_name));
  expect(events.map((c) => `${c.table_name}.${c.column_name}`)).toEqual(expect.arrayContaining(['connection_events.created_at', 'connections.last_refreshed_at', 'webhook_messages.created_at']));
  const later: string[] = [];
  for (const { table_name: table, column_name: column } of events) {
    const [{ n }] = await sql.unsafe(`select count(*)::int as n from "${table}" where "${column}" > now()`);
    if (n > 0) later.push(`${table}.${column}: ${n}`);
  }
  return later;
}

/** The owner's card and the admin's row of one connection, as their pages read them, and the page clock. */
async function cardAndAdmin(userId: string, id: string) {
  const now = renderTime();
  const card = (await listUserConnections(dbFor(sql), userId)).find((c) => c.id === id)!;
  const admin = await loadAdminDashboard(dbFor(sql), parseAdminQuery({}), new Date(now), renewHorizon(new Date(now), 30));
  return { now, card, row: admin.page.rows.find((r) => r.id === id)!, today: admin.outcomes.at(-1)! };
}

describe('the sandbox clock', () => {
  it('"Advance 30 days", then a refresh: no event after now(); card and /admin say the same, the week chart counts the refresh', async () => {
    const { id, userId } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    const [before] = await sql<{ created_at: Date; consented_at: Date; renew_by: Date }[]>`select created_at, consented_at, renew_by from connections where id = ${id}`;

    const clock = await advanceSandboxClock(dbFor(sql), control, 30 * DAY);
    expect(clock.offset_seconds).toBe(30 * DAY);
    // The connection and its timeline are 30 days older; its token long expired, its refresh due.
    const [aged] = await sql<{ created_at: Date; consented_at: Date; renew_by: Date; due: boolean }[]>`
      select created_at, consented_at, renew_by, next_refresh_at <= now() as due from connections where id = ${id}`;
    for (const column of ['created_at', 'consented_at', 'renew_by'] as const) expect(before![column].getTime() - aged![column].getTime()).toBe(30 * DAY * 1000);
    expect(aged!.due).toBe(true);

    // The worker's refresh, on the app's (real) clock, at the simulator, which is 30 days ahead: it works.
    expect(await engineFor(sql, markerSql, sim.url).refreshNextDue()).toEqual({ id, outcome: 'refreshed' });
    expect(await timesAfterNow()).toEqual([]);

    const { now, card, row, today } = await cardAndAdmin(userId, id);
    for (const column of ['last_refreshed_at', 'access_expires_at', 'created_at', 'updated_at', 'status'] as const) expect(row[column]).toEqual(card[column]);
    expect(ago(card.last_refreshed_at, now)).toBe('under a minute ago');
    expect(ago(row.last_refreshed_at, now)).toBe('under a minute ago');
    expect(duration(row.access_expires_at!.getTime() - now)).toBe(duration(card.access_expires_at!.getTime() - now));
    expect(card.access_expires_at!.getTime() - now).toBeGreaterThan(0);
    expect(ago(card.created_at, now)).toBe('30 days ago');
    expect(today).toMatchObject({ succeeded: 1, failed: 0 });
    const timeline = await sql`select type, created_at <= now() - interval '30 days' as month_ago from connection_events where connection_id = ${id} order by id`;
    expect(timeline.map((e) => [e.type, e.month_ago])).toEqual([
      ['connected', true],
      ['refreshed', false],
    ]);
  });

  it('"Advance 91 days": the unused grant died of inactivity at the simulator, and the app says so, dated now', async () => {
    const { id, userId } = await connectViaSimulator(sql, sim.url, 'bob@example.com');
    await advanceSandboxClock(dbFor(sql), control, 91 * DAY);
    expect(await engineFor(sql, markerSql, sim.url).refreshNextDue()).toEqual({ id, outcome: 'inactivity_expired' });
    expect(await timesAfterNow()).toEqual([]);
    const { card, row, today } = await cardAndAdmin(userId, id);
    expect([card.status, card.reason]).toEqual(['needs_reauth', 'inactivity_expired']);
    expect([row.status, row.reason]).toEqual(['needs_reauth', 'inactivity_expired']);
    expect(today.failed).toBe(1);
  });

  it('a simulator that does not answer moves nothing: the app ages only with it', async () => {
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com', 'confluence');
    const times = () => sql`select created_at, last_refreshed_at, access_expires_at from connections where id = ${id}`;
    const before = await times();
    const down = { advanceClock: () => Promise.reject(new Error('simulator unreachable')) };
    await expect(advanceSandboxClock(dbFor(sql), down, 10 * DAY)).rejects.toThrow('simulator unreachable');
    expect(await times()).toEqual(before);
    expect((await control.clock()).offset_seconds).toBe(0);
  });
});
