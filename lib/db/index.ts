// The one way into Postgres: Drizzle over postgres-js. postgres-js itself is imported only under lib/db/
// (tests/unit/db-boundary.test.ts holds that line).
import { DrizzleQueryError, sql } from 'drizzle-orm';
import type { PgDatabase } from 'drizzle-orm/pg-core';
import { drizzle, type PostgresJsDatabase, type PostgresJsQueryResultHKT } from 'drizzle-orm/postgres-js';
import postgres, { type Options, type Sql } from 'postgres';
import * as schema from './schema';

export type Db = PostgresJsDatabase<typeof schema> & { $client: Sql };
/** A handle or a transaction: what every query function takes. */
export type Executor = PgDatabase<PostgresJsQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

let db: Db | undefined;
let markerDb: Db | undefined;

function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set (npm start sets it for the embedded database)');
  return url;
}

/** A Drizzle handle on a pool of its own. */
export function createDb(url: string, options: Options<Record<string, never>> = {}): Db {
  return drizzle(postgres(url, { onnotice: () => {}, ...options }), { schema });
}

/** The app's handle, created on first use so that imports never connect. */
export function getDb(): Db {
  db ??= createDb(databaseUrl(), { max: Number(process.env.DATABASE_POOL_SIZE ?? 10) });
  return db;
}

/**
 * A small pool of its own for the token engine's refresh-attempt markers: they are written outside the
 * refresh transaction (autocommit), so they must never wait behind a saturated main pool.
 */
export function getMarkerDb(): Db {
  markerDb ??= createDb(databaseUrl(), { max: 2 });
  return markerDb;
}

const copies = new WeakMap<Sql, Db>();

/**
 * A Drizzle handle over a copy of `client`'s settings (same URL, pool size, application_name), for code
 * that holds a postgres-js client of its own (tests, benchmarks). A copy, because Drizzle switches a
 * client's timestamp parsing to its own: the caller's client keeps answering its raw queries as before.
 * Ending the client ends the copy too.
 */
export function dbFor(client: Sql): Db {
  let copy = copies.get(client);
  if (copy) return copy;
  const options = client.options as unknown as Record<string, unknown>;
  const own = {
    ...options,
    parsers: { ...(options.parsers as object) },
    serializers: { ...(options.serializers as object) },
    shared: { retries: 0, typeArrayMap: {} },
  };
  copy = drizzle(postgres(own as never), { schema }) as Db;
  copies.set(client, copy);
  const end = client.end.bind(client);
  const copyClient = copy.$client;
  client.end = (async (o?: { timeout?: number }) => {
    await Promise.all([end(o), copyClient.end(o)]);
  }) as Sql['end'];
  return copy;
}

/** A round trip: `select 1`. */
export async function ping(handle: Executor = getDb()): Promise<void> {
  await handle.execute(sql`select 1`);
}

/** Closes a handle made by createDb (its pool). */
export async function endDb(handle: Db): Promise<void> {
  await handle.$client.end({ timeout: 5 });
}

export async function closeDb(): Promise<void> {
  const handles = [db, markerDb];
  db = undefined;
  markerDb = undefined;
  await Promise.all(handles.map((h) => h?.$client.end({ timeout: 5 })));
}

export { schema };

/** The driver's error behind a failed query (Drizzle wraps it, with the query and its parameters). */
export function dbCause(err: unknown): unknown {
  return err instanceof DrizzleQueryError && err.cause ? err.cause : err;
}

/** The SQLSTATE or driver code of a failed query (e.g. '55P03', 'CONNECTION_CLOSED'). */
export function dbErrorCode(err: unknown): string | undefined {
  const code = (dbCause(err) as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** A failure's message for a log line: the driver's own, never the query's parameters. */
export function errorMessage(err: unknown): string {
  const cause = dbCause(err);
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * `set local <name> = <value>` for the rest of the transaction (the builder has no word for it):
 * through set_config, so that the value is a bound parameter.
 */
export async function setLocal(tx: Tx, name: 'lock_timeout' | 'synchronous_commit' | 'work_mem', value: string): Promise<void> {
  await tx.execute(sql`select set_config(${name}, ${value}, true)`);
}
