import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres, { type Sql } from 'postgres';
import * as schema from './schema';

export type Db = PostgresJsDatabase<typeof schema>;

let sqlClient: Sql | undefined;
let dbClient: Sql | undefined;
let db: Db | undefined;

function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set (npm start sets it for the embedded database)');
  return url;
}

/** The raw postgres-js client, created on first use so that imports never connect. */
export function getSql(): Sql {
  sqlClient ??= postgres(databaseUrl(), {
    max: Number(process.env.DATABASE_POOL_SIZE ?? 10),
    onnotice: () => {},
  });
  return sqlClient;
}

/**
 * The Drizzle handle, on its own pool: drizzle() turns off postgres-js's date parsing on the client it
 * wraps (for connections opened afterwards), which would hand strings to the raw queries of getSql().
 */
export function getDb(): Db {
  dbClient ??= postgres(databaseUrl(), { max: Number(process.env.DATABASE_POOL_SIZE ?? 10), onnotice: () => {} });
  db ??= drizzle(dbClient, { schema });
  return db;
}

export async function closeDb(): Promise<void> {
  const clients = [sqlClient, dbClient];
  sqlClient = undefined;
  dbClient = undefined;
  db = undefined;
  await Promise.all(clients.map((c) => c?.end({ timeout: 5 })));
}

export { schema };
