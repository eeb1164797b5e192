// The fault tests' bench: a simulator, a database of their own, pools and an engine, plus the worker step and
// the check that a fault left a connection unharmed.
import type { Sql } from 'postgres';
import { SimulatorControl, type Counters } from '../../lib/providers/atlassian/simulator/client';
import { startSimulator, type Simulator } from '../../lib/sandbox/simulator';
import type { TokenEngine } from '../../lib/tokens/engine';
import type { Product } from '../../lib/providers/registry';
import { engineFor, simApps, storedTokens, testSql } from './connections';
import { simProduct } from './sim-products';
import { createTestDatabase } from './database';

export interface FaultBench {
  sim: Simulator;
  control: SimulatorControl;
  sql: Sql;
  markerSql: Sql;
  /** Its own connection, so that a saturated pool cannot hide what it watches. */
  observer: Sql;
  engine: TokenEngine;
  /** The database's URL. */
  url: string;
  /** The worker's step on this bench's clock `at`: what it did to `id` (see workerRefresh). */
  worker(id: string, at: Date): Promise<string | undefined>;
  /** What the fault left behind for `id`, a connection of `product` (see faultOutcome). */
  outcome(id: string, since: Counters, product?: Product): Promise<FaultOutcome>;
  close(): Promise<void>;
}

/**
 * A database of its own (the worker step takes every due connection, so other test files' rows must not be
 * there), a simulator with `leewaySeconds`, and an engine whose token requests time out after `tokenTimeoutMs`.
 */
export async function openFaultBench(label: string, opts: { leewaySeconds: number; tokenTimeoutMs?: number }): Promise<FaultBench> {
  const { leewaySeconds, tokenTimeoutMs } = opts;
  const sim = await startSimulator({ leewaySeconds });
  const control = new SimulatorControl(sim.url);
  const db = await createTestDatabase(label);
  const [sql, markerSql, observer] = [testSql(10, db.url), testSql(2, db.url), testSql(1, db.url)];
  const bench: FaultBench = {
    sim,
    control,
    sql,
    markerSql,
    observer,
    engine: engineFor(sql, markerSql, sim.url, { apps: simApps(sim.url, tokenTimeoutMs) }),
    url: db.url,
    worker: (id, at) => workerRefresh(sql, markerSql, sim.url, id, at),
    outcome: (id, since, product = 'jira') => faultOutcome({ sql, engine: bench.engine, simUrl: sim.url, product }, id, since),
    async close() {
      await sim.stop();
      await Promise.all([sql.end(), markerSql.end(), observer.end()]);
      await db.drop();
    },
  };
  return bench;
}

export const secondsFromNow = (s: number) => new Date(Date.now() + s * 1000);

/**
 * The background worker's step (refreshNextDue) with its clock at `at`: what it did to `id`, or undefined
 * if `id` was not due. Takes every row due by then, so use it on a database of the test file's own.
 */
export async function workerRefresh(sql: Sql, markerSql: Sql, simUrl: string, id: string, at: Date): Promise<string | undefined> {
  const worker = engineFor(sql, markerSql, simUrl, { now: () => at });
  for (let i = 0; i < 100; i++) {
    const done = await worker.refreshNextDue();
    if (!done || done.id === id) return done?.outcome;
  }
  throw new Error('refreshNextDue did not run dry');
}

export interface FaultOutcome {
  /** (d) as found, before the forced refresh below: active again means it recovered by itself. */
  status: string;
  reason: string | null;
  consecutiveFailures: number;
  /** (b) the stored refresh token is the newest of its family: a forced refresh is a real rotation. */
  forcedRefresh: { refreshed: boolean; generationStep: number; rotations: number; leewayReuses: number; apiStatus: number };
  /** (b) since the fault began, Atlassian refused no reuse and answered no dead token. */
  refusedReuses: number;
  deadTokenAnswers: number;
  /** (a) never needs_reauth: that status is always written with this event, in one transaction. */
  needsReauthEvents: number;
  /** (c) the connection's webhook messages, oldest first. */
  webhooks: string[];
}

/**
 * What a fault left behind for connection `id` of `product`; `since`: that provider's simulator counters before
 * the fault. Call it once recovery is expected, before anything else refreshes the connection (it forces a refresh).
 */
export async function faultOutcome(
  ctx: { sql: Sql; engine: TokenEngine; simUrl: string; product?: Product },
  id: string,
  since: Counters,
): Promise<FaultOutcome> {
  const { sql } = ctx;
  const provider = simProduct(ctx.simUrl, ctx.product ?? 'jira');
  const control = { counters: () => provider.counters() };
  const [row] = await sql`select status, reason, consecutive_failures from connections where id = ${id}`;
  const before = await storedTokens(sql, id);
  const counted = await control.counters();
  const forced = await ctx.engine.getAccessToken(id, { rejectedToken: before.access });
  const me = await fetch(`${ctx.simUrl}${provider.identityPath}`, { headers: { authorization: `Bearer ${forced.accessToken}` } });
  const now = await control.counters();
  const [{ n }] = await sql`select count(*)::int as n from connection_events where connection_id = ${id} and type = 'needs_reauth'`;
  const messages = await sql`select type from webhook_messages where connection_id = ${id} order by created_at`;
  return {
    status: row.status,
    reason: row.reason,
    consecutiveFailures: row.consecutive_failures,
    forcedRefresh: {
      refreshed: forced.refreshed,
      generationStep: (await storedTokens(sql, id)).generation - before.generation,
      rotations: now.refreshes - counted.refreshes,
      leewayReuses: now.reuses_within_leeway - counted.reuses_within_leeway,
      apiStatus: me.status,
    },
    refusedReuses: now.rejected_reuses - since.rejected_reuses,
    deadTokenAnswers: now.dead_token_responses - since.dead_token_responses,
    needsReauthEvents: n,
    webhooks: messages.map((m) => m.type),
  };
}

/** The outcome of a fault that must not hurt: all four promises kept, and exactly `webhooks` after connection.created. */
export function unharmed(webhooks: string[]): FaultOutcome {
  return {
    status: 'active',
    reason: null,
    consecutiveFailures: 0,
    forcedRefresh: { refreshed: true, generationStep: 1, rotations: 1, leewayReuses: 0, apiStatus: 200 },
    refusedReuses: 0,
    deadTokenAnswers: 0,
    needsReauthEvents: 0,
    webhooks: ['connection.created', ...webhooks],
  };
}
