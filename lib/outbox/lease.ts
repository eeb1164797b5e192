// The claim / lease / retry rules shared by the two outboxes (webhook deliveries, owner mails).
//
// At least once, never twice at the same time: a claim is one short statement that locks due rows with
// SKIP LOCKED and moves their next_attempt_at to the end of a lease, committed before the send. A process
// that dies mid-send leaves the row pending with that lease: it is sent again (same id, same content) once
// the lease is over. Only the holder of the current lease writes a failure; no transaction is open while a
// consumer (HTTP endpoint, SMTP server) is being called.
import { randomUUID } from 'node:crypto';
import { and, eq, inArray, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { PgColumn, PgTable } from 'drizzle-orm/pg-core';
import type { Executor } from '../db';

/** A table with the outbox columns. */
export type LeasedTable = PgTable & {
  id: PgColumn;
  status: PgColumn;
  attempts: PgColumn;
  nextAttemptAt: PgColumn;
  leaseToken: PgColumn;
  updatedAt: PgColumn;
};

export interface Lease<Id> {
  id: Id;
  leaseToken: string;
  attempts: number;
}

/** ± this share of each scheduled delay, so that retries of many rows spread out. */
const JITTER = 0.2;

/**
 * Leases the rows whose ids `due` selects (a subquery ending in FOR UPDATE SKIP LOCKED and a LIMIT) until
 * `until`, in one statement, and returns them with their new lease token.
 */
export async function leaseDue<Id>(db: Executor, table: LeasedTable, due: SQLWrapper, until: Date, at: Date): Promise<Lease<Id>[]> {
  const rows = await db
    .update(table)
    .set({ nextAttemptAt: until, leaseToken: randomUUID(), updatedAt: at } as never)
    .where(inArray(table.id, due))
    .returning({ id: table.id, leaseToken: table.leaseToken, attempts: table.attempts });
  return rows as Lease<Id>[];
}

/** The row is still pending under this lease: the condition of every write of a failure. */
export function leaseHeld(table: LeasedTable, lease: Lease<unknown>): SQL {
  return and(eq(table.id, lease.id), eq(table.leaseToken, lease.leaseToken), eq(table.status, 'pending'))!;
}

export interface RetryOptions {
  /** Delays in seconds after the 1st, 2nd, … failed attempt; after the last one the row fails. */
  schedule: readonly number[];
  /** In [0, 1), for the jitter (default Math.random). */
  random?: () => number;
  /** The consumer's own wait (Retry-After), in seconds: a floor under the scheduled delay. */
  atLeastSeconds?: number;
}

/** When to try again after `failedAttempts` failures, or undefined once the schedule is spent. */
export function nextAttemptAt(failedAttempts: number, at: Date, opts: RetryOptions): Date | undefined {
  if (failedAttempts > opts.schedule.length) return undefined;
  const jittered = opts.schedule[failedAttempts - 1] * (1 - JITTER + 2 * JITTER * (opts.random ?? Math.random)());
  return new Date(at.getTime() + Math.max(jittered, opts.atLeastSeconds ?? 0) * 1000);
}

/**
 * Claims and handles batches until nothing is due or `limit` rows were handled; returns how many were. A
 * handled row can make another one due (the next message of the same connection), hence the loop.
 */
export async function drainDue<T>(limit: number, batchSize: number, claim: (batch: number) => Promise<T[]>, handle: (claimed: T[]) => Promise<void>): Promise<number> {
  let handled = 0;
  while (handled < limit) {
    const claimed = await claim(Math.min(batchSize, limit - handled));
    if (claimed.length === 0) break;
    handled += claimed.length;
    await handle(claimed);
  }
  return handled;
}
