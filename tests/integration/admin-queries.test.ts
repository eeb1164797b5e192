// The admin dashboard's queries against a real Postgres (a database of its own, so that other test
// files' rows do not change the counts): filters, search, sorts, keyset pagination in both
// directions, per-status counts, refresh activity, and the seed they are benchmarked on.
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { refreshOutcomesByDay, topFailureCodes, currentFailureReasons, activitySince } from '../../lib/admin/activity';
import { listAdminConnections, type AdminConnectionPage } from '../../lib/admin/connections';
import { areLowerBounds, countByStatus, countConfigurationErrors, countShown } from '../../lib/admin/counts';
import { decodeCursor, encodeCursor } from '../../lib/admin/cursor';
import { loadAdminDashboard } from '../../lib/admin/dashboard';
import { resolveFilter } from '../../lib/admin/filters';
import { adminHref, parseAdminQuery, searchTooShort, SORT_NAMES, type AdminQuery, type SearchParams, type SortName } from '../../lib/admin/params';
import { resolveOwner } from '../../lib/admin/owner';
import { NARROW_LIMIT, PROBE_ROWS, resolveSearch, type SearchScope } from '../../lib/admin/search';
import { seedDemoData } from '../../lib/db/seed';
import { decryptSecret } from '../../lib/crypto';
import { TEST_KEYS } from '../helpers/connections';
import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { dbFor } from '../../lib/db';

const SEEDED = 1_500;
const PAGE = 40;

let db: TestDatabase;
let sql: Sql;
const ids: Record<string, string> = {};

interface Fixture {
  email: string;
  product: 'jira' | 'confluence';
  status: string;
  reason?: string;
  accountEmail: string;
  accountName: string;
  sites: [cloudId: string, name: string][];
  refreshed?: boolean;
}

const FIXTURES: Record<string, Fixture> = {
  alice: {
    email: 'alice@example.com',
    product: 'jira',
    status: 'active',
    accountEmail: 'alice@example.com',
    accountName: 'Alice Jones',
    sites: [['cloud-acme', 'Acme'], ['cloud-globex', 'Glo_bex 100%']],
  },
  bob: {
    email: 'bob@example.com',
    product: 'confluence',
    status: 'needs_reauth',
    reason: 'revoked',
    accountEmail: 'bob.work@example.org',
    accountName: 'Robert Smith',
    sites: [['cloud-zenith', 'Zenith Widgets']],
    refreshed: false,
  },
  bobGone: {
    email: 'bob@example.com',
    product: 'jira',
    status: 'disconnected',
    accountEmail: 'bob@example.com',
    accountName: 'Bob Smith',
    sites: [['cloud-zenith', 'Zenith Widgets']],
  },
};

async function insertFixture(f: Fixture): Promise<string> {
  const [user] = await sql<{ id: string }[]>`insert into users (email, name) values (${f.email}, ${f.accountName})
    on conflict (email) do update set email = excluded.email returning id`;
  const [{ id }] = await sql<{ id: string }[]>`
    insert into connections (user_id, product, status, reason, account_email, account_name, last_refreshed_at, access_expires_at)
    values (${user.id}, ${f.product}, ${f.status}, ${f.reason ?? null}, ${f.accountEmail}, ${f.accountName},
            ${f.refreshed === false ? null : sql`now()`}, now() + interval '1 hour')
    returning id`;
  for (const [cloudId, name] of f.sites) {
    await sql`insert into connection_sites (connection_id, cloud_id, name, url) values (${id}, ${cloudId}, ${name}, ${`https://${cloudId}.atlassian.net`})`;
  }
  return id;
}

/** Ties and gaps the keyset must get right: equal timestamps, and never-refreshed connections. */
async function addTiesAndNulls(): Promise<void> {
  await sql`update connections set updated_at = '2026-01-01 12:00:00.123456+00', created_at = '2025-06-01 08:00:00+00'
    where id in (select id from connections order by id limit 60)`;
  await sql`update connections set last_refreshed_at = null where id in (select id from connections order by id desc limit 25)`;
}

beforeAll(async () => {
  db = await createTestDatabase('admin_queries');
  sql = postgres(db.url, { max: 4, onnotice: () => {} });
  await seedDemoData(dbFor(sql), { connections: SEEDED, users: 30, keys: TEST_KEYS });
  for (const [name, fixture] of Object.entries(FIXTURES)) ids[name] = await insertFixture(fixture);
  await addTiesAndNulls();
});

afterAll(async () => {
  await sql?.end({ timeout: 5 });
  await db?.drop();
});

const query = (params: SearchParams = {}): AdminQuery => parseAdminQuery(params);

/** An independent statement of each sort's order (different expressions, same meaning). */
const EXPECTED_ORDER: Record<SortName, (dir: 'asc' | 'desc') => string> = {
  updated: (d) => `c.updated_at ${d}, c.id ${d}`,
  created: (d) => `c.created_at ${d}, c.id ${d}`,
  refreshed: (d) => `c.last_refreshed_at ${d} nulls ${d === 'asc' ? 'first' : 'last'}, c.id ${d}`,
  status: (d) => `array_position(array['disconnected','active','degraded','needs_reauth','error'], c.status) ${d}, c.updated_at ${d}, c.id ${d}`,
  owner: (d) => `u.email ${d}, c.id ${d}`,
  renew_by: (d) => `c.renew_by ${d} nulls ${d === 'asc' ? 'last' : 'first'}, c.id ${d}`,
};

async function expectedIds(where: string, sort: SortName, dir: 'asc' | 'desc', params: unknown[] = []): Promise<string[]> {
  const rows = await sql.unsafe<{ id: string }[]>(
    `select c.id from connections c join users u on u.id = c.user_id where ${where} order by ${EXPECTED_ORDER[sort](dir)}`,
    params as never[],
  );
  return rows.map((r) => r.id);
}

async function walkForward(q: AdminQuery, size = PAGE, search?: SearchScope): Promise<{ pages: string[][]; last: AdminConnectionPage }> {
  const list = (query: AdminQuery) => listAdminConnections(dbFor(sql), search ? { query, search } : query, size);
  const pages: string[][] = [];
  let page = await list(q);
  expect(page.previous).toBeUndefined();
  pages.push(page.rows.map((r) => r.id));
  while (page.next) {
    page = await list({ ...q, after: page.next });
    expect(page.previous).toBeDefined();
    pages.push(page.rows.map((r) => r.id));
  }
  return { pages, last: page };
}

async function walkBackward(q: AdminQuery, from: AdminConnectionPage, size = PAGE, search?: SearchScope): Promise<string[][]> {
  const pages: string[][] = [from.rows.map((r) => r.id)];
  let page = from;
  while (page.previous) {
    page = await listAdminConnections(dbFor(sql), search ? { query: { ...q, before: page.previous }, search } : { ...q, before: page.previous }, size);
    expect(page.next).toBeDefined();
    pages.unshift(page.rows.map((r) => r.id));
  }
  return pages;
}

async function allIds(q: AdminQuery): Promise<string[]> {
  return (await walkForward(q, 500)).pages.flat();
}

describe('keyset pagination', () => {
  for (const sort of SORT_NAMES) {
    for (const dir of ['desc', 'asc'] as const) {
      it(`walks every connection once, in order, by ${sort} ${dir}, forwards and backwards`, async () => {
        const q = query({ sort, dir });
        const expected = await expectedIds("c.status <> 'disconnected'", sort, dir);
        const { pages, last } = await walkForward(q);
        expect(pages.flat()).toEqual(expected);
        expect(pages.slice(0, -1).every((p) => p.length === PAGE)).toBe(true);
        expect(last.next).toBeUndefined();
        expect(await walkBackward(q, last)).toEqual(pages);
      });
    }
  }

  it('pages a filtered list the same way (status + product, sorted by owner)', async () => {
    const q = query({ status: 'active', product: 'confluence', sort: 'owner' });
    const expected = await expectedIds("c.status = 'active' and c.product = 'confluence'", 'owner', 'asc');
    expect(expected.length).toBeGreaterThan(PAGE * 3);
    const { pages, last } = await walkForward(q);
    expect(pages.flat()).toEqual(expected);
    expect(await walkBackward(q, last)).toEqual(pages);
  });

  it('starts again at the first page for a cursor that is garbage, tampered or from another sort', async () => {
    const first = await listAdminConnections(dbFor(sql), query(), PAGE);
    const second = await listAdminConnections(dbFor(sql), query({ after: first.next }), PAGE);
    expect(second.rows[0]!.id).not.toBe(first.rows[0]!.id);
    const created = await listAdminConnections(dbFor(sql), query({ sort: 'created' }), PAGE);
    const forged = encodeCursor({ sort: 'updated', dir: 'desc', values: ["x'); drop table users; --", first.rows[0]!.id] });
    for (const after of ['garbage', '!!!', created.next!, forged]) {
      const page = await listAdminConnections(dbFor(sql), query({ after }), PAGE);
      expect(page.rows.map((r) => r.id)).toEqual(first.rows.map((r) => r.id));
      expect(page.previous).toBeUndefined();
    }
    expect(decodeCursor(forged, 'updated', 'desc')).toBeUndefined();
    expect(decodeCursor(first.next, 'updated', 'asc')).toBeUndefined();
    expect(decodeCursor(first.next, 'updated', 'desc')?.values).toHaveLength(2);
  });

  it('answers NUL and control characters in the search, owner and site filters (dropped), and treats an impossible time as no cursor', async () => {
    const first = await listAdminConnections(dbFor(sql), query(), PAGE);
    const nul = await loadAdminDashboard(dbFor(sql), query({ q: 'ali\u0000ce', owner: 'alice@\u0000example', site: 'Ac\u0000me\u001b' }));
    const clean = await loadAdminDashboard(dbFor(sql), query({ q: 'alice', owner: 'alice@example', site: 'Acme' }));
    expect(nul.page.rows.map((r) => r.id)).toEqual(clean.page.rows.map((r) => r.id));
    expect(clean.page.rows.length).toBeGreaterThan(0);
    for (const values of [
      ['2024-99-99 99:99:99Z', ids.alice!],
      ['2024-02-30 00:00:00+00', ids.alice!],
      ['0000-01-01 00:00:00Z', ids.alice!],
      ['2024-01-01 24:00:00Z', ids.alice!],
      ['2024-01-01 00:00:00+99:00', ids.alice!],
    ]) {
      const impossible = encodeCursor({ sort: 'updated', dir: 'desc', values });
      expect(decodeCursor(impossible, 'updated', 'desc'), values[0]).toBeUndefined();
      for (const position of [{ after: impossible }, { before: impossible }]) {
        const page = await listAdminConnections(dbFor(sql), query(position), PAGE);
        expect(page.rows.map((r) => r.id)).toEqual(first.rows.map((r) => r.id));
      }
    }
    const possible = encodeCursor({ sort: 'updated', dir: 'desc', values: ['2024-02-29 23:59:59.123456+05:30', ids.alice!] });
    expect(decodeCursor(possible, 'updated', 'desc')?.values).toHaveLength(2);
  });

  it('keeps microsecond precision in cursors (rows within one millisecond are neither skipped nor repeated)', async () => {
    await sql`update connections set updated_at = '2000-01-01 00:00:00.000001+00' where id = ${ids.alice!}`;
    await sql`update connections set updated_at = '2000-01-01 00:00:00.000900+00' where id = ${ids.bob!}`;
    try {
      const q = query({ sort: 'updated', dir: 'asc' });
      const first = await listAdminConnections(dbFor(sql), q, 1);
      const second = await listAdminConnections(dbFor(sql), { ...q, after: first.next }, 1);
      expect([first.rows[0]!.id, second.rows[0]!.id]).toEqual([ids.alice, ids.bob]);
      const back = await listAdminConnections(dbFor(sql), { ...q, before: second.previous }, 1);
      expect(back.rows.map((r) => r.id)).toEqual([ids.alice]);
    } finally {
      await sql`update connections set updated_at = now() where id in (${ids.alice!}, ${ids.bob!})`;
    }
  });
});

describe('filters and search', () => {
  it('hides disconnected connections unless that status is chosen', async () => {
    expect(await allIds(query())).not.toContain(ids.bobGone);
    expect(await allIds(query({ status: 'disconnected' }))).toEqual([ids.bobGone]);
  });

  it('filters by status and product on the server', async () => {
    const rows = (await listAdminConnections(dbFor(sql), query({ status: 'needs_reauth', product: 'jira' }), 500)).rows;
    expect(rows.length).toBeGreaterThan(0);
    expect(rows.every((r) => r.status === 'needs_reauth' && r.product === 'jira')).toBe(true);
    expect(rows).toHaveLength((await expectedIds("c.status = 'needs_reauth' and c.product = 'jira'", 'updated', 'desc')).length);
  });

  it('filters by owner email and by site name or cloud id', async () => {
    expect(await allIds(query({ owner: 'BOB@' }))).toEqual([ids.bob]);
    expect(await allIds(query({ owner: 'alice' }))).toEqual([ids.alice]);
    expect(await allIds(query({ site: 'zenith widgets' }))).toEqual([ids.bob]);
    expect(await allIds(query({ site: 'cloud-acme' }))).toEqual([ids.alice]);
    expect(await allIds(query({ site: 'zenith', status: 'disconnected' }))).toEqual([ids.bobGone]);
  });

  it('searches user email, Atlassian account email and name, and site names', async () => {
    expect(await allIds(query({ q: 'alice@example' }))).toEqual([ids.alice]);
    expect(await allIds(query({ q: 'bob.work' }))).toEqual([ids.bob]);
    expect(await allIds(query({ q: 'robert' }))).toEqual([ids.bob]);
    expect(await allIds(query({ q: 'Zenith' }))).toEqual([ids.bob]);
    expect(await allIds(query({ q: 'no such thing anywhere' }))).toEqual([]);
  });

  it('takes % and _ in a search literally', async () => {
    expect(await allIds(query({ q: 'o_b' }))).toEqual([ids.alice]);
    expect(await allIds(query({ q: '_b_' }))).toEqual([]);
    expect(await allIds(query({ q: '100%' }))).toEqual([ids.alice]);
    expect(await allIds(query({ site: 'o_b' }))).toEqual([ids.alice]);
  });

  it('gives the same rows whatever plan the search takes (id list, row by row), and exact counts only from a full list', async () => {
    const where = `(u.email ilike $1 or c.account_email ilike $1 or c.account_name ilike $1
      or c.id in (select connection_id from connection_sites where name ilike $1))`;
    const expected = await expectedIds(`c.status <> 'disconnected' and ${where}`, 'owner', 'asc', ['%.test%']);
    expect(expected.length).toBeGreaterThan(1000);
    const scopes = {
      ids: await resolveSearch(dbFor(sql), '.test', { narrow: 5_000, probe: 10_000 }),
      broad: await resolveSearch(dbFor(sql), '.test'),
    };
    for (const [kind, search] of Object.entries(scopes)) {
      expect(search.kind).toBe(kind);
      const filter = { query: query({ q: '.test', sort: 'owner' }), search };
      const { pages, last } = await walkForward(filter.query, 200, search);
      expect(pages.flat()).toEqual(expected);
      expect(await walkBackward(filter.query, last, 200, search)).toEqual(pages);
    }
    const exact = await countByStatus(dbFor(sql), { query: query({ q: '.test' }), search: scopes.ids }, 5_000);
    expect(areLowerBounds(exact)).toBe(false);
    expect(countShown(exact)).toBe(expected.length);
    expect(exact.disconnected).toBe(0); // bob's disconnected row does not match
    // Broad: the probe stopped early, so the counts are what it saw, at most the truth, and say so.
    const seen = await countByStatus(dbFor(sql), { query: query({ q: '.test' }), search: scopes.broad });
    expect(areLowerBounds(seen)).toBe(true);
    for (const status of Object.keys(exact) as (keyof typeof exact)[]) expect(seen[status]).toBeLessThanOrEqual(exact[status]);
    expect(countShown(seen)).toBeGreaterThanOrEqual(PROBE_ROWS / 5); // a connection is at most 5 probe rows (3 sites)
    expect((await resolveSearch(dbFor(sql), 'zenith')).kind).toBe('ids');
    expect((await resolveSearch(dbFor(sql), '.test')).kind).toBe('broad'); // 1,500 matches: over NARROW_LIMIT
    const narrow = await expectedIds(`c.status <> 'disconnected' and ${where}`, 'updated', 'desc', ['%Ana.%']);
    expect((await resolveSearch(dbFor(sql), 'Ana.')).kind).toBe('ids');
    expect(await allIds(query({ q: 'Ana.' }))).toEqual(narrow);
  });

  it('gives the same rows and exact counts for an owner filter whatever plan it takes (id list, row by row)', async () => {
    const expected = await expectedIds("c.status <> 'disconnected' and u.email ilike '%.test%'", 'owner', 'asc');
    expect(expected.length).toBeGreaterThan(1000);
    const scopes = { ids: await resolveOwner(dbFor(sql), '.test', 5_000), broad: await resolveOwner(dbFor(sql), '.test') };
    for (const [kind, owner] of Object.entries(scopes)) {
      expect(owner.kind).toBe(kind);
      const q = query({ owner: '.test', sort: 'owner' });
      const list = (position: Partial<AdminQuery>) => listAdminConnections(dbFor(sql), { query: { ...q, ...position }, owner }, 200);
      let page = await list({});
      const pages = [page.rows.map((r) => r.id)];
      while (page.next) pages.push((page = await list({ after: page.next })).rows.map((r) => r.id));
      expect(pages.flat()).toEqual(expected);
      const back = await list({ before: page.previous });
      expect(back.rows.map((r) => r.id)).toEqual(pages.at(-2));
      // Exact from a full list; from a broad probe, what it saw (at most the truth), marked as lower bounds.
      const counts = await countByStatus(dbFor(sql), { query: q, owner }, 5_000);
      expect(areLowerBounds(counts)).toBe(kind === 'broad');
      if (kind === 'ids') expect(countShown(counts)).toBe(expected.length);
      else expect(countShown(counts)).toBe(NARROW_LIMIT + 1);
    }
    const person = await resolveOwner(dbFor(sql), 'bob@');
    expect(person).toEqual({ kind: 'ids', ids: expect.arrayContaining([ids.bob, ids.bobGone]) });
  });

  it('never returns token columns', async () => {
    const page = await listAdminConnections(dbFor(sql), query(), 5);
    for (const row of page.rows) {
      expect(Object.keys(row).sort()).toEqual(
        [
          'access_expires_at', 'account_email', 'account_name', 'consecutive_failures', 'created_at', 'id', 'last_error_code',
          'last_refreshed_at', 'product', 'reason', 'sites', 'status', 'updated_at', 'user_email',
        ].sort(),
      );
    }
    expect(page.rows[0]!.sites.length).toBeGreaterThan(0);
    expect(Object.keys(page.rows[0]!.sites[0]!).sort()).toEqual(['cloud_id', 'name']);
  });
});

describe('counts', () => {
  async function expectedCounts(where: string): Promise<Record<string, number>> {
    const rows = await sql.unsafe<{ status: string; n: number }[]>(
      `select c.status, count(*)::int as n from connections c join users u on u.id = c.user_id where ${where} group by 1`,
    );
    return Object.fromEntries(rows.map((r) => [r.status, r.n]));
  }

  function nonZero(counts: Record<string, number>): Record<string, number> {
    return Object.fromEntries(Object.entries(counts).filter(([, n]) => n > 0));
  }

  it('counts every status under the other filters, ignoring the status filter', async () => {
    const all = await countByStatus(dbFor(sql), query({ status: 'error' }));
    expect(nonZero(all)).toEqual(await expectedCounts('true'));
    expect(countShown(all)).toBe(SEEDED + 2);
    const jira = await countByStatus(dbFor(sql), query({ status: 'active', product: 'jira' }));
    expect(nonZero(jira)).toEqual(await expectedCounts("c.product = 'jira'"));
    expect(nonZero(await countByStatus(dbFor(sql), query({ owner: 'bob@' })))).toEqual({ needs_reauth: 1, disconnected: 1 });
    expect(nonZero(await countByStatus(dbFor(sql), query({ q: 'zenith' })))).toEqual({ needs_reauth: 1, disconnected: 1 });
    // A broad search (1,500 matches): lower bounds, counted from the connections its probe saw.
    const broad = await countByStatus(dbFor(sql), query({ q: '.test' }), 5_000);
    const exact = await expectedCounts("u.email ilike '%.test%'");
    expect(areLowerBounds(broad)).toBe(true);
    expect(countShown(broad)).toBeGreaterThan(NARROW_LIMIT);
    for (const [status, n] of Object.entries(nonZero(broad))) expect(n).toBeLessThanOrEqual(exact[status]!);
  });

  it('counts a filtered view up to the cap, then marks the numbers as lower bounds', async () => {
    const exact = await countByStatus(dbFor(sql), query({ product: 'confluence' }), 5_000);
    expect(areLowerBounds(exact)).toBe(false);
    expect(nonZero(exact)).toEqual(await expectedCounts("c.product = 'confluence'"));
    const capped = await countByStatus(dbFor(sql), query({ product: 'confluence' }), 10);
    expect(areLowerBounds(capped)).toBe(true);
    // Each status counted up to the cap + 1: exact below it, "10+" (11 seen) past it.
    for (const [status, n] of Object.entries(exact)) expect(capped[status as keyof typeof exact]).toBe(Math.min(n, 11));
    expect(Object.values(exact).some((n) => n > 10)).toBe(true);
    expect(areLowerBounds(await countByStatus(dbFor(sql), query()))).toBe(false); // the summary: exact
  });

  it('counts operator errors over all users for the banner', async () => {
    const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from connections where status = 'error'`;
    expect(n).toBeGreaterThan(0);
    expect(await countConfigurationErrors(dbFor(sql))).toBe(n);
  });

  it('loads the whole dashboard at once', async () => {
    const data = await loadAdminDashboard(dbFor(sql), query({ status: 'degraded' }));
    expect(data.page.rows.every((r) => r.status === 'degraded')).toBe(true);
    expect(data.counts.degraded).toBeGreaterThan(0);
    expect(data.outcomes).toHaveLength(7);
    expect(data.failureCodes.length).toBeGreaterThan(0);
    expect(data.currentReasons.length).toBeGreaterThan(0);
    expect(data.configurationErrors).toBe(data.counts.error);
    expect((await resolveFilter(dbFor(sql), query())).search).toBeUndefined();
  });
});

describe('refresh activity', () => {
  const NOW = new Date('2030-01-10T15:00:00Z');

  it('counts successes and failures per UTC day over the last 7 days, and ranks failure codes', async () => {
    const at = (iso: string, type: string, code: string | null = null) =>
      sql`insert into connection_events (connection_id, type, code, created_at) values (${ids.alice!}, ${type}, ${code}, ${iso})`;
    await at('2030-01-03 23:59:59.999999+00', 'refreshed'); // the day before the window
    await at('2030-01-04 00:00:00+00', 'refreshed');
    await at('2030-01-04 10:00:00+00', 'refreshed');
    await at('2030-01-05 10:00:00+00', 'needs_reauth', 'invalid_grant');
    await at('2030-01-05 11:00:00+00', 'needs_reauth', 'invalid_grant');
    await at('2030-01-06 10:00:00+00', 'refresh_failed', 'timeout');
    await at('2030-01-06 11:00:00+00', 'test');
    await at('2030-01-10 23:59:59+00', 'refresh_failed', 'server_error');
    await at('2030-01-11 00:00:00+00', 'refreshed'); // tomorrow
    try {
      expect(activitySince(NOW).toISOString()).toBe('2030-01-04T00:00:00.000Z');
      expect(await refreshOutcomesByDay(dbFor(sql), NOW)).toEqual([
        { day: '2030-01-04', succeeded: 2, failed: 0 },
        { day: '2030-01-05', succeeded: 0, failed: 2 },
        { day: '2030-01-06', succeeded: 0, failed: 1 },
        { day: '2030-01-07', succeeded: 0, failed: 0 },
        { day: '2030-01-08', succeeded: 0, failed: 0 },
        { day: '2030-01-09', succeeded: 0, failed: 0 },
        { day: '2030-01-10', succeeded: 0, failed: 1 },
      ]);
      const codes = await topFailureCodes(dbFor(sql), NOW);
      expect(codes.slice(0, 1)).toEqual([{ code: 'invalid_grant', count: 2 }]);
      expect(codes).toContainEqual({ code: 'timeout', count: 1 });
    } finally {
      await sql`delete from connection_events where created_at >= '2030-01-01'`;
    }
  });

  it('matches a plain count of the seeded events for today’s window', async () => {
    const since = activitySince(new Date());
    const rows = await sql<{ day: string; s: number; f: number }[]>`
      select to_char((created_at at time zone 'UTC')::date, 'YYYY-MM-DD') as day,
        count(*) filter (where type = 'refreshed')::int as s, count(*) filter (where type in ('refresh_failed', 'needs_reauth', 'configuration_error'))::int as f
      from connection_events where created_at >= ${since} and created_at <= now() group by 1`;
    const outcomes = await refreshOutcomesByDay(dbFor(sql));
    for (const r of rows) expect(outcomes.find((o) => o.day === r.day)).toEqual({ day: r.day, succeeded: r.s, failed: r.f });
    expect(outcomes.reduce((n, o) => n + o.succeeded, 0)).toBeGreaterThan(0);
  });

  it('groups the current needs_reauth and degraded connections by reason', async () => {
    const reasons = await currentFailureReasons(dbFor(sql));
    const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from connections where status in ('needs_reauth', 'degraded', 'error')`;
    expect(reasons.reduce((sum, r) => sum + r.count, 0)).toBe(n);
    expect(reasons).toContainEqual(expect.objectContaining({ status: 'needs_reauth', reason: 'revoked' }));
  });
});

describe('URL parameters', () => {
  it('ignores unknown values and drops defaults and the position from links', () => {
    const q = parseAdminQuery({ status: 'bogus', product: ['jira', 'confluence'], sort: 'owner', dir: 'sideways', q: '  alice  ', after: 'abc' });
    expect(q).toMatchObject({ status: undefined, product: 'jira', sort: 'owner', dir: 'asc', q: 'alice', after: 'abc' });
    expect(adminHref(q, { status: 'error' })).toBe('/admin?q=alice&status=error&product=jira&sort=owner');
    expect(adminHref(q, { after: 'next' })).toBe('/admin?q=alice&product=jira&sort=owner&after=next');
    expect(adminHref(q, { sort: 'updated' })).toBe('/admin?q=alice&product=jira');
    expect(adminHref(parseAdminQuery({}))).toBe('/admin');
  });

  it('ignores a search shorter than three characters, and says so', () => {
    expect(parseAdminQuery({ q: ' ab ' }).q).toBeUndefined();
    expect(searchTooShort({ q: 'ab' })).toBe(true);
    expect(parseAdminQuery({ q: 'abc' }).q).toBe('abc');
    expect(searchTooShort({ q: 'abc' })).toBe(false);
    expect(searchTooShort({})).toBe(false);
  });

  it('keeps a long cursor whole (an owner cursor carries an email of up to 320 characters)', () => {
    const email = `${'a'.repeat(300)}@example.com`;
    const cursor = encodeCursor({ sort: 'owner', dir: 'asc', values: [email, '00000000-0000-4000-8000-000000000000'] });
    expect(cursor.length).toBeGreaterThan(400);
    const q = parseAdminQuery({ sort: 'owner', after: cursor });
    expect(decodeCursor(q.after, 'owner', 'asc')?.values[0]).toBe(email);
  });
});

describe('seed', () => {
  it('creates a realistic mix: statuses, 1–3 sites and ten events per connection, encrypted dummy tokens', async () => {
    const mix = await sql<{ status: string; n: number }[]>`
      select status, count(*)::int as n from connections where account_email like '%.test' or account_email like '%+atlassian@%' group by 1`;
    const share = (s: string) => (mix.find((m) => m.status === s)?.n ?? 0) / SEEDED;
    expect(share('active')).toBeGreaterThan(0.86);
    expect(share('degraded')).toBeGreaterThan(0.03);
    expect(share('needs_reauth')).toBeGreaterThan(0.025);
    expect(share('error')).toBeGreaterThan(0.003);
    const [sites] = await sql<{ min: number; max: number }[]>`
      select min(n)::int as min, max(n)::int as max from (select count(*) as n from connection_sites group by connection_id) x`;
    expect(sites).toEqual({ min: 1, max: 3 });
    const [events] = await sql<{ n: number; connected: number; backwards: number }[]>`
      select count(*)::int as n, count(*) filter (where type = 'connected')::int as connected,
        (select count(*)::int from (select created_at < lag(created_at) over (partition by connection_id order by id) as back
                                    from connection_events) t where back) as backwards
      from connection_events where created_at < '2030-01-01'`;
    expect(events).toEqual({ n: SEEDED * 10, connected: SEEDED, backwards: 0 });
    const [row] = await sql<{ access_token_enc: string; refresh_token_enc: string }[]>`
      select access_token_enc, refresh_token_enc from connections where access_token_enc is not null limit 1`;
    expect(decryptSecret(row.access_token_enc, TEST_KEYS)).toMatch(/^seed-dummy-access-token-\d$/);
    expect(decryptSecret(row.refresh_token_enc, TEST_KEYS)).toMatch(/^seed-dummy-refresh-token-\d$/);
    const [needs] = await sql<{ n: number }[]>`select count(*)::int as n from connections c where c.status = 'needs_reauth'
      and not exists (select 1 from connection_events e where e.connection_id = c.id and e.type = 'needs_reauth')`;
    expect(needs.n).toBe(1); // only the hand-made fixture, which has no events
  });
});
