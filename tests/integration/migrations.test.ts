import postgres from 'postgres';
import { describe, expect, it } from 'vitest';
import { runMigrations } from '../../lib/db/migrate';

describe('migrations', () => {
  it('are safe when several instances start at once: all succeed, each migration applied once', async () => {
    const server = new URL(process.env.DATABASE_URL!);
    const name = `reconnect_migrate_${Date.now()}`;
    const admin = postgres({ host: server.hostname, port: Number(server.port || 5432), user: decodeURIComponent(server.username), password: decodeURIComponent(server.password) || undefined, database: 'postgres', max: 1, onnotice: () => {} });
    await admin.unsafe(`create database "${name}"`);
    const url = new URL(server);
    url.pathname = `/${name}`;
    try {
      await Promise.all(Array.from({ length: 4 }, () => runMigrations(url.toString())));
      const sql = postgres(url.toString(), { max: 1, onnotice: () => {} });
      const [{ applied }] = await sql`select count(*)::int as applied from drizzle.__drizzle_migrations`;
      const [{ tables }] = await sql`select count(*)::int as tables from information_schema.tables where table_schema = 'public'`;
      await sql.end();
      expect(applied).toBe(1);
      expect(tables).toBeGreaterThanOrEqual(10);
    } finally {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end();
    }
  });
});
