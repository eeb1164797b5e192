// The admin dashboard's maintained summaries stay equal to counting the tables, whatever writes them; and
// the main list queries are served by an index (checked with EXPLAIN: index use, never timing).
import postgres, { type Sql } from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { currentFailureReasons, refreshOutcomesByDay, topFailureCodes } from '../../lib/admin/activity';
import { pageQuery } from '../../lib/admin/connections';
import { countByStatus, countConfigurationErrors, filteredCountsQuery } from '../../lib/admin/counts';
import { resolveFilter, type AdminFilter } from '../../lib/admin/filters';
import { ownerProbeQuery, resolveOwner } from '../../lib/admin/owner';
import { resolveSite } from '../../lib/admin/site';
import { NARROW_LIMIT, resolveSearch, searchProbeQueries } from '../../lib/admin/search';
import { parseAdminQuery, SORT_NAMES, type SearchParams } from '../../lib/admin/params';
import { dbFor, type Db } from '../../lib/db';
import { seedDemoData } from '../../lib/db/seed';
import { TEST_KEYS } from '../helpers/connections';
import { createTestDatabase, type TestDatabase } from '../helpers/database';

let database: TestDatabase;
let sql: Sql;
let db: Db;

beforeAll(async () => {
  database = await createTestDatabase('admin_summary');
  sql = postgres(database.url, { max: 4, onnotice: () => {} });
  db = dbFor(sql);
  await seedDemoData(db, { connections: 20_000, eventsPerConnection: 4, keys: TEST_KEYS });
});

afterAll(async () => {
  await sql?.end();
  await database?.drop();
});

/** What the summaries must equal: the tables counted directly. */
async function counted() {
  const statuses = await sql<{ status: string; reason: string; count: number }[]>`
    select status, coalesce(reason, '') as reason, count(*)::int as count from connections group by 1, 2`;
  const events = await sql<{ day: string; type: string; code: string; count: number }[]>`
    select to_char((created_at at time zone 'UTC')::date, 'YYYY-MM-DD') as day, type, coalesce(code, '') as code, count(*)::int as count
    from connection_events group by 1, 2, 3`;
  return { statuses: keyed(statuses.map((r) => [`${r.status}/${r.reason}`, r.count])), events: keyed(events.map((r) => [`${r.day}/${r.type}/${r.code}`, r.count])) };
}

async function summaries() {
  const statuses = await sql<{ status: string; reason: string; count: number }[]>`select status, reason, count from connection_status_counts`;
  const events = await sql<{ day: string; type: string; code: string; count: number }[]>`
    select to_char(day, 'YYYY-MM-DD') as day, type, code, count from connection_event_counts`;
  return { statuses: keyed(statuses.map((r) => [`${r.status}/${r.reason}`, r.count])), events: keyed(events.map((r) => [`${r.day}/${r.type}/${r.code}`, r.count])) };
}

/** Nonzero counts by key, sorted, so that two ways of counting compare with toEqual. */
function keyed(pairs: [string, number][]): Record<string, number> {
  return Object.fromEntries(pairs.filter(([, n]) => n !== 0).sort(([a], [b]) => a.localeCompare(b)));
}

// Before the summaries' tests, which change and delete connections.
describe('EXPLAIN: an owner filter and a broad-but-sparse search never walk the table', () => {
  // User 0 of the seed: one person's ~20 connections among 20,000.
  const person = { owner: 'ada.abe@' };

  it('one person: the probe reads the owner\'s connections by user, then the page and counts by primary key', async () => {
    const filter = await resolveFilter(db, parseAdminQuery(person));
    expect(filter.owner).toMatchObject({ kind: 'ids' });
    expect(filter.owner?.kind === 'ids' && filter.owner.ids.length).toBe(20);
    const probe = await planOfStatement(ownerProbeQuery(db, person.owner).toSQL());
    expect(probe.indexes).toContain('connections_user_idx');
    expect(probe.nodes).not.toContain('Seq Scan connections');
    const page = await planOfFilter(filter, 'page');
    expect(page.indexes).toContain('connections_pkey');
    expect(page.nodes).not.toContain('Seq Scan connections');
    expect(page.indexes).not.toContain('connections_updated_idx'); // not a walk along the sort, testing owners
    const counts = await planOfFilter(filter, 'counts');
    expect(counts.indexes).toEqual(['connections_pkey']); // not a walk of each status's rows
  });

  it('an owner on 2% of the connections: the page reads the sort index in order, the counts only what the probe saw', async () => {
    const filter = await resolveFilter(db, parseAdminQuery({ owner: '.jones' }));
    expect(filter.owner?.kind).toBe('ids'); // 400 connections here: made broad by a smaller probe, as at a million
    const broad = { ...filter, owner: await resolveOwner(db, '.jones', 100) };
    expect(broad.owner.kind).toBe('broad');
    const page = await planOfFilter(broad, 'page');
    expect(page.nodes[0]).toBe('Limit');
    expect(page.indexes[0]).toBe('connections_updated_idx');
    expect(page.nodes).not.toContain('Sort');
    expect(page.indexes).not.toContain('connections_user_idx'); // not every matching owner's connections, then sorted
    expect((await planOfFilter(broad, 'counts')).indexes).toEqual(['connections_pkey']);
  });

  it('a site: few connections are read by primary key; many, along the sort index testing each row\'s sites', async () => {
    const narrow = await resolveFilter(db, parseAdminQuery({ site: 'Amber Analytics' }));
    expect(narrow.site).toMatchObject({ kind: 'ids' });
    const page = await planOfFilter(narrow, 'page');
    expect(page.indexes).toContain('connections_pkey');
    expect(page.nodes).not.toContain('Seq Scan connections');
    expect(page.indexes).not.toContain('connections_updated_idx');
    const broad = { ...narrow, site: await resolveSite(db, 'Amber Analytics', 10) };
    expect(broad.site.kind).toBe('broad');
    const walk = await planOfFilter(broad, 'page');
    expect(walk.nodes[0]).toBe('Limit');
    expect(walk.indexes[0]).toBe('connections_updated_idx');
    expect(walk.nodes).not.toContain('Sort');
    expect(walk.nodes).not.toContain('Seq Scan connections');
  });

  it('a broad-but-sparse search: the page reads the sort index in order and stops at the page (no sort, no table scan)', async () => {
    // "jones": 2% of the connections (400 here), made broad by a smaller probe, as at a million.
    const search = await resolveSearch(db, 'jones', { narrow: 100, probe: 300 });
    expect(search.kind).toBe('broad');
    const plan = await planOfFilter({ query: parseAdminQuery({ q: 'jones' }), search }, 'page');
    expect(plan.nodes[0]).toBe('Limit');
    expect(plan.indexes[0]).toBe('connections_updated_idx');
    // The walk reads the covering index alone, and stops at the page (a Limit right above it); only the
    // page's own rows are read from the table, and sorted again once joined.
    const walk = plan.nodes.indexOf('Index Only Scan connections');
    expect(walk).toBeGreaterThan(0);
    expect(plan.nodes[walk - 1]).toBe('Limit');
    expect(plan.nodes.filter((n) => n === 'Sort')).toHaveLength(1);
    expect(plan.nodes).not.toContain('Seq Scan connections');
    expect(plan.nodes).not.toContain('Bitmap Heap Scan connections');
  });

  it("a broad term's probe reads its first users' connections from connections_user_idx alone, never every match", async () => {
    const { owners } = searchProbeQueries(db, 'jones');
    const plan = await planOfStatement(owners(NARROW_LIMIT + 1).toSQL());
    expect(plan.nodes).toContain('Nested Loop');
    expect(plan.nodes).toContain('Index Only Scan connections');
    expect(plan.indexes).toContain('connections_user_idx');
    expect(plan.nodes).not.toContain('Hash Join');
    expect(plan.nodes.filter((n) => n.endsWith(' connections'))).toEqual(['Index Only Scan connections']);
    // Each user's read is bounded on its own (the inner limit): at a million rows, without it, the planner
    // hashed every matching user and walked all connections; at this size it would not show.
    expect(plan.nodes[plan.nodes.indexOf('Index Only Scan connections') - 1]).toBe('Limit');
  });
});

describe('seed', () => {
  it('gives "jones" to exactly 2% of the connections (1 user in 50, connections dealt in turn)', async () => {
    const [row] = await sql<{ connections: number; users: number; all: number }[]>`
      select count(*) filter (where u.email ilike '%jones%' and c.account_name ilike '%jones%')::int as connections,
        count(distinct u.id) filter (where u.email ilike '%jones%')::int as users, count(*)::int as all
      from connections c join users u on u.id = c.user_id`;
    expect(row).toEqual({ connections: 400, users: 20, all: 20_000 });
  });
});

describe('maintained summaries', () => {
  it('equal counting the tables after the seed, status changes, deletes and cascades', async () => {
    expect(await summaries()).toEqual(await counted());
    // Status and reason changes, one row and many rows per statement, some that change nothing.
    await sql`update connections set status = 'degraded', reason = 'timeout' where id in (select id from connections where status = 'active' limit 300)`;
    await sql`update connections set last_used_at = now() where status = 'degraded'`;
    await sql`update connections set status = 'active', reason = null where id = (select id from connections where status = 'degraded' limit 1)`;
    await sql`update connections set status = 'disconnected', reason = null where id in (select id from connections where status = 'error' limit 20)`;
    // Deletes, directly and by cascade (a user with their connections and events).
    await sql`delete from connections where id in (select id from connections where status = 'needs_reauth' limit 15)`;
    await sql`delete from users where id = (select user_id from connections group by user_id order by count(*) desc limit 1)`;
    await sql`insert into connection_events (connection_id, type, code, created_at)
      select id, 'refresh_failed', 'timeout', now() - interval '2 days' from connections where status = 'degraded' limit 50`;
    await sql`delete from connection_events where id in (select id from connection_events where type = 'refreshed' limit 500)`;
    // Times moved back (the sandbox's "Advance N days" ages timelines): each event counts on its new day.
    await sql`update connection_events set created_at = created_at - interval '3 days 5 hours' where id in (select id from connection_events order by id limit 700)`;
    await sql`update connection_events set message = 'no time changed' where id in (select id from connection_events order by id desc limit 50)`;
    expect(await summaries()).toEqual(await counted());
  });

  it('a rolled-back change leaves the summaries as they were', async () => {
    const before = await summaries();
    await sql
      .begin(async (tx) => {
        await tx`update connections set status = 'error', reason = 'invalid_client' where status = 'active'`;
        throw new Error('roll back');
      })
      .catch(() => {});
    expect(await summaries()).toEqual(before);
  });

  it('answer the dashboard as counting would', async () => {
    const byStatus = await sql<{ status: string; count: number }[]>`select status, count(*)::int as count from connections group by status`;
    const counts = await countByStatus(db, parseAdminQuery({}));
    for (const { status, count } of byStatus) expect(counts[status as keyof typeof counts]).toBe(count);
    expect(await countConfigurationErrors(db)).toBe(byStatus.find((r) => r.status === 'error')?.count ?? 0);
    const reasons = await sql`select status, reason, count(*)::int as count from connections
      where status in ('needs_reauth', 'degraded', 'error') group by status, reason order by count desc, status, reason`;
    expect(await currentFailureReasons(db)).toEqual([...reasons]);
    const now = new Date();
    const since = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()) - 6 * 86_400_000);
    const codes = await sql`select code, count(*)::int as count from connection_events
      where type in ('refresh_failed', 'needs_reauth', 'configuration_error') and created_at >= ${since} group by code order by count desc, code limit 6`;
    expect(await topFailureCodes(db, now)).toEqual([...codes]);
    const days = await refreshOutcomesByDay(db, now);
    expect(days).toHaveLength(7);
    const [today] = await sql<{ succeeded: number; failed: number }[]>`select
      count(*) filter (where type = 'refreshed')::int as succeeded,
      count(*) filter (where type in ('refresh_failed', 'needs_reauth', 'configuration_error'))::int as failed
      from connection_events where created_at >= ${days.at(-1)!.day}::date`;
    expect(days.at(-1)).toMatchObject(today!);
  });
});

/** The index names the plan of `params`' first admin page reads (or of its filtered counts). */
async function indexesUsed(params: SearchParams, read: 'page' | 'counts' = 'page'): Promise<string[]> {
  return (await planOf(params, read)).indexes;
}

/** The plan's index names and node types. */
async function planOf(params: SearchParams, read: 'page' | 'counts'): Promise<{ indexes: string[]; nodes: string[] }> {
  return planOfFilter(await resolveFilter(db, parseAdminQuery(params)), read);
}

async function planOfFilter(filter: AdminFilter, read: 'page' | 'counts'): Promise<{ indexes: string[]; nodes: string[] }> {
  return planOfStatement((read === 'page' ? pageQuery(db, filter, undefined, filter.query.dir, 51) : filteredCountsQuery(db, filter)!).toSQL());
}

async function planOfStatement(query: { sql: string; params: unknown[] }): Promise<{ indexes: string[]; nodes: string[] }> {
  const [row] = await sql.unsafe(`explain (format json) ${query.sql}`, query.params as never[]);
  const indexes: string[] = [];
  const nodes: string[] = [];
  const walk = (node: Record<string, unknown>) => {
    nodes.push(`${node['Node Type']} ${node['Relation Name'] ?? ''}`.trim());
    if (typeof node['Index Name'] === 'string') indexes.push(node['Index Name']);
    for (const child of (node.Plans as Record<string, unknown>[] | undefined) ?? []) walk(child);
  };
  walk((row!['QUERY PLAN'] as { Plan: Record<string, unknown> }[])[0]!.Plan);
  return { indexes, nodes };
}

describe('EXPLAIN: each sort and the status filter read an index', () => {
  const expected: Record<string, string> = {
    updated: 'connections_updated_idx',
    created: 'connections_created_idx',
    refreshed: 'connections_last_refreshed_idx',
    status: 'connections_status_rank_idx',
    owner: 'users_email_unique',
    renew_by: 'connections_renew_by_idx',
  };
  for (const sort of SORT_NAMES) {
    it(`sort=${sort}`, async () => {
      expect(await indexesUsed({ sort })).toContain(expected[sort]);
    });
  }

  it('status=needs_reauth', async () => {
    expect(await indexesUsed({ status: 'needs_reauth' })).toContain('connections_status_updated_idx');
  });

  it('a search matching every row walks the sort index', async () => {
    expect(await indexesUsed({ q: '.test' })).toContain('connections_updated_idx');
  });
});

describe('EXPLAIN: the filtered counts read a bounded part of the table', () => {
  it('product: one capped index range per status, no scan of the table', async () => {
    const plan = await planOf({ product: 'jira' }, 'counts');
    // Every status under its own Limit: a dense status may be read by a short sequential walk that stops at the cap.
    expect(plan.indexes).toContain('connections_product_status_idx');
    expect(plan.nodes.filter((n) => n === 'Limit')).toHaveLength(5);
  });

  it('site: from the matching sites to the connections by primary key', async () => {
    const plan = await planOf({ site: 'Amber' }, 'counts');
    expect(plan.indexes).toContain('connection_sites_name_trgm_idx');
    expect(plan.nodes).not.toContain('Seq Scan connections');
  });

  it('a broad search: only the connections the probe saw, by primary key', async () => {
    const filter = await resolveFilter(db, parseAdminQuery({ q: '.test' }));
    expect(filter.search?.kind).toBe('broad');
    const plan = await planOf({ q: '.test' }, 'counts');
    expect(plan.indexes).toEqual(['connections_pkey']);
  });
});
