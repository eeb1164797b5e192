// The one way into Postgres: Drizzle over postgres-js. postgres-js itself is imported only under lib/db/
// (tests/unit/db-boundary.test.ts holds that line).
import { DrizzleQueryError, sql } from 'drizzle-orm';
import type { PgDatabase } from 'drizzle-orm/pg-core';
import { drizzle, type PostgresJsDatabase, type PostgresJsQueryResultHKT } from 'drizzle-orm/postgres-js';
import postgres, { type Options, type Sql } from 'postgres';
import { loadDatabaseConfig, type DatabaseConfig } from '../config';
import * as schema from './schema';

export type Db = PostgresJsDatabase<typeof schema> & { $client: Sql };
/** A handle or a transaction: what every query function takes. */
export type Executor = PgDatabase<PostgresJsQueryResultHKT, typeof schema>;
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

let db: Db | undefined;
let markerDb: Db | undefined;

/** The database rows of the configuration, read when a handle is first made (npm start may set DATABASE_URL late). */
function settings(): DatabaseConfig & { url: string; directUrl: string } {
  const found = loadDatabaseConfig();
  if (!found.url) throw new Error('DATABASE_URL is not set (npm start sets it for the embedded database)');
  return { ...found, url: found.url, directUrl: found.directUrl ?? found.url };
}

/**
 * postgres-js options for a connection through `pooler`. A transaction-mode pooler hands each transaction
 * (or lone statement) to any server connection, so a statement prepared by name on one is missing, or
 * another query, on the next: there, every statement is unnamed. Nor does it pipeline: the pooler hands the
 * server connection back at the first reply, and queries written behind it are never answered
 * (scripts/patch-postgres.mjs lets sql.begin work so).
 */
export function driverOptions(pooler?: DatabaseConfig['pooler']): Options<Record<string, never>> {
  return { onnotice: () => {}, backoff: reconnectDelay, ...(pooler === 'transaction' ? { prepare: false, max_pipeline: 0 } : {}) };
}

/**
 * Seconds before a connection tries again after `retries` failed attempts (counted over the pool). The driver's
 * default grows to 10-20 s, and a query waits out its connection's delay: during a database restart every
 * request then hung that long instead of answering 503, and kept hanging for seconds after the database was
 * back. At most a second, so that an outage answers 503 and the return is noticed within about a second.
 */
export function reconnectDelay(retries: number): number {
  return Math.min(0.05 * 2 ** retries, 1) * (0.5 + Math.random() / 2);
}

/** A Drizzle handle on a pool of its own. */
export function createDb(url: string, options: Options<Record<string, never>> = {}): Db {
  return drizzle(postgres(url, { ...driverOptions(), ...options }), { schema });
}

/** The app's handle on DATABASE_URL (maybe a pooler), created on first use so that imports never connect. */
export function getDb(): Db {
  if (db) return db;
  const { url, pooler, poolSize } = settings();
  db = createDb(url, { ...driverOptions(pooler), max: poolSize });
  return db;
}

/**
 * A small pool of its own for the token engine's refresh-attempt markers, on DATABASE_DIRECT_URL: they are
 * written outside the refresh transaction (autocommit) while it holds a connection and a row lock, so they
 * must never wait behind a saturated main pool, nor behind a pooler's server pool filled by that lock's waiters.
 */
export function getMarkerDb(): Db {
  markerDb ??= createDb(settings().directUrl, { max: 2 });
  return markerDb;
}

/** DATABASE_DIRECT_URL (default DATABASE_URL): migrations and anything else that needs a session. */
export function directDatabaseUrl(): string {
  return settings().directUrl;
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
