// HTTP benchmark (`npm run bench -- http`): the access-token call next to GET /api/health (one `select 1`) on
// one app instance served as `npm start` serves it, with the machine's Postgres. Sides alternate in blocks, so
// that both see the same machine. With BENCH_BASELINE_DIR, a second checkout is measured the same way in the
// same run (before / after a change). One more instance of this checkout runs with DATABASE_URL through a
// PgBouncer of the benchmark's own (pool_mode=transaction, DATABASE_POOLER=transaction): both of its sides go
// through that same pooler.
import os from 'node:os';
import { createApiKey } from '../lib/api-keys';
import { dbFor } from '../lib/db';
import { startSimulator } from '../lib/sandbox/simulator';
import { connectViaSimulator, testSql } from '../tests/helpers/connections';
import { createTestDatabase } from '../tests/helpers/database';
import { startPooler } from '../tests/helpers/pgbouncer';
import { appsUnderTest, ROOT, send, startApp, timed, type RunningApp } from './app-server';
import { fixed, machineSummary, markdownTable, percentiles } from './lib';

const WARMUP = 300;
const BLOCKS = 20;
const PER_BLOCK = 100;
const IN_FLIGHT = 8;
const THROUGHPUT_BLOCKS = 6;
const THROUGHPUT_BLOCK_MS = 3_000;
const GOAL_LATENCY = 1.2;
const GOAL_THROUGHPUT = 0.8;
/** PgBouncer's default_pool_size for the pooled instance: server connections, fewer than the app's 10. */
const POOLER_SERVER_POOL = 5;

type Side = 'token' | 'health';

interface Result {
  label: string;
  p50: Record<Side, number>;
  p95: Record<Side, number>;
  perSecond: Record<Side, number>;
}

function caller(app: RunningApp, connectionId: string, key: string): Record<Side, () => Promise<number>> {
  const headers = { authorization: `Bearer ${key}` };
  return {
    token: () => timed(() => send('POST', `${app.url}/api/v1/connections/${connectionId}/access-token`, headers)),
    health: () => timed(() => send('GET', `${app.url}/api/health`)),
  };
}

async function sequential(call: () => Promise<number>, n: number): Promise<number[]> {
  const samples: number[] = [];
  for (let i = 0; i < n; i++) samples.push(await call());
  return samples;
}

/** Requests completed per second with `IN_FLIGHT` callers for `ms`. */
async function throughput(call: () => Promise<number>, ms: number): Promise<{ done: number; ms: number }> {
  const started = performance.now();
  let done = 0;
  await Promise.all(
    Array.from({ length: IN_FLIGHT }, async () => {
      while (performance.now() - started < ms) {
        await call();
        done++;
      }
    }),
  );
  return { done, ms: performance.now() - started };
}

type Samples = { latency: Record<Side, number[]>; throughput: Record<Side, { done: number; ms: number }> };

/** Every app's two sides, in blocks that alternate between the apps and between the sides. */
async function measure(apps: RunningApp[], connectionId: string, key: string): Promise<Result[]> {
  const calls = apps.map((app) => caller(app, connectionId, key));
  for (const c of calls) {
    await sequential(c.token, WARMUP);
    await sequential(c.health, WARMUP);
  }
  const samples: Samples[] = apps.map(() => ({
    latency: { token: [], health: [] },
    throughput: { token: { done: 0, ms: 0 }, health: { done: 0, ms: 0 } },
  }));
  const orderOf = (b: number) => ({
    apps: b % 2 ? [...apps.keys()].reverse() : [...apps.keys()],
    sides: (Math.floor(b / 2) % 2 ? ['health', 'token'] : ['token', 'health']) as Side[],
  });
  for (let b = 0; b < BLOCKS; b++) {
    const order = orderOf(b);
    for (const i of order.apps) for (const side of order.sides) samples[i]!.latency[side].push(...(await sequential(calls[i]![side], PER_BLOCK)));
  }
  for (let b = 0; b < THROUGHPUT_BLOCKS; b++) {
    const order = orderOf(b);
    for (const i of order.apps) {
      for (const side of order.sides) {
        const t = await throughput(calls[i]![side], THROUGHPUT_BLOCK_MS);
        samples[i]!.throughput[side].done += t.done;
        samples[i]!.throughput[side].ms += t.ms;
      }
    }
  }
  return apps.map((app, i) => {
    const s = samples[i]!;
    const token = percentiles(s.latency.token);
    const health = percentiles(s.latency.health);
    const rate = (side: Side) => (s.throughput[side].done / s.throughput[side].ms) * 1000;
    return {
      label: app.label,
      p50: { token: token.p50, health: health.p50 },
      p95: { token: token.p95, health: health.p95 },
      perSecond: { token: rate('token'), health: rate('health') },
    };
  });
}

function rows(results: Result[]): string[][] {
  return results.map((r) => {
    const latency = r.p50.token / r.p50.health;
    const rate = r.perSecond.token / r.perSecond.health;
    return [
      r.label,
      `${fixed(r.p50.token, 2)} / ${fixed(r.p95.token, 2)}`,
      `${fixed(r.p50.health, 2)} / ${fixed(r.p95.health, 2)}`,
      `**${fixed(latency, 2)}×** ${latency <= GOAL_LATENCY ? '(met)' : '(not met)'}`,
      `${fixed(r.perSecond.token, 0)} / ${fixed(r.perSecond.health, 0)}`,
      `**${fixed(rate, 2)}×** ${rate >= GOAL_THROUGHPUT ? '(met)' : '(not met)'}`,
    ];
  });
}

export async function runHttpBenchmark(): Promise<string> {
  const db = await createTestDatabase('bench_http');
  const sim = await startSimulator({ port: 0 });
  const sql = testSql(4, db.url);
  const pooler = await startPooler(db.url, POOLER_SERVER_POOL);
  const results: Result[] = [];
  try {
    const { id } = await connectViaSimulator(sql, sim.url, 'alice@example.com');
    const { key } = await createApiKey(dbFor(sql), 'http benchmark');
    const machine = await machineSummary(sql);
    const load = os.loadavg().map((l) => l.toFixed(2)).join(' / ');
    const apps: RunningApp[] = [];
    try {
      for (const app of appsUnderTest()) {
        console.log(`http: starting ${app.label} (builds when stale)…`);
        apps.push(await startApp(app, { databaseUrl: db.url, simUrl: sim.url }));
      }
      console.log('http: starting this checkout through PgBouncer…');
      const extra = { DATABASE_POOLER: 'transaction', DATABASE_DIRECT_URL: db.url };
      const pooled = await startApp({ label: 'this checkout, through PgBouncer (transaction mode)', dir: ROOT }, { databaseUrl: pooler.url, simUrl: sim.url, extra });
      apps.push(pooled);
      console.log(`http: measuring ${apps.map((a) => `${a.label} at ${a.url}`).join(' and ')}…`);
      results.push(...(await measure(apps, id, key)));
    } finally {
      for (const app of apps) await app.stop();
    }
    for (const r of results) {
      console.log(`${r.label}: token p50 ${fixed(r.p50.token, 2)} ms, health p50 ${fixed(r.p50.health, 2)} ms, ${fixed(r.perSecond.token, 0)} vs ${fixed(r.perSecond.health, 0)} req/s`);
    }
    return `Measured ${machine}; load average before the run ${load}. Command: \`npm run bench -- http\`${appsUnderTest().length > 1 ? ' with `BENCH_BASELINE_DIR` set to a checkout of the code before the change' : ''}.

One app instance per checkout (running side by side, measured in turn), served as \`npm start\` serves it (\`cli/start.ts\`, production build, worker off), on
the machine's Postgres; plus one more instance of this checkout whose \`DATABASE_URL\` goes through ${pooler.version} in
\`pool_mode=transaction\` (\`default_pool_size=${POOLER_SERVER_POOL}\`, \`DATABASE_POOLER=transaction\`, the app's pool of 10): its
access-token and health calls both go through that same pooler. One connection whose stored token is valid (no refresh is made). Over HTTP/1.1
keep-alive from this process: \`POST /api/v1/connections/{id}/access-token\` (API key, empty body) next to
\`GET /api/health\` (one \`select 1\`). ${WARMUP} warm-up calls each; then ${BLOCKS} blocks of ${PER_BLOCK} sequential calls per side,
the checkouts and the sides alternating block by block, for the latencies; then ${THROUGHPUT_BLOCKS} blocks of ${THROUGHPUT_BLOCK_MS / 1000} s per side with ${IN_FLIGHT} calls in
flight, alternating, for the throughput. Goals: access-token p50 ≤ ${GOAL_LATENCY}× health's; throughput at ${IN_FLIGHT} in flight ≥ ${GOAL_THROUGHPUT}× health's.

${markdownTable(['app', 'access-token p50 / p95 (ms)', 'health p50 / p95 (ms)', 'p50 ratio', `req/s at ${IN_FLIGHT} in flight, token / health`, 'throughput ratio'], rows(results))}`;
  } finally {
    await sql.end({ timeout: 5 });
    await pooler.stop();
    await sim.stop();
    await db.drop();
  }
}
