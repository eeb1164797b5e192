// Demo data at scale for the admin dashboard (`npm run cli -- seed --connections 1000000`, the
// benchmark, the tests): users, connections with a realistic status mix, 1–3 sites each and ~10
// events each over the last 30 days. Set-based SQL (`insert … select … from generate_series`); a load
// at least as large as the table rebuilds the indexes afterwards (lib/db/seed-bulk.ts), so that
// 1,000,000 connections and 10,000,000 events take minutes.
//
// Users are named so that each last name is carried by exactly 1 in 50 of them, and connections are
// dealt to users in turn: with the default user count, "jones" matches exactly 2% of the connections
// at every size (the benchmark's broad-but-sparse search).
//
// Values are spread by `hashint4extended(n, salt)`: deterministic, well mixed, and cheap.
// Tokens are dummy values encrypted with the configured key. `next_refresh_at` is left empty so
// that a running worker does not try to refresh tokens Atlassian never issued.
//
// It lives under lib/db/ with the migrations: set-based SQL over generate_series and temporary tables,
// which the query builder has no words for, run on the handle's own postgres-js client.
import type { TransactionSql } from 'postgres';
import type { Db } from './index';
import { withoutSecondaryStructures, worthRebuilding } from './seed-bulk';
import { encryptSecret, type KeyRing } from '../crypto';
import { BUILT_IN_PROVIDERS } from '../providers/registry';
import {
  EMAIL_DOMAINS,
  FIRST_NAMES,
  LAST_NAMES,
  SITE_ADJECTIVES,
  SITE_NOUNS,
  TRANSIENT_CODES,
} from './seed-data';

export interface SeedOptions {
  connections: number;
  /** Default: one user per 20 connections, a multiple of 50 (defaultUserCount). */
  users?: number;
  /** Events per connection (the first is `connected`, the rest spread over the last 30 days). */
  eventsPerConnection?: number;
  keys: KeyRing;
  /** Told each step's name and duration (ms) as it completes. */
  onStep?: (step: string, ms: number) => void;
}

export interface SeedResult {
  users: number;
  connections: number;
  sites: number;
  events: number;
}

const DUMMY_TOKENS = 8;

/** Bumped whenever the rows a seed produces change: the admin benchmark keeps seeded databases keyed by it. */
export const SEED_VERSION = 3;

/** `hash(expr, salt) mod m`, as SQL text; `expr` is an int4 expression. */
function pick(expr: string, salt: number, m: number): string {
  return `(abs(hashint4extended(${expr}, ${salt})) % ${Math.max(1, Math.floor(m))})`;
}

/** One user per 20 connections (a person has a handful, whatever the size of the company), a multiple of 50. */
export function defaultUserCount(connections: number): number {
  return Math.max(50, Math.ceil(connections / 20 / 50) * 50);
}

function siteCount(users: number): number {
  return Math.max(10, Math.min(SITE_ADJECTIVES.length * SITE_NOUNS.length, Math.ceil(users / 4)));
}

/**
 * User `i` (0…) is LAST_NAMES[i mod 50] (each last name on 1 user in 50) with a first name that makes the
 * pair unique for 2,000 users (51·a mod 40 covers 0…39 as a does); further rounds get a number.
 */
async function seedUsers(tx: TransactionSql, count: number): Promise<void> {
  const [f, l] = [FIRST_NAMES.length, LAST_NAMES.length];
  await tx`create temp table seed_users (idx int primary key, id uuid not null, email text not null, name text not null) on commit drop`;
  await tx`
    with people as (
      select i, (${FIRST_NAMES}::text[])[1 + (i + i / ${l}) % ${f}] as first, (${LAST_NAMES}::text[])[1 + i % ${l}] as last,
        (${EMAIL_DOMAINS}::text[])[1 + ${tx.unsafe(pick('i', 31, EMAIL_DOMAINS.length))}] as domain, i / ${f * l} as round
      from generate_series(0, ${count - 1}::int) i
    ), named as (
      select i, lower(first || '.' || last) || case when round > 0 then round::text else '' end || '@' || domain as email,
        first || ' ' || last as name
      from people
    ), inserted as (
      insert into users (email, name) select email, name from named
      on conflict (email) do update set name = excluded.name
      returning id, email
    )
    insert into seed_users select n.i, u.id, n.email, n.name from named n join inserted u using (email)`;
}

async function seedSites(tx: TransactionSql, count: number): Promise<void> {
  const [a, n] = [SITE_ADJECTIVES.length, SITE_NOUNS.length];
  await tx`
    create temp table seed_sites on commit drop as
    select i as idx, gen_random_uuid()::text as cloud_id, name, 'https://' || lower(replace(name, ' ', '-')) || '.atlassian.net' as url
    from (select i, (${SITE_ADJECTIVES}::text[])[1 + i % ${a}] || ' ' || (${SITE_NOUNS}::text[])[1 + (i / ${a}) % ${n}] as name
          from generate_series(0, ${count - 1}::int) i) named`;
}

/** The seeded products (each provider's seed data, lib/providers/<provider>/): a share of connections, scopes, dead-token code, lifetime. */
async function seedProducts(tx: TransactionSql): Promise<number> {
  await tx`create temp table seed_products (product text, upto int, scopes text[], site_scopes text[], dead_code text, lifetime_seconds int) on commit drop`;
  let upto = 0;
  for (const provider of BUILT_IN_PROVIDERS) {
    for (const { id, seed } of provider.products) {
      if (seed.weight <= 0) continue;
      upto += seed.weight;
      await tx`insert into seed_products values (${id}, ${upto}, ${[...seed.scopes]}::text[], ${[...seed.siteScopes]}::text[], ${provider.deadTokenCode}, ${provider.capabilities.absoluteLifetimeSeconds}::int)`;
    }
  }
  return upto;
}

/** Status mix: 90% active, 5% degraded, 4% needs_reauth, 1% error; with matching reasons and times. */
async function stageConnections(tx: TransactionSql, count: number, users: number): Promise<void> {
  const r = tx.unsafe(pick('n', 1, 1000));
  const weights = await seedProducts(tx);
  await tx`
    create temp table seed_conns on commit drop as
    select n, gen_random_uuid() as id, (n - 1) % ${users}::int as user_idx,
      case when ${r} < 900 then 'active' when ${r} < 950 then 'degraded' when ${r} < 990 then 'needs_reauth' else 'error' end as status,
      ${tx.unsafe(pick('n', 3, 20))} as variant,
      (select product from seed_products where ${tx.unsafe(pick('n', 4, weights))} < upto order by upto limit 1) as product,
      case when ${tx.unsafe(pick('n', 5, 10))} < 6 then 1 when ${tx.unsafe(pick('n', 5, 10))} < 9 then 2 else 3 end as site_count,
      now() - interval '1 hour' - interval '1 second' * ${tx.unsafe(pick('n', 6, 400 * 86_400))}
        - interval '1 microsecond' * ${tx.unsafe(pick('n', 7, 1_000_000))} as created_at,
      interval '1 second' * ${tx.unsafe(pick('n', 8, 86_400))} + interval '1 microsecond' * ${tx.unsafe(pick('n', 15, 1_000_000))} as jitter
    from generate_series(1, ${count}::int) n`;
  await tx`alter table seed_conns add column reason text, add column last_refreshed_at timestamptz`;
  await tx`
    update seed_conns set
      reason = case status
        when 'degraded' then (${TRANSIENT_CODES}::text[])[1 + variant % ${TRANSIENT_CODES.length}]
        when 'needs_reauth' then case when variant < 10 then 'revoked' when variant < 15 then 'inactivity_expired'
                                      when variant < 18 then 'scope_mismatch' else 'token_lost' end
        when 'error' then 'invalid_client' end,
      last_refreshed_at = greatest(created_at, now() - case status
        when 'active' then jitter * 2 when 'degraded' then jitter / 4 + interval '1 hour'
        when 'needs_reauth' then jitter * 40 + interval '1 day' else jitter * 3 end)`;
}

async function insertConnections(tx: TransactionSql, keys: KeyRing): Promise<void> {
  const tokens = (kind: string) => Array.from({ length: DUMMY_TOKENS }, (_, i) => encryptSecret(`seed-dummy-${kind}-token-${i}`, keys));
  await tx`
    insert into connections (id, user_id, product, status, reason, account_id, account_name, account_email, scopes,
      access_token_enc, refresh_token_enc, access_expires_at, token_generation, refresh_token_issued_at, consecutive_failures,
      last_error_code, last_error_message, last_refreshed_at, last_used_at, next_refresh_at, created_at, updated_at,
      consented_at, renew_by)
    -- one provider account per connection: a person's live connections never share a product and an account
    select c.id, u.id, c.product, c.status, c.reason, '557058:' || md5(c.id::text), u.name,
      case when ${tx.unsafe(pick('c.n', 9, 10))} = 0 then replace(u.email, '@', '+atlassian@') else u.email end,
      p.scopes,
      (${tokens('access')}::text[])[1 + ${tx.unsafe(pick('c.n', 10, DUMMY_TOKENS))}],
      (${tokens('refresh')}::text[])[1 + ${tx.unsafe(pick('c.n', 11, DUMMY_TOKENS))}],
      c.last_refreshed_at + interval '1 hour', 1 + ${tx.unsafe(pick('c.n', 12, 500))}, c.last_refreshed_at,
      case c.status when 'active' then 0 when 'needs_reauth' then 1 else 1 + c.variant % 6 end,
      case c.status when 'active' then null when 'needs_reauth' then
        case when c.reason = 'scope_mismatch' then 'scope_mismatch' else p.dead_code end else c.reason end,
      null, c.last_refreshed_at, c.last_refreshed_at, null, c.created_at,
      case c.status when 'active' then c.last_refreshed_at else least(now(), c.last_refreshed_at + c.jitter / 8 + interval '5 minutes') end,
      -- consented when created; a provider with an absolute lifetime ends the family that long after
      c.created_at, c.created_at + interval '1 second' * p.lifetime_seconds
    from seed_conns c join seed_users u on u.idx = c.user_idx join seed_products p on p.product = c.product`;
}

async function insertSites(tx: TransactionSql, sites: number): Promise<number> {
  const result = await tx`
    insert into connection_sites (connection_id, cloud_id, name, url, scopes)
    select c.id, s.cloud_id, s.name, s.url, p.site_scopes
    from seed_conns c join seed_products p on p.product = c.product cross join lateral generate_series(0, c.site_count - 1) j
    join seed_sites s on s.idx = (c.user_idx + j) % ${sites}`;
  return result.count;
}

/** The type of event `j` (1…) of a connection from its bucket `e.b`; the last one explains its current status. */
const EVENT_TYPE = `case
    when j = e.last and c.status = 'degraded' then 'refresh_failed'
    when j = e.last and c.status = 'needs_reauth' then 'needs_reauth'
    when j = e.last and c.status = 'error' then 'configuration_error'
    when e.b < 850 then 'refreshed' when e.b < 910 then 'refresh_failed' when e.b < 920 then 'degraded'
    when e.b < 935 then 'recovered' when e.b < 970 then 'test' when e.b < 985 then 'api_unauthorized'
    when e.b < 995 then 'needs_reauth' else 'reconnected' end`;

/** The code of an event of type `t.type`, varied by `e.b`. */
const EVENT_CODE = `case t.type
    when 'refresh_failed' then case when c.status = 'degraded' and j = e.last then c.reason
                                    else (array['timeout','server_error','rate_limited','network','outcome_unknown'])[1 + e.b % 5] end
    when 'degraded' then (array['timeout','server_error','rate_limited','network'])[1 + e.b % 4]
    when 'needs_reauth' then case when c.reason = 'scope_mismatch' and j = e.last then 'scope_mismatch'
                                  when e.b % 10 < 7 then 'invalid_grant' else 'unauthorized_client' end
    when 'configuration_error' then 'invalid_client'
    when 'api_unauthorized' then 'unauthorized' end`;

async function insertEvents(tx: TransactionSql, perConnection: number): Promise<number> {
  const last = perConnection - 1;
  const result = await tx`
    insert into connection_events (connection_id, type, code, token_generation, created_at)
    select c.id, t.type, ${tx.unsafe(EVENT_CODE)}, case when t.type = 'refreshed' then j + 1 end,
      case when j = 0 then c.created_at
           else e.window_start + (now() - e.window_start) * ((j - 1 + e.frac) / ${Math.max(1, last)}) end
    from seed_conns c cross join lateral generate_series(0, ${last}::int) j
    cross join lateral (select x.h / 1000 as b, (x.h % 1000) / 1000.0 as frac, ${last}::int as last,
                          greatest(c.created_at, now() - interval '30 days') as window_start
                        from (select ${tx.unsafe(pick('c.n * 16 + j', 13, 1_000_000))} as h) x) e
    cross join lateral (select case when j = 0 then 'connected' else ${tx.unsafe(EVENT_TYPE)} end as type) t`;
  // A connection's events come out in time order (j ascending), so their ids follow time as appended events' do.
  return result.count;
}

type Step = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

async function insertAll(tx: TransactionSql, options: SeedOptions, users: number, step: Step) {
  await step('users', () => seedUsers(tx, users));
  await step('staging', async () => {
    await seedSites(tx, siteCount(users));
    await stageConnections(tx, options.connections, users);
  });
  await step('connections', () => insertConnections(tx, options.keys));
  const siteRows = await step('sites', () => insertSites(tx, siteCount(users)));
  const events = await step('events', () => insertEvents(tx, Math.max(1, options.eventsPerConnection ?? 10)));
  return { siteRows, events };
}

/** A load at least as large as the table runs without its indexes and foreign keys; their rebuild is a step of its own. */
async function load<T>(tx: TransactionSql, rows: number, insert: () => Promise<T>, onStep: SeedOptions['onStep']): Promise<T> {
  if (!(await worthRebuilding(tx, rows))) return insert();
  const started = performance.now();
  let inserting = 0;
  const result = await withoutSecondaryStructures(tx, async () => {
    const before = performance.now();
    const inserted = await insert();
    inserting = performance.now() - before;
    return inserted;
  });
  onStep?.('indexes and foreign keys', performance.now() - started - inserting);
  return result;
}

/** Inserts the demo data in one transaction, then vacuums and analyzes the tables it filled. */
export async function seedDemoData(db: Db, options: SeedOptions): Promise<SeedResult> {
  const sql = db.$client;
  const users = options.users ?? defaultUserCount(options.connections);
  const step: Step = async (name, fn) => {
    const started = performance.now();
    const result = await fn();
    options.onStep?.(name, performance.now() - started);
    return result;
  };
  const counts = await sql.begin(async (tx) => {
    await tx`set local synchronous_commit = off`;
    await tx`set local work_mem = '64MB'`;
    await tx`set local maintenance_work_mem = '256MB'`; // index rebuilds
    return load(tx, options.connections, () => insertAll(tx, options, users, step), options.onStep);
  });
  await step('vacuum analyze', () => sql`vacuum analyze users, connections, connection_sites, connection_events`);
  return { users, connections: options.connections, sites: counts.siteRows, events: counts.events };
}
