// Admin dashboard benchmark: on the kept database of 1,000,000 connections and 10,000,000 events
// (bench/seeded-database.ts), times what /admin loads for a few typical URLs (the same lib/admin functions
// the page calls), and reports each list query's plan.
import postgres, { type Sql } from 'postgres';
import { currentFailureReasons, refreshOutcomesByDay, topFailureCodes } from '../lib/admin/activity';
import { listAdminConnections, type AdminConnectionPage } from '../lib/admin/connections';
import { countByStatus, countConfigurationErrors } from '../lib/admin/counts';
import { loadAdminDashboard } from '../lib/admin/dashboard';
import { resolveFilter } from '../lib/admin/filters';
import { adminHref, MIN_SEARCH, parseAdminQuery, type AdminQuery, type SearchParams } from '../lib/admin/params';
import { COUNT_CAP } from '../lib/admin/counts';
import { NARROW_LIMIT, PROBE_ROWS } from '../lib/admin/search';
import { fixed, machineSummary, markdownTable, percentiles, textTable, timeMs, type Percentiles } from './lib';
import { dbFor } from '../lib/db';
import { seededDatabase, type SeededDatabase } from './seeded-database';

const CONNECTIONS = 1_000_000;
const RUNS = 30;
const WARMUP = 3;
const DEEP_PAGE = 200;
const TARGET_P95_MS = 300;

interface Scenario {
  name: string;
  query: AdminQuery;
}

interface Measured {
  scenario: Scenario;
  dashboard: Percentiles;
  list: Percentiles;
  rows: number;
  plan: string;
}

// ---------------------------------------------------------------- plans

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}

/** The scans a plan actually ran, e.g. "Index Scan Backward connections_updated_idx". */
function scansOf(node: PlanNode, out: string[] = []): string[] {
  if (node['Node Type'].includes('Scan') && node['Actual Loops'] !== 0 && !node['Node Type'].startsWith('Function')) {
    const scan = `${node['Node Type']} ${node['Index Name'] ?? node['Relation Name'] ?? ''}`.trim();
    if (!out.includes(scan)) out.push(scan);
  }
  for (const child of node.Plans ?? []) scansOf(child, out);
  return out;
}

/** Runs `fn` on a client that records its statements, then EXPLAIN ANALYZEs each one. */
async function plansOf(url: string, fn: (sql: Sql) => Promise<unknown>): Promise<string> {
  const statements: { query: string; params: unknown[] }[] = [];
  const recording = postgres(url, { max: 1, onnotice: () => {}, debug: (_c, query, params) => void statements.push({ query, params }) });
  const raw = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await fn(recording);
    const plans: string[] = [];
    for (const s of statements.filter((st) => !st.query.includes('pg_catalog'))) {
      const [row] = await raw.unsafe(`explain (analyze, format json) ${s.query}`, s.params as never[]);
      plans.push(scansOf((row!['QUERY PLAN'] as { Plan: PlanNode }[])[0]!.Plan).join(', '));
    }
    return plans.join(' ⟶ ');
  } finally {
    await recording.end();
    await raw.end();
  }
}

// ---------------------------------------------------------------- timing

async function sample(fn: () => Promise<unknown>): Promise<Percentiles> {
  for (let i = 0; i < WARMUP; i++) await fn();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await timeMs(fn));
  return percentiles(samples);
}

async function measure(sql: Sql, url: string, scenario: Scenario): Promise<Measured> {
  const dashboard = await sample(() => loadAdminDashboard(dbFor(sql), scenario.query));
  const list = await sample(() => listAdminConnections(dbFor(sql), scenario.query));
  const { rows } = await listAdminConnections(dbFor(sql), scenario.query);
  const plan = await plansOf(url, (recording) => listAdminConnections(dbFor(recording), scenario.query));
  return { scenario, dashboard, list, rows: rows.length, plan };
}

/** The cursor of page `page` (1-based), reached by following `next` like a person clicking through. */
async function cursorOfPage(sql: Sql, query: AdminQuery, page: number): Promise<string> {
  let current: AdminConnectionPage = await listAdminConnections(dbFor(sql), query);
  for (let i = 2; i < page; i++) current = await listAdminConnections(dbFor(sql), { ...query, after: current.next });
  if (!current.next) throw new Error(`fewer than ${page} pages`);
  return current.next;
}

// ---------------------------------------------------------------- scenarios

async function personSearch(sql: Sql): Promise<string> {
  const [user] = await sql<{ email: string }[]>`select email from users order by email offset 500 limit 1`;
  return user!.email.split('@')[0]!; // "first.last": one person's connections
}

async function scenarios(sql: Sql): Promise<Scenario[]> {
  const q = (params: SearchParams): AdminQuery => parseAdminQuery(params);
  const deep = await cursorOfPage(sql, q({}), DEEP_PAGE);
  const deepByOwner = await cursorOfPage(sql, q({ sort: 'owner' }), DEEP_PAGE);
  return [
    { name: 'First page, no filter (newest change first)', query: q({}) },
    { name: 'First page, status + product filters', query: q({ status: 'needs_reauth', product: 'jira' }) },
    { name: 'Owner filter, one person (narrow: ids first)', query: q({ owner: 'ada.abe@' }) },
    { name: 'Owner filter, one in 50 people (broad: row by row along the index)', query: q({ owner: '.jones' }) },
    { name: 'Search for one person (narrow: ids first)', query: q({ q: await personSearch(sql) }) },
    { name: 'Search for a surname on 2% of connections (broad: row by row along the index)', query: q({ q: 'jones' }) },
    { name: 'Search matching every connection (broad: counts what the probe saw)', query: q({ q: '.test' }) },
    { name: 'Site filter by name', query: q({ site: 'Amber Labs' }) },
    { name: `Page ${DEEP_PAGE} via cursor`, query: q({ after: deep }) },
    { name: `Page ${DEEP_PAGE} via cursor, sorted by owner`, query: q({ sort: 'owner', after: deepByOwner }) },
  ];
}

/** Each of the page's other queries alone, unfiltered, with its plan. */
async function measureParts(sql: Sql, url: string): Promise<string[][]> {
  const query = parseAdminQuery({});
  const parts: [string, (s: Sql) => Promise<unknown>][] = [
    ['per-status counts (one grouped query)', (s) => countByStatus(dbFor(s), query)],
    ['refresh outcomes per day, 7 days', (s) => refreshOutcomesByDay(dbFor(s))],
    ['top failure codes, 7 days', (s) => topFailureCodes(dbFor(s))],
    ['current needs_reauth / degraded reasons', (s) => currentFailureReasons(dbFor(s))],
    ['configuration-error count (banner)', (s) => countConfigurationErrors(dbFor(s))],
    ['search probe, broad ("jones")', (s) => resolveFilter(dbFor(s), parseAdminQuery({ q: 'jones' }))],
  ];
  const rows: string[][] = [];
  for (const [name, fn] of parts) {
    const p = await sample(() => fn(sql));
    rows.push([name, `${fixed(p.p50, 1)} / ${fixed(p.p95, 1)}`, await plansOf(url, fn)]);
  }
  return rows;
}

// ---------------------------------------------------------------- report

function seedLine(large: SeededDatabase): string {
  return `${large.seeding} by \`seedDemoData\` (\`npm run cli -- seed\`), a database kept across runs${large.reused ? ' (reused by this run)' : ''}.`;
}

function scenarioRows(results: Measured[]): string[][] {
  return results.map((r) => [
    r.scenario.name,
    `\`${adminHref(r.scenario.query, { after: r.scenario.query.after }).replace(/(after=)[^&]+/, '$1…')}\``,
    `${fixed(r.dashboard.p50, 1)} / ${fixed(r.dashboard.p95, 1)}`,
    `${fixed(r.list.p50, 1)} / ${fixed(r.list.p95, 1)}`,
    String(r.rows),
    r.plan,
  ]);
}

function report(machine: string, seed: string, results: Measured[], parts: string[][]): string {
  const worst = Math.max(...results.map((r) => r.dashboard.p95));
  return `Measured ${machine}. Command: \`npm run bench -- admin\`.

Data: ${seed} Status mix ≈ 90% active, 5% degraded, 4% needs_reauth, 1% error; 1–3 sites and 10 events per
connection over the last 30 days; then \`vacuum analyze\`.

*Page data* is \`loadAdminDashboard()\`, everything \`/admin\` shows for a URL: the search's plan, the page of 50
connections with their sites, the per-status counts, the 7-day chart, the failure reasons and the
configuration-error count, run in parallel on a postgres-js pool of 10 as the page does. *List alone* is
\`listAdminConnections()\`. ${WARMUP} warm-up runs, then ${RUNS} runs one at a time; server time only (React
rendering and HTTP are not included). Target: page data p95 < ${TARGET_P95_MS} ms. Worst p95 here:
${fixed(worst, 1)} ms — ${worst < TARGET_P95_MS ? 'within' : '**over**'} the target.

| scenario | URL | page data p50 / p95 (ms) | list alone p50 / p95 (ms) | rows | list plan (scans run; ⟶ separates statements) |
| --- | --- | --- | --- | --- | --- |
${scenarioRows(results).map((r) => `| ${r.join(' | ')} |`).join('\n')}

The page's other queries, unfiltered:

${markdownTable(['query', 'p50 / p95 (ms)', 'plan (scans run)'], parts)}

Keyset pagination: page ${DEEP_PAGE} costs what page 1 costs, since each page is one range scan from the
cursor's (sort key, id). The search first probes its matches (lib/admin/search.ts): the matching users'
connections, user by user, from connections_user_idx alone, stopping past ${NARROW_LIMIT.toLocaleString('en-US')}; only when that found at most
${NARROW_LIMIT.toLocaleString('en-US')} does it read the connections' own fields and sites through the trigram GIN indexes (at most
${PROBE_ROWS.toLocaleString('en-US')} rows). When it saw every match and they are at most ${NARROW_LIMIT.toLocaleString('en-US')} connections, the page reads only those ids;
otherwise the page tests rows along its sort index, in the default order from connections_updated_idx alone (it
includes the tested columns), and reads only its own 50 rows. A search's counts are the statuses its probe saw:
exact when it saw every match, lower bounds ("N+") otherwise. Every
other filtered view counts at most ${COUNT_CAP.toLocaleString('en-US')} + 1 matching rows (exact up to ${COUNT_CAP.toLocaleString('en-US')}, "1,000+" past it); the
unfiltered counts come from the trigger-kept summary. The owner filter probes the same way, through the matching
users' connections (at most ${NARROW_LIMIT.toLocaleString('en-US')} + 1): one person's connections are an id list, exact counts included.
A search needs at least ${MIN_SEARCH} characters (shorter ones cannot use the trigram indexes and are ignored).`;
}

// ---------------------------------------------------------------- entry

export async function runAdminBenchmark(large?: SeededDatabase): Promise<string> {
  const db = large ?? (await seededDatabase(CONNECTIONS));
  const sql = postgres(db.url, { max: 10, onnotice: () => {} });
  try {
    console.log('admin: measuring…');
    const results: Measured[] = [];
    for (const scenario of await scenarios(sql)) results.push(await measure(sql, db.url, scenario));
    const parts = await measureParts(sql, db.url);
    console.log(
      textTable(
        ['scenario', 'page data p50', 'p95', 'list p50', 'p95'],
        results.map((r) => [r.scenario.name, fixed(r.dashboard.p50, 1), fixed(r.dashboard.p95, 1), fixed(r.list.p50, 1), fixed(r.list.p95, 1)]),
      ),
    );
    return report(await machineSummary(sql), seedLine(db), results, parts);
  } finally {
    await sql.end({ timeout: 5 });
  }
}
