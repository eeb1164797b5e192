import { startEmbeddedPostgres } from '../lib/db/embedded';

/** DATABASE_URL, or the embedded server in .data/pg (reusing the one `npm start` runs). */
export async function resolveDatabaseUrl(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => {} };
  const db = await startEmbeddedPostgres('.data/pg');
  process.env.DATABASE_URL = db.url;
  return db;
}
