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
});
