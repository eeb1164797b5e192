// Drizzle queries inside a caller's postgres-js transaction. The token engine still opens its
// transactions with postgres-js; until it speaks Drizzle, code it calls builds its queries with Drizzle's
// query builder (a handle that never connects) and runs the SQL it renders on that transaction.
import { drizzle } from 'drizzle-orm/postgres-js';
import type { TransactionSql } from 'postgres';
import * as schema from './schema';

/** A Drizzle handle for building queries only (it has no connection). */
export const queryBuilder = drizzle.mock({ schema });

interface Renderable {
  toSQL(): { sql: string; params: unknown[] };
}

/** Runs a query built with `queryBuilder` in the caller's transaction; rows come back as postgres-js gives them. */
export async function runInTransaction<T = Record<string, unknown>>(tx: TransactionSql, query: Renderable): Promise<T[]> {
  const { sql, params } = query.toSQL();
  return (await tx.unsafe(sql, params as never[])) as unknown as T[];
}
