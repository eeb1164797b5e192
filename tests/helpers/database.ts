import { randomBytes } from 'node:crypto';
import postgres from 'postgres';
import { startEmbeddedPostgres } from '../../lib/db/embedded';
import { runMigrations } from '../../lib/db/migrate';

const LOCAL_SERVER = 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

async function reachable(url: string): Promise<boolean> {
  const sql = postgres(url, { max: 1, connect_timeout: 3, onnotice: () => {} });
  try {
    await sql`select 1`;
    return true;
  } catch {
    return false;
  } finally {
    await sql.end({ timeout: 1 });
  }
}

// DATABASE_URL if set, else the local server on 5432, else an embedded one; always a fresh database.
async function serverUrl(): Promise<{ url: string; stop?: () => Promise<void> }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL };
  if (await reachable(LOCAL_SERVER)) return { url: LOCAL_SERVER };
  const embedded = await startEmbeddedPostgres('.data/test-pg');
  return { url: embedded.url, stop: embedded.stop };
}

export async function createTestDatabase(label: string): Promise<TestDatabase> {
  const server = await serverUrl();
  const name = `reconnect_${label}_${Date.now()}_${randomBytes(3).toString('hex')}`;
  const admin = postgres(server.url, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database "${name}"`);
  const url = new URL(server.url);
  url.pathname = `/${name}`;
  await runMigrations(url.toString());
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`drop database if exists "${name}" with (force)`);
      await admin.end({ timeout: 5 });
      await server.stop?.();
    },
  };
}
