import path from 'node:path';
import { startEmbeddedPostgres } from '../lib/db/embedded';

/** DATABASE_URL, or the embedded server of the data folder (reusing the one `npm start` runs). */
export async function resolveDatabaseUrl(): Promise<{ url: string; stop: () => Promise<void> }> {
  if (process.env.DATABASE_URL) return { url: process.env.DATABASE_URL, stop: async () => {} };
  const db = await startEmbeddedPostgres(path.join(process.env.RECONNECT_DATA_DIR || '.data', 'pg'));
  process.env.DATABASE_URL = db.url;
  return db;
}
