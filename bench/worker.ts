// Background worker benchmark: proactive-refresh throughput (one worker, refreshTask at concurrency
// 4 and 8, 50 ms token endpoint) and webhook delivery throughput and latency from the committed
// state change to its verified receipt by a loopback consumer.
import { createServer } from 'node:http';
import postgres from 'postgres';
import { refreshTask } from '../lib/jobs/tasks';
import { SANDBOX_USERS } from '../lib/simulator/accounts';
import { deliverDueWebhooks } from '../lib/webhooks/deliver';
import { createEndpoint } from '../lib/webhooks/endpoints';
import { enqueueConnectionWebhook, WEBHOOK_TYPES } from '../lib/webhooks/outbox';
import { APP_URL, connectViaSimulator, engineFor, TEST_KEYS } from '../tests/helpers/connections';
import { fixed, machineSummary, markdownTable, percentiles, startBenchEnv, textTable, type BenchEnv, type Percentiles } from './lib';
import { listenOnLoopback, verifies } from '../tests/helpers/webhooks';
import { dbFor } from '../lib/db';

const REFRESH_CONNECTIONS = 500;
const REFRESH_CONCURRENCIES = [4, 8];
const TOKEN_LATENCY_MS = 50;
const WEBHOOK_CONNECTIONS = 200;
const WEBHOOK_MESSAGES = 1_000;
const PRODUCERS = 8;
const IDLE_POLL_MS = 10;
const CONNECT_BATCH = 20;

// ---------------------------------------------------------------- setup

async function connectMany(env: BenchEnv, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += CONNECT_BATCH) {
    const batch = Array.from({ length: Math.min(CONNECT_BATCH, count - i) }, (_, j) =>
      connectViaSimulator(env.sql, env.sim.url, SANDBOX_USERS[(i + j) % SANDBOX_USERS.length]!.email),
    );
    ids.push(...(await Promise.all(batch)).map((c) => c.id));
  }
  return ids;
}

// ---------------------------------------------------------------- proactive refresh

interface RefreshRow {
  concurrency: number;
  connections: number;
  rounds: number;
  refreshed: number;
  wallMs: number;
  simRefreshes: number;
  rejectedReuses: number;
  atGeneration2: number;
}

async function measureRefresh(env: BenchEnv, ids: string[], concurrency: number): Promise<RefreshRow> {
  const markerSql = postgres(env.databaseUrl, { max: 2, onnotice: () => {} });
  try {
    const engine = engineFor(env.sql, markerSql, env.sim.url);
    const task = refreshTask(engine, { concurrency });
    await env.sql`update connections set next_refresh_at = now() - interval '1 minute', last_used_at = now() where id = any(${ids})`;
    const before = await env.control.counters();
    const t0 = performance.now();
    let refreshed = 0;
    let rounds = 0;
    for (;;) {
      const n = await task.run();
      rounds++;
      if (n === 0) break;
      refreshed += n;
    }
    const wallMs = performance.now() - t0;
    const after = await env.control.counters();
    const [{ n }] = await env.sql<{ n: number }[]>`select count(*)::int as n from connections
      where id = any(${ids}) and token_generation = 2 and status = 'active'`;
    return {
      concurrency,
      connections: ids.length,
      rounds,
      refreshed,
      wallMs,
      simRefreshes: after.refreshes - before.refreshes,
      rejectedReuses: after.rejected_reuses - before.rejected_reuses,
      atGeneration2: n,
    };
  } finally {
    await markerSql.end({ timeout: 5 });
  }
}

function refreshTable(rows: RefreshRow[]): [string[], string[][]] {
  const headers = ['concurrency', 'due connections', 'refreshes/s', 'wall (s)', 'worker rounds', 'refreshed', 'simulator refreshes', 'at generation 2', 'refused reuses'];
  const cells = rows.map((r) => [
    String(r.concurrency),
    String(r.connections),
    fixed(r.refreshed / (r.wallMs / 1000), 1),
    fixed(r.wallMs / 1000, 2),
    String(r.rounds),
    String(r.refreshed),
    String(r.simRefreshes),
    `${r.atGeneration2} / ${r.connections}`,
    String(r.rejectedReuses),
  ]);
  return [headers, cells];
}

// ---------------------------------------------------------------- webhook delivery

interface Receipt {
  at: number;
  verified: boolean;
}

interface Receiver {
  url: string;
  secret: string;
  receipts: Map<string, Receipt[]>;
  close(): Promise<void>;
}

async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = { url: '', secret: '', receipts: new Map(), close: async () => {} };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(req.headers['webhook-id']);
      const list = receiver.receipts.get(id) ?? [];
      list.push({ at, verified: verifies(receiver.secret, body, req.headers) });
      receiver.receipts.set(id, list);
      res.writeHead(204);
      res.end();
    });
  });
  Object.assign(receiver, await listenOnLoopback(server));
  return receiver;
}

type Variant = 'backlog' | 'backlog-analyzed' | 'live-stale' | 'live';

interface DeliveryRow {
  variant: Variant;
  messages: number;
  produceMs: number;
  /** From the first commit (live) or the start of the delivery loop (backlog) to the last receipt. */
  deliverMs: number;
  received: number;
  duplicates: number;
  unverified: number;
  missing: number;
  succeededRows: number;
  latency: Percentiles;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const deliverOpts = { keys: TEST_KEYS, allowPrivate: true };

/** `WEBHOOK_MESSAGES` connection.degraded messages, each in its own transaction; commit time per message id. */
async function produce(env: BenchEnv, ids: string[]): Promise<Map<string, number>> {
  const commits = new Map<string, number>();
  let next = 0;
  const producer = async () => {
    while (next < WEBHOOK_MESSAGES) {
      const id = ids[next++ % ids.length]!;
      const messageId = await dbFor(env.sql).transaction((tx) => enqueueConnectionWebhook(tx, 'connection.degraded', id, APP_URL));
      commits.set(messageId, performance.now());
    }
  };
  await Promise.all(Array.from({ length: PRODUCERS }, producer));
  return commits;
}

async function measureDelivery(env: BenchEnv, receiver: Receiver, ids: string[], variant: Variant): Promise<DeliveryRow> {
  receiver.receipts.clear();
  if (variant === 'live') {
    // An outbox with history (the earlier variants' delivered rows), analyzed: a steady-state one.
    await env.sql`analyze webhook_deliveries, webhook_messages`;
  } else {
    // An empty outbox whose planner statistics say it is empty (a fresh or quiet one).
    await env.sql`delete from webhook_deliveries`;
    await env.sql`delete from webhook_messages`;
    await env.sql`analyze webhook_deliveries, webhook_messages`;
  }
  let stop = false;
  let deliveryStart = 0;
  const loop = async () => {
    // The worker step as fast as it goes: back to back while there is work, a short nap when idle.
    while (!stop) {
      const r = await deliverDueWebhooks(dbFor(env.sql), deliverOpts);
      if (r.attempted === 0) await sleep(IDLE_POLL_MS);
    }
  };
  let commits: Map<string, number>;
  let produceMs: number;
  let running: Promise<void>;
  const t0 = performance.now();
  if (variant === 'live' || variant === 'live-stale') {
    deliveryStart = t0;
    running = loop();
    commits = await produce(env, ids);
    produceMs = performance.now() - t0;
  } else {
    commits = await produce(env, ids);
    produceMs = performance.now() - t0;
    if (variant === 'backlog-analyzed') await env.sql`analyze webhook_deliveries, webhook_messages`;
    deliveryStart = performance.now();
    running = loop();
  }
  const deadline = performance.now() + 60_000;
  while (receiver.receipts.size < commits.size && performance.now() < deadline) await sleep(5);
  // A moment more so that a duplicate, if any, would show.
  await sleep(200);
  stop = true;
  await running;

  const latencies: number[] = [];
  let duplicates = 0;
  let unverified = 0;
  let missing = 0;
  let lastReceipt = 0;
  for (const [id, committedAt] of commits) {
    const got = receiver.receipts.get(id);
    if (!got) {
      missing++;
      continue;
    }
    duplicates += got.length - 1;
    unverified += got.filter((g) => !g.verified).length;
    latencies.push(got[0]!.at - committedAt);
    lastReceipt = Math.max(lastReceipt, ...got.map((g) => g.at));
  }
  const strays = [...receiver.receipts.keys()].filter((id) => !commits.has(id)).length;
  if (strays) throw new Error(`receiver got ${strays} message(s) that were not produced`);
  const [{ n }] = await env.sql<{ n: number }[]>`select count(*)::int as n from webhook_deliveries
    where status = 'succeeded' and message_id = any(${[...commits.keys()]})`;
  return {
    variant,
    messages: commits.size,
    produceMs,
    deliverMs: lastReceipt - deliveryStart,
    received: latencies.length,
    duplicates,
    unverified,
    missing,
    succeededRows: n,
    latency: percentiles(latencies),
  };
}

const VARIANT_NAME: Record<Variant, string> = {
  backlog: 'backlog (all committed, then the loop starts)',
  'backlog-analyzed': 'backlog, ANALYZE before the loop starts',
  'live-stale': 'live, empty outbox with empty-table statistics',
  live: 'live, outbox with history, analyzed (steady state)',
};

function deliveryTable(rows: DeliveryRow[]): [string[], string[][]] {
  const headers = [
    'variant',
    'messages',
    'produce (s)',
    'deliver (s)',
    'deliveries/s',
    'latency p50 / p95 / p99 (ms)',
    'received',
    'duplicates',
    'unverified',
    'missing',
  ];
  const cells = rows.map((r) => [
    VARIANT_NAME[r.variant],
    String(r.messages),
    fixed(r.produceMs / 1000, 2),
    fixed(r.deliverMs / 1000, 2),
    fixed(r.received / (r.deliverMs / 1000), 0),
    `${fixed(r.latency.p50, 0)} / ${fixed(r.latency.p95, 0)} / ${fixed(r.latency.p99, 0)}`,
    `${r.received} / ${r.messages}`,
    String(r.duplicates),
    String(r.unverified),
    String(r.missing),
  ]);
  return [headers, cells];
}

// ---------------------------------------------------------------- checks and report

function check(refresh: RefreshRow[], delivery: DeliveryRow[]): string[] {
  const problems: string[] = [];
  for (const r of refresh) {
    if (r.refreshed !== r.connections) problems.push(`refresh c=${r.concurrency}: ${r.refreshed} refreshed of ${r.connections}`);
    if (r.simRefreshes !== r.connections) problems.push(`refresh c=${r.concurrency}: simulator saw ${r.simRefreshes} refreshes`);
    if (r.atGeneration2 !== r.connections) problems.push(`refresh c=${r.concurrency}: ${r.atGeneration2} at generation 2`);
    if (r.rejectedReuses !== 0) problems.push(`refresh c=${r.concurrency}: ${r.rejectedReuses} refused reuses`);
  }
  for (const d of delivery) {
    if (d.missing || d.duplicates || d.unverified) problems.push(`delivery ${d.variant}: ${d.missing} missing, ${d.duplicates} duplicates, ${d.unverified} unverified`);
    if (d.succeededRows !== d.messages) problems.push(`delivery ${d.variant}: ${d.succeededRows} succeeded rows of ${d.messages}`);
  }
  return problems;
}

function markdownReport(machine: string, refresh: RefreshRow[], delivery: DeliveryRow[], problems: string[]): string {
  const verdict = problems.length
    ? `**Checks failed:**\n\n${problems.map((p) => `- ${p}`).join('\n')}`
    : 'All checks passed: every due connection was refreshed exactly once (token generation 2, one simulator refresh each, no refused reuse); every message was received exactly once and verified.';
  return `Measured ${machine}. Command: \`npm run bench -- worker\`.

${verdict}

### Proactive refresh: ${REFRESH_CONNECTIONS} due connections, +${TOKEN_LATENCY_MS} ms on the token endpoint

- One worker in this process: \`refreshTask(engine, {concurrency})\` (the app's task; each round drains
  at most 1,000 connections with \`refreshNextDue\`), run round after round until a round returns 0.
- ${REFRESH_CONNECTIONS} real connections per concurrency (fresh ones for each row), made due in SQL
  (\`next_refresh_at\` a minute ago, \`last_used_at = now()\`); the simulator is strict (no reuse leeway)
  and adds ${TOKEN_LATENCY_MS} ms to every token-endpoint call. Pool of 10 plus a marker pool of 2.
- *refreshes/s* = refreshed / wall time (first round to the empty round). Expected: about
  concurrency × 1000 / (${TOKEN_LATENCY_MS} ms + database time) when the token endpoint is the bottleneck.

${markdownTable(...refreshTable(refresh))}

### Webhook delivery: ${WEBHOOK_MESSAGES.toLocaleString('en-US')} state changes over ${WEBHOOK_CONNECTIONS} connections to one loopback consumer

- One endpoint subscribed to every connection event (\`allowPrivate\`), a node:http receiver on
  127.0.0.1 that verifies every request with the \`standardwebhooks\` library and answers 204.
- Each change is its own transaction calling \`enqueueConnectionWebhook(tx, 'connection.degraded', …)\`
  (${PRODUCERS} concurrent producers, ${WEBHOOK_MESSAGES / WEBHOOK_CONNECTIONS} messages per connection, so
  per-connection ordering holds back later messages until earlier ones succeed). Commit time is
  taken when the transaction resolves; receipt time when the receiver has read the body. Both
  are \`performance.now()\` in this process.
- Delivery loop: \`deliverDueWebhooks(sql, {keys, allowPrivate: true})\` (batches of 25, up to 100 a
  call) back to back, sleeping ${IDLE_POLL_MS} ms when a call finds nothing due.
- The backlog variants start from an empty outbox whose planner statistics say it is empty
  (\`ANALYZE\` of the empty tables, as a fresh outbox would be). The *live* variant keeps the
  earlier variants' 2,000 delivered rows and is analyzed before it starts, as an outbox in
  service would be (delivered rows are kept). The same live run on an empty outbox with
  empty-table statistics took 20 s in one trial and over 60 s in another (not kept in the table:
  the stale plan makes it too slow and too variable for this run).
- *backlog*: all ${WEBHOOK_MESSAGES.toLocaleString('en-US')} committed first, then the loop starts; its latency includes
  the wait for the production to finish, so its throughput is the figure to read. *backlog,
  ANALYZE*: the same with \`ANALYZE\` of the outbox tables once the backlog is in (what autovacuum
  does eventually, by default within a minute or so). *live*: the loop is already running while
  the changes commit (all ${WEBHOOK_MESSAGES.toLocaleString('en-US')} as fast as the producers go); the steady-state row is the
  realistic latency.
- The claim checks per-connection order with one probe of the partial index on pending
  deliveries (endpoint, connection, message time, id), using the copies of the message's
  connection and time on each delivery (migration 0001). Before that, it joined the messages
  table for every due row. That claim (commit ed5db4e) and this one, benchmarked back to back on
  this machine (2026-11-22, otherwise idle): backlog 298/s → 729/s, backlog + ANALYZE
  1,167/s → 998/s (the same, within noise), live 175/s (p50 3,184 ms) → 672/s (p50 277 ms).
- Autovacuum may analyze during a run, which makes the plain *backlog* row noisy.
- *deliver (s)* runs from the loop's start to the last receipt; *deliveries/s* = received / deliver.
- The app's worker (\`lib/jobs/app-worker.ts\`) runs the delivery task every second, and a round
  calls \`deliverDueWebhooks\` until nothing is due (at most 50 calls of 100): there, add up to 1 s of
  polling delay to these latencies.

${markdownTable(...deliveryTable(delivery))}
`;
}

function printSummary(refresh: RefreshRow[], delivery: DeliveryRow[], problems: string[]): void {
  console.log('\nBackground worker — proactive refresh');
  console.log(textTable(...refreshTable(refresh)));
  console.log('\nBackground worker — webhook delivery');
  console.log(textTable(...deliveryTable(delivery)));
  console.log(problems.length ? `\nCHECKS FAILED:\n${problems.join('\n')}` : '\nAll checks passed.');
}

/** Runs the whole worker benchmark on one fresh database and simulator; returns the markdown section body. */
export async function runWorkerBenchmark(): Promise<string> {
  const env = await startBenchEnv('bench_worker');
  const receiver = await startReceiver();
  try {
    const machine = await machineSummary(env.sql);
    const total = REFRESH_CONNECTIONS * REFRESH_CONCURRENCIES.length;
    console.log(`worker: connecting ${total} connections…`);
    const ids = await connectMany(env, total);
    await env.control.addFault({ kind: 'latency', ms: TOKEN_LATENCY_MS, target: 'token' });
    const refresh: RefreshRow[] = [];
    for (const [i, concurrency] of REFRESH_CONCURRENCIES.entries()) {
      console.log(`worker: refreshing ${REFRESH_CONNECTIONS} due connections at concurrency ${concurrency}…`);
      refresh.push(await measureRefresh(env, ids.slice(i * REFRESH_CONNECTIONS, (i + 1) * REFRESH_CONNECTIONS), concurrency));
    }
    await env.control.reset();

    const endpoint = await createEndpoint(
      { db: dbFor(env.sql), keys: TEST_KEYS, allowPrivate: true },
      { url: receiver.url, events: WEBHOOK_TYPES.filter((t) => t.startsWith('connection.')) },
    );
    receiver.secret = endpoint.secret;
    const webhookIds = ids.slice(0, WEBHOOK_CONNECTIONS);
    const delivery: DeliveryRow[] = [];
    for (const variant of ['backlog', 'backlog-analyzed', 'live'] as const) {
      console.log(`worker: webhook delivery, ${variant}…`);
      delivery.push(await measureDelivery(env, receiver, webhookIds, variant));
    }
    const problems = check(refresh, delivery);
    printSummary(refresh, delivery, problems);
    if (problems.length) process.exitCode = 1;
    return markdownReport(machine, refresh, delivery, problems);
  } finally {
    await receiver.close();
    await env.close();
  }
}
