// Token engine benchmark: the hot path against a bare primary-key select, and a refresh storm
// from several OS processes through the engine and through a naive refresh (bench/naive-refresh.ts).
// Run as `node --import tsx bench/token.ts storm-child`, this file is one storm child process.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath, pathToFileURL } from 'node:url';
import postgres from 'postgres';
import { getApi } from '../lib/providers/atlassian/simulator/client';
import type { Counters } from '../lib/simulator/state';
import { engineFor, expireAccessTokens, oauthConfig, storedTokens, TEST_KEYS, testSql } from '../tests/helpers/connections';
import {
  createConnections,
  fixed,
  machineSummary,
  markdownTable,
  percentiles,
  startBenchEnv,
  textTable,
  type BenchEnv,
  type Percentiles,
} from './lib';
import { createNaiveTokenSource } from './naive-refresh';

const HOT_CALLS = 5_000;
const HOT_BLOCKS = 10;
const HOT_WARMUP_CALLS = 1_000;
const HOT_CONCURRENCIES = [1, 16];
const STORM_PROCESSES = 4;
const STORM_CALLS_PER_PROCESS = 50;
const STORM_CONNECTIONS = 20;
const STORM_ROUNDS = 5;
const TOKEN_LATENCIES_MS = [0, 50];

type Call = () => Promise<unknown>;
type Impl = 'engine' | 'naive';

// ---------------------------------------------------------------- hot path

interface Block {
  latencies: number[];
  wallMs: number;
}

interface Side {
  latency: Percentiles;
  callsPerSecond: number;
}

interface HotPathRow {
  concurrency: number;
  engine: Side;
  bare: Side;
}

/** `calls` calls of `call`, `concurrency` at a time; each call's latency in ms. */
async function runBlock(call: Call, calls: number, concurrency: number): Promise<Block> {
  const latencies: number[] = [];
  let started = 0;
  const worker = async () => {
    while (started++ < calls) {
      const t0 = performance.now();
      await call();
      latencies.push(performance.now() - t0);
    }
  };
  const t0 = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { latencies, wallMs: performance.now() - t0 };
}

function side(blocks: Block[]): Side {
  const latencies = blocks.flatMap((b) => b.latencies);
  const wallMs = blocks.reduce((sum, b) => sum + b.wallMs, 0);
  return { latency: percentiles(latencies), callsPerSecond: latencies.length / (wallMs / 1000) };
}

/** Alternating blocks (engine first on even blocks, bare first on odd ones) so drift hits both. */
async function compareHotPath(engineCall: Call, bareCall: Call, concurrency: number): Promise<HotPathRow> {
  await runBlock(engineCall, HOT_WARMUP_CALLS, concurrency);
  await runBlock(bareCall, HOT_WARMUP_CALLS, concurrency);
  const engine: Block[] = [];
  const bare: Block[] = [];
  const perBlock = HOT_CALLS / HOT_BLOCKS;
  for (let b = 0; b < HOT_BLOCKS; b++) {
    const pair: [Block[], Call][] = [
      [engine, engineCall],
      [bare, bareCall],
    ];
    if (b % 2 === 1) pair.reverse();
    for (const [blocks, call] of pair) blocks.push(await runBlock(call, perBlock, concurrency));
  }
  return { concurrency, engine: side(engine), bare: side(bare) };
}

async function measureHotPath(env: BenchEnv): Promise<HotPathRow[]> {
  const markerSql = postgres(env.databaseUrl, { max: 2, onnotice: () => {} });
  try {
    const engine = engineFor(env.sql, markerSql, env.sim.url);
    const [id] = await createConnections(env, 1);
    const engineCall = () => engine.getAccessToken(id!);
    const bareCall = () => env.sql`select * from connections where id = ${id!}`;
    const rows: HotPathRow[] = [];
    for (const concurrency of HOT_CONCURRENCIES) rows.push(await compareHotPath(engineCall, bareCall, concurrency));
    return rows;
  } finally {
    await markerSql.end({ timeout: 5 });
  }
}

const ms = (p: Percentiles) => `${fixed(p.p50)} / ${fixed(p.p95)} / ${fixed(p.p99)}`;
const ratio = (a: number, b: number) => `${fixed(a / b, 2)}×`;

function hotPathTable(rows: HotPathRow[]): [string[], string[][]] {
  const headers = [
    'concurrency',
    'calls each',
    'getAccessToken p50 / p95 / p99 (ms)',
    'bare select p50 / p95 / p99 (ms)',
    'ratio p50',
    'ratio p99',
    'calls/s engine / bare',
  ];
  const cells = rows.map((r) => [
    String(r.concurrency),
    HOT_CALLS.toLocaleString('en-US'),
    ms(r.engine.latency),
    ms(r.bare.latency),
    ratio(r.engine.latency.p50, r.bare.latency.p50),
    ratio(r.engine.latency.p99, r.bare.latency.p99),
    `${Math.round(r.engine.callsPerSecond)} / ${Math.round(r.bare.callsPerSecond)}`,
  ]);
  return [headers, cells];
}

// ---------------------------------------------------------------- storm: child processes

interface StormCommand {
  impl: Impl;
  ids: string[];
  calls: number;
  offset: number;
}

interface StormReply {
  ok: number;
  failed: number;
  errors: Record<string, number>;
}

function errorCode(err: unknown): string {
  const e = err as { code?: unknown; reason?: unknown; message?: unknown };
  const code = typeof e.code === 'string' ? e.code : String(e.message ?? err);
  return typeof e.reason === 'string' ? `${code}:${e.reason}` : code;
}

/** Child side: open the pools, say "ready", then run one storm per line read from stdin. */
async function runStormChild(): Promise<void> {
  const simUrl = process.env.BENCH_SIM_URL!;
  const sql = testSql(10);
  const markerSql = postgres(process.env.DATABASE_URL!, { max: 2, onnotice: () => {} });
  const engine = engineFor(sql, markerSql, simUrl);
  const naive = createNaiveTokenSource({ sql, oauth: oauthConfig(simUrl), keys: TEST_KEYS });
  const sources: Record<Impl, (id: string) => Promise<unknown>> = {
    engine: (id) => engine.getAccessToken(id),
    naive: (id) => naive.getAccessToken(id),
  };
  await Promise.all([...Array.from({ length: 10 }, () => sql`select 1`), markerSql`select 1`]);
  process.stdout.write('{"ready":true}\n');
  for await (const line of createInterface({ input: process.stdin })) {
    const cmd = JSON.parse(line) as StormCommand;
    process.stdout.write(`${JSON.stringify(await storm(sources[cmd.impl], cmd))}\n`);
  }
  await Promise.all([sql.end({ timeout: 5 }), markerSql.end({ timeout: 5 })]);
}

async function storm(get: (id: string) => Promise<unknown>, cmd: StormCommand): Promise<StormReply> {
  const reply: StormReply = { ok: 0, failed: 0, errors: {} };
  const calls = Array.from({ length: cmd.calls }, (_, i) => cmd.ids[(i + cmd.offset) % cmd.ids.length]!);
  await Promise.all(
    calls.map((id) =>
      get(id).then(
        () => void reply.ok++,
        (err: unknown) => {
          reply.failed++;
          const code = errorCode(err);
          reply.errors[code] = (reply.errors[code] ?? 0) + 1;
        },
      ),
    ),
  );
  return reply;
}

interface Pending {
  resolve: (line: string) => void;
  reject: (err: Error) => void;
}

/** Parent side of one child process: line-delimited JSON over stdin/stdout. */
class StormChild {
  private readonly pending: Pending[] = [];
  readonly ready: Promise<string>;

  private constructor(private readonly child: ChildProcess) {
    this.ready = this.nextLine();
    createInterface({ input: child.stdout! }).on('line', (line) => this.pending.shift()?.resolve(line));
    child.once('exit', (code) => {
      for (const p of this.pending.splice(0)) p.reject(new Error(`storm child exited (${code})`));
    });
  }

  private nextLine(): Promise<string> {
    return new Promise((resolve, reject) => this.pending.push({ resolve, reject }));
  }

  static spawn(env: BenchEnv): StormChild {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(import.meta.url), 'storm-child'], {
      cwd: process.cwd(),
      env: { ...process.env, DATABASE_URL: env.databaseUrl, BENCH_SIM_URL: env.sim.url },
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    return new StormChild(child);
  }

  /** Writes the command now; the promise settles with the child's reply. */
  send(cmd: StormCommand): Promise<StormReply> {
    const reply = this.nextLine();
    this.child.stdin!.write(`${JSON.stringify(cmd)}\n`);
    return reply.then((line) => JSON.parse(line) as StormReply);
  }

  /** Closing stdin lets the child end its pools and exit; a child that hangs is killed. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------- storm: rounds

interface StormRound {
  impl: Impl;
  latencyMs: number;
  round: number;
  wallMs: number;
  tokenCalls: number;
  refreshes: number;
  refusedReuses: number;
  deadTokenAnswers: number;
  calls: number;
  failed: number;
  errors: Record<string, number>;
  deadConnections: number;
}

function addErrors(total: Record<string, number>, more: Record<string, number>): void {
  for (const [code, n] of Object.entries(more)) total[code] = (total[code] ?? 0) + n;
}

/** All children get "go" at once; wall time runs until the last one has answered. */
async function goAll(children: StormChild[], impl: Impl, ids: string[]) {
  const started = performance.now();
  const replies = await Promise.all(
    children.map((c, k) => c.send({ impl, ids, calls: STORM_CALLS_PER_PROCESS, offset: k * 5 })),
  );
  return { wallMs: performance.now() - started, replies };
}

/** A connection whose stored access token the API now refuses: its token family was revoked. */
async function countDeadConnections(env: BenchEnv, ids: string[]): Promise<number> {
  const statuses = await Promise.all(
    ids.map(async (id) => (await getApi(env.sim.url, '/me', (await storedTokens(env.sql, id)).access)).status),
  );
  return statuses.filter((s) => s === 401).length;
}

async function stormRound(env: BenchEnv, children: StormChild[], impl: Impl, ids: string[]) {
  await expireAccessTokens(env.sql, ids);
  const before = await env.control.counters();
  const { wallMs, replies } = await goAll(children, impl, ids);
  const after = await env.control.counters();
  const delta = (key: keyof Counters) => after[key] - before[key];
  const errors: Record<string, number> = {};
  for (const r of replies) addErrors(errors, r.errors);
  return {
    wallMs,
    tokenCalls: delta('token_calls'),
    refreshes: delta('refreshes'),
    refusedReuses: delta('rejected_reuses'),
    deadTokenAnswers: delta('dead_token_responses'),
    calls: replies.reduce((n, r) => n + r.ok + r.failed, 0),
    failed: replies.reduce((n, r) => n + r.failed, 0),
    errors,
    deadConnections: await countDeadConnections(env, ids),
  };
}

/** A clean simulator, fresh connections, then the rounds of expiry. */
async function runStorm(env: BenchEnv, children: StormChild[], impl: Impl, latencyMs: number): Promise<StormRound[]> {
  await env.control.reset();
  const ids = await createConnections(env, STORM_CONNECTIONS);
  if (latencyMs > 0) await env.control.addFault({ kind: 'latency', ms: latencyMs, target: 'token' });
  const rounds: StormRound[] = [];
  for (let round = 1; round <= STORM_ROUNDS; round++) {
    rounds.push({ impl, latencyMs, round, ...(await stormRound(env, children, impl, ids)) });
  }
  return rounds;
}

/** One unmeasured round of each implementation, so that children have warm code, pools and sockets. */
async function warmUpStorm(env: BenchEnv, children: StormChild[]): Promise<void> {
  await env.control.reset();
  const ids = await createConnections(env, STORM_CONNECTIONS);
  await stormRound(env, children, 'engine', ids);
  await stormRound(env, children, 'naive', ids);
}

async function measureStorms(env: BenchEnv): Promise<StormRound[]> {
  const children = Array.from({ length: STORM_PROCESSES }, () => StormChild.spawn(env));
  try {
    await Promise.all(children.map((c) => c.ready));
    await warmUpStorm(env, children);
    const rounds: StormRound[] = [];
    for (const latencyMs of TOKEN_LATENCIES_MS) {
      for (const impl of ['engine', 'naive'] as const) rounds.push(...(await runStorm(env, children, impl, latencyMs)));
    }
    return rounds;
  } finally {
    await Promise.all(children.map((c) => c.stop()));
  }
}

const IMPL_NAME: Record<Impl, string> = { engine: 'token engine', naive: 'naive refresh' };

function errorSummary(errors: Record<string, number>): string {
  const parts = Object.entries(errors).map(([code, n]) => `${code} ×${n}`);
  return parts.length ? parts.join(', ') : '–';
}

function stormTable(rounds: StormRound[]): [string[], string[][]] {
  const headers = [
    'implementation',
    'token endpoint latency',
    'round',
    'wall (ms)',
    'token calls',
    'refreshes',
    'refused reuses',
    'invalid_grant answers',
    'failed calls',
    'dead connections',
    'errors',
  ];
  const cells = rounds.map((r) => [
    IMPL_NAME[r.impl],
    `+${r.latencyMs} ms`,
    String(r.round),
    fixed(r.wallMs, 0),
    String(r.tokenCalls),
    String(r.refreshes),
    String(r.refusedReuses),
    String(r.deadTokenAnswers),
    `${r.failed} / ${r.calls}`,
    `${r.deadConnections} / ${STORM_CONNECTIONS}`,
    errorSummary(r.errors),
  ]);
  return [headers, cells];
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** One line per implementation × latency: totals over its rounds. */
function stormTotalsTable(rounds: StormRound[]): [string[], string[][]] {
  const headers = [
    'implementation',
    'token endpoint latency',
    'median wall (ms)',
    'token calls',
    'refreshes',
    'refused reuses',
    'failed calls',
    'dead connections at the end',
  ];
  const groups = new Map<string, StormRound[]>();
  for (const r of rounds) {
    const key = `${r.impl} ${r.latencyMs}`;
    groups.set(key, [...(groups.get(key) ?? []), r]);
  }
  const sum = (rs: StormRound[], key: 'tokenCalls' | 'refreshes' | 'refusedReuses' | 'failed' | 'calls') =>
    rs.reduce((n, r) => n + r[key], 0);
  const cells = [...groups.values()].map((rs) => [
    IMPL_NAME[rs[0]!.impl],
    `+${rs[0]!.latencyMs} ms`,
    fixed(median(rs.map((r) => r.wallMs)), 0),
    String(sum(rs, 'tokenCalls')),
    String(sum(rs, 'refreshes')),
    String(sum(rs, 'refusedReuses')),
    `${sum(rs, 'failed')} / ${sum(rs, 'calls')}`,
    `${rs.at(-1)!.deadConnections} / ${STORM_CONNECTIONS}`,
  ]);
  return [headers, cells];
}

// ---------------------------------------------------------------- report

function markdownReport(machine: string, hot: HotPathRow[], rounds: StormRound[]): string {
  const perBlock = HOT_CALLS / HOT_BLOCKS;
  const needed = STORM_ROUNDS * STORM_CONNECTIONS;
  return `Measured ${machine}. Command: \`npm run bench\`.

### Hot path: a valid token vs a bare primary-key select

\`getAccessToken(id)\` for a connection whose access token is valid (one indexed read plus
AES-256-GCM decryption of the token; no refresh) against \`select * from connections where id = $1\`
on the same postgres-js pool of 10 connections. Both run in one process, after
${HOT_WARMUP_CALLS.toLocaleString('en-US')} warm-up calls each, in ${HOT_BLOCKS} alternating blocks of ${perBlock} calls a side.
Latency is per call; at concurrency 16 it includes the wait for a pool connection. Target: ratio ≤ 1.5×.

${markdownTable(...hotPathTable(hot))}

### Refresh storm: ${STORM_PROCESSES} processes × ${STORM_CALLS_PER_PROCESS} concurrent calls on ${STORM_CONNECTIONS} expired connections

- ${STORM_CONNECTIONS} connections whose access tokens are expired (set in SQL) before each of ${STORM_ROUNDS} rounds.
- The simulator is strict (no refresh-token reuse leeway): a refresh with an already rotated
  refresh token revokes the whole token family.
- ${STORM_PROCESSES} OS processes, each with a pool of 10, get "go" at the same moment and each make ${STORM_CALLS_PER_PROCESS}
  concurrent \`getAccessToken\` calls spread over the ${STORM_CONNECTIONS} connections. Wall time runs from "go" to
  the last process's answer.
- *naive refresh* (\`bench/naive-refresh.ts\`) is what most integrations do: read the row, call the
  token endpoint if expired, write the tokens back; no lock, no single flight.
- Each implementation runs once as the simulator answers and once with +50 ms injected on the
  token endpoint (a real one takes time). Before each, the simulator is reset and the connections
  are fresh; one unmeasured warm-up round of each implementation runs first.
- *token calls*: requests to the token endpoint; *refreshes*: successful ones; *refused reuses*:
  refreshes with a rotated token, each revoking its family; *invalid_grant answers*: every refusal,
  including later calls of an already revoked family; *dead connections*: rows whose stored access
  token the API refuses after the round.

Expected for the engine: exactly ${STORM_CONNECTIONS} refreshes a round, no refused reuse, no failed call.

Totals over the ${STORM_ROUNDS} rounds (${needed} refreshes needed):

${markdownTable(...stormTotalsTable(rounds))}

Per round:

${markdownTable(...stormTable(rounds))}
`;
}

function printSummary(hot: HotPathRow[], rounds: StormRound[]): void {
  console.log('\nToken engine — hot path');
  console.log(textTable(...hotPathTable(hot)));
  console.log('\nToken engine — refresh storm');
  console.log(textTable(...stormTable(rounds)));
  console.log(`\nToken engine — refresh storm totals over ${STORM_ROUNDS} rounds`);
  console.log(textTable(...stormTotalsTable(rounds)));
}

/** Runs the whole token benchmark on one fresh database and simulator; returns the markdown section body. */
export async function runTokenBenchmark(): Promise<string> {
  const env = await startBenchEnv('bench');
  try {
    const machine = await machineSummary(env.sql);
    console.log(`token: hot path (${HOT_CALLS} calls each, concurrency ${HOT_CONCURRENCIES.join(' and ')})…`);
    const hot = await measureHotPath(env);
    console.log(`token: refresh storms (${STORM_PROCESSES} processes, ${STORM_ROUNDS} rounds each)…`);
    const rounds = await measureStorms(env);
    printSummary(hot, rounds);
    return markdownReport(machine, hot, rounds);
  } finally {
    await env.close();
  }
}

const isMain = process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;
if (isMain && process.argv[2] === 'storm-child') {
  runStormChild().catch((err: unknown) => {
    console.error('storm child failed:', err);
    process.exit(1);
  });
}
