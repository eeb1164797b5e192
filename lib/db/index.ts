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

const handles = new WeakMap<Sql, Db>();

/**
 * A Drizzle handle over a given postgres-js client that raw queries share (the flows' and tests' own `sql`). drizzle() replaces the client's
 * timestamp and json (de)serializers with pass-throughs, which would hand raw queries strings for dates and
 * refuse Date parameters: they are put back. Drizzle's timestamp columns work either way; a jsonb column
 * written through this handle would be encoded twice, so none is until every query is Drizzle.
 */
export function drizzleOver(sql: Sql): Db {
  let handle = handles.get(sql);
  if (!handle) {
    const parsers = { ...sql.options.parsers };
    const serializers = { ...sql.options.serializers };
    handle = drizzle(sql, { schema });
    Object.assign(sql.options.parsers, parsers);
    Object.assign(sql.options.serializers, serializers);
    handles.set(sql, handle);
  }
  return handle;
}

export async function closeDb(): Promise<void> {
  const clients = [sqlClient, dbClient];
  sqlClient = undefined;
  dbClient = undefined;
  db = undefined;
  await Promise.all(clients.map((c) => c?.end({ timeout: 5 })));
}

export { schema };
