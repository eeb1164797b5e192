import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js';
import postgres, { type Sql } from 'postgres';
import * as schema from './schema';

export type Db = PostgresJsDatabase<typeof schema>;

let sqlClient: Sql | undefined;
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

export function getDb(): Db {
  db ??= drizzle(getSql(), { schema });
  return db;
}

export async function closeDb(): Promise<void> {
  const client = sqlClient;
  sqlClient = undefined;
  db = undefined;
  await client?.end({ timeout: 5 });
}

export { schema };
