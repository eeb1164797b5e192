import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import postgres, { type Sql } from 'postgres';
import { describe, expect, it } from 'vitest';
import { runMigrations } from '../../lib/db/migrate';

const journal = JSON.parse(readFileSync('drizzle/meta/_journal.json', 'utf8')) as { entries: { tag: string }[] };

async function withFreshDatabase(fn: (url: string) => Promise<void>) {
  const server = new URL(process.env.DATABASE_URL!);
  const name = `reconnect_migrate_${Date.now()}_${Math.floor(Math.random() * 1e6)}`;
  const admin = postgres({ host: server.hostname, port: Number(server.port || 5432), user: decodeURIComponent(server.username), password: decodeURIComponent(server.password) || undefined, database: 'postgres', max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(server);
  url.pathname = `/${name}`;
  try {
    await fn(url.toString());
  } finally {
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}

async function query<T>(url: string, fn: (sql: Sql) => Promise<T>): Promise<T> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    return await fn(sql);
  } finally {
    await sql.end();
  }
}

/** The migrations folder as it was when `tag` was the newest migration. */
function migrationsUpTo(tag: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'reconnect-migrations-'));
  cpSync('drizzle', dir, { recursive: true });
  const entries = journal.entries.slice(0, journal.entries.findIndex((e) => e.tag === tag) + 1);
  writeFileSync(path.join(dir, 'meta/_journal.json'), JSON.stringify({ ...journal, entries }));
  return dir;
}

describe('migrations', () => {
  it('are safe when several instances start at once: all succeed, each migration applied once', async () => {
    await withFreshDatabase(async (url) => {
      await Promise.all(Array.from({ length: 4 }, () => runMigrations(url)));
      const [{ applied, tables }] = await query(url, (sql) => sql`
        select (select count(*)::int from drizzle.__drizzle_migrations) as applied,
               (select count(*)::int from information_schema.tables where table_schema = 'public') as tables`);
      expect(applied).toBe(journal.entries.length);
      expect(tables).toBeGreaterThanOrEqual(10);
    });
  });

  it('0001 copies each pending delivery its message connection and time, so ordering holds across the upgrade', async () => {
    const before = migrationsUpTo('0000_init');
    try {
      await withFreshDatabase(async (url) => {
        await runMigrations(url, before);
        const seeded = await query(url, async (sql) => {
          const [user] = await sql`insert into users (email) values ('old@example.test') returning id`;
          const [conn] = await sql`insert into connections (user_id, product) values (${user.id}, 'jira') returning id`;
          const [endpoint] = await sql`insert into webhook_endpoints (url, events, secret_enc) values ('https://hooks.example.test/', '{connection.degraded}', 'x') returning id`;
          await sql`insert into webhook_messages (id, connection_id, type, payload) values
                      ('msg_a', ${conn.id}, 'connection.degraded', '{}'), ('msg_b', null, 'webhook.test', '{}')`;
          await sql`insert into webhook_deliveries (message_id, endpoint_id) values ('msg_a', ${endpoint.id}), ('msg_b', ${endpoint.id})`;
          return { connection: conn.id as string };
        });
        await runMigrations(url);
        const rows = await query(url, (sql) => sql<{ message_id: string; connection_id: string | null; same_time: boolean }[]>`
          select d.message_id, d.connection_id, d.message_created_at = m.created_at as same_time
          from webhook_deliveries d join webhook_messages m on m.id = d.message_id order by d.message_id`);
        expect(rows).toEqual([
          { message_id: 'msg_a', connection_id: seeded.connection, same_time: true },
          { message_id: 'msg_b', connection_id: null, same_time: true },
        ]);
      });
    } finally {
      rmSync(before, { recursive: true, force: true });
    }
  });

  it('0007 backfills consented_at from the last reconnect, else the first connect, and renew_by a year later (none for Bitbucket)', async () => {
    const before = migrationsUpTo('0006_admin_summary_triggers');
    try {
      await withFreshDatabase(async (url) => {
        await runMigrations(url, before);
        const ids = await query(url, async (sql) => {
          const [user] = await sql`insert into users (email) values ('old@example.test') returning id`;
          const conn = async (product: string, created: string) =>
            (await sql`insert into connections (user_id, product, created_at) values (${user.id}, ${product}, ${created}) returning id`)[0].id as string;
          const event = (id: string, type: string, at: string) => sql`insert into connection_events (connection_id, type, created_at) values (${id}, ${type}, ${at})`;
          const reconnected = await conn('jira', '2025-01-01T00:00:00Z');
          await event(reconnected, 'connected', '2025-01-01T00:00:00Z');
          await event(reconnected, 'reconnected', '2025-03-01T00:00:00Z');
          await event(reconnected, 'refreshed', '2025-04-01T00:00:00Z');
          await event(reconnected, 'reconnected', '2025-05-01T00:00:00Z');
          const connected = await conn('confluence', '2025-02-01T00:00:00Z');
          await event(connected, 'connected', '2025-02-02T00:00:00Z');
          await event(connected, 'refreshed', '2025-06-01T00:00:00Z');
          const bitbucket = await conn('bitbucket', '2025-02-01T00:00:00Z');
          await event(bitbucket, 'connected', '2025-02-03T00:00:00Z');
          const noEvents = await conn('jira', '2025-07-01T00:00:00Z');
          return { reconnected, connected, bitbucket, noEvents };
        });
        await runMigrations(url);
        const rows = await query(url, (sql) => sql<{ id: string; consented_at: Date; renew_by: Date | null }[]>`select id, consented_at, renew_by from connections`);
        const of = (id: string) => rows.find((r) => r.id === id)!;
        const iso = (d: Date | null) => d?.toISOString() ?? null;
        expect([iso(of(ids.reconnected).consented_at), iso(of(ids.reconnected).renew_by)]).toEqual(['2025-05-01T00:00:00.000Z', '2026-05-01T00:00:00.000Z']);
        expect([iso(of(ids.connected).consented_at), iso(of(ids.connected).renew_by)]).toEqual(['2025-02-02T00:00:00.000Z', '2026-02-02T00:00:00.000Z']);
        expect([iso(of(ids.bitbucket).consented_at), iso(of(ids.bitbucket).renew_by)]).toEqual(['2025-02-03T00:00:00.000Z', null]);
        expect([iso(of(ids.noEvents).consented_at), iso(of(ids.noEvents).renew_by)]).toEqual(['2025-07-01T00:00:00.000Z', '2026-07-01T00:00:00.000Z']);
      });
    } finally {
      rmSync(before, { recursive: true, force: true });
    }
  });

  it('0009 keeps the oldest of each set of live twins and disconnects the others (tokens gone, history kept), then refuses new twins', async () => {
    const before = migrationsUpTo('0008_covering_indexes');
    try {
      await withFreshDatabase(async (url) => {
        await runMigrations(url, before);
        const ids = await query(url, async (sql) => {
          const [ada] = await sql`insert into users (email) values ('ada@example.test') returning id`;
          const [bea] = await sql`insert into users (email) values ('bea@example.test') returning id`;
          const conn = async (user: string, product: string, account: string | null, created: string, status = 'active') =>
            (await sql`insert into connections (user_id, product, account_id, status, created_at, access_token_enc, refresh_token_enc, next_refresh_at)
                       values (${user}, ${product}, ${account}, ${status}, ${created}, 'a', 'r', now()) returning id`)[0].id as string;
          return {
            oldest: await conn(ada.id, 'jira', 'acc-1', '2025-01-01T00:00:00Z'),
            twin: await conn(ada.id, 'jira', 'acc-1', '2025-01-02T00:00:00Z', 'needs_reauth'),
            thirdTwin: await conn(ada.id, 'jira', 'acc-1', '2025-01-03T00:00:00Z'),
            goneAlready: await conn(ada.id, 'jira', 'acc-1', '2024-12-01T00:00:00Z', 'disconnected'),
            otherProduct: await conn(ada.id, 'confluence', 'acc-1', '2025-01-04T00:00:00Z'),
            otherAccount: await conn(ada.id, 'jira', 'acc-2', '2025-01-05T00:00:00Z'),
            otherPerson: await conn(bea.id, 'jira', 'acc-1', '2025-01-06T00:00:00Z'),
            noAccount: await conn(ada.id, 'jira', null, '2025-01-07T00:00:00Z'),
            noAccountToo: await conn(ada.id, 'jira', null, '2025-01-08T00:00:00Z'),
            ada: ada.id as string,
          };
        });
        await runMigrations(url);
        await query(url, async (sql) => {
          const rows = await sql<{ id: string; status: string; access_token_enc: string | null; refresh_token_enc: string | null; disconnected: boolean }[]>`
            select id, status, access_token_enc, refresh_token_enc, disconnected_at is not null as disconnected from connections`;
          const statusOf = (id: string) => rows.find((r) => r.id === id)!.status;
          expect(statusOf(ids.oldest)).toBe('active');
          for (const id of [ids.twin, ids.thirdTwin]) {
            expect(rows.find((r) => r.id === id)).toMatchObject({ status: 'disconnected', access_token_enc: null, refresh_token_enc: null, disconnected: true });
          }
          for (const id of [ids.otherProduct, ids.otherAccount, ids.otherPerson, ids.noAccount, ids.noAccountToo]) expect(statusOf(id)).toBe('active');
          const events = await sql`select connection_id, type, data->>'by' as by from connection_events order by connection_id`;
          expect(events.map((e) => [e.connection_id, e.type, e.by]).sort()).toEqual([[ids.twin, 'disconnected', 'upgrade'], [ids.thirdTwin, 'disconnected', 'upgrade']].sort());
          // The summary the admin page reads follows (migration 0006's triggers).
          const [{ n }] = await sql`select count::int as n from connection_status_counts where status = 'disconnected' and reason = ''`;
          expect(n).toBe(3);
          const twin = sql`insert into connections (user_id, product, account_id) values (${ids.ada}, 'jira', 'acc-1')`;
          await expect(twin).rejects.toMatchObject({ code: '23505', constraint_name: 'connections_live_account_idx' });
        });
      });
    } finally {
      rmSync(before, { recursive: true, force: true });
    }
  });
});
