import path from 'node:path';
import { drizzle } from 'drizzle-orm/postgres-js';
import { migrate } from 'drizzle-orm/postgres-js/migrator';
import postgres from 'postgres';

const MIGRATIONS_DIR = path.resolve(import.meta.dirname, '../../drizzle');
const MIGRATION_LOCK = 727_001;

// Several instances may start at once: an advisory lock lets one migrate while the others wait. It is a
// session lock, so `databaseUrl` must be a direct (or session-mode) connection: DATABASE_DIRECT_URL.
export async function runMigrations(databaseUrl: string, migrationsFolder = MIGRATIONS_DIR): Promise<void> {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await sql`create extension if not exists pg_trgm`; // trigram indexes for the admin search
    await migrate(drizzle(sql), { migrationsFolder });
    await sql`select pg_advisory_unlock(${MIGRATION_LOCK})`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
