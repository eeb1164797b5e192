// The admin dashboard over HTTP, signed in as an admin (`npm run bench -- admin`): every view (overview, each
// status, owner, product, a broad-but-sparse search) at 1k and 1M connections. Two databases (a fresh 1k seed;
// the 1M one kept across runs, bench/seeded-database.ts), one instance on each, served as `npm start` serves it,
// measured in alternating blocks: both sizes see the same machine (a shared machine's load drifts within
// minutes). With BENCH_BASELINE_DIR the baseline checkout gets its two instances too, and all four alternate.
import os from 'node:os';
import { createSession } from '../lib/auth/sessions';
import { dbFor } from '../lib/db';
import { CONNECTION_STATUSES } from '../lib/db/schema';
import { seedDemoData } from '../lib/db/seed';
import { startSimulator } from '../lib/sandbox/simulator';
import { upsertUser } from '../lib/users';
import { TEST_KEYS, testSql } from '../tests/helpers/connections';
import { createTestDatabase } from '../tests/helpers/database';
import { appsUnderTest, get, startApp, timed, type RunningApp } from './app-server';
import { fixed, markdownTable, percentiles } from './lib';
import { seededDatabase, type SeededDatabase } from './seeded-database';

export const SIZES = [1_000, 1_000_000];
const PATHS = [
  { name: 'overview', path: '/admin' },
  ...CONNECTION_STATUSES.map((status) => ({ name: `status ${status}`, path: `/admin?status=${status}` })),
  // User 0 of every seed (lib/db/seed.ts): one person's ~20 connections at either size.
  { name: 'owner filter', path: '/admin?owner=ada.abe%40' },
  { name: 'product filter', path: '/admin?product=jira' },
  // "Jones" is the last name of 1 seeded user in 50: exactly 2% of the connections at either size.
  { name: 'broad-but-sparse search', path: '/admin?q=jones' },
];
const WARMUP = 3;
const BLOCKS = 6;
const PER_BLOCK = 3;
const GOAL = 1.5;

/** A session cookie for `userId` on `sql`'s database, as the app's sign-in sets it (server-side session; plain http: no prefix). */
async function sessionCookie(sql: ReturnType<typeof testSql>, userId: string): Promise<string> {
  const { token } = await createSession(dbFor(sql), userId);
  return `authjs.session-token=${token}`;
}

interface Instance {
  app: RunningApp;
  size: number;
  cookie: string;
}

async function measureAll(instances: Instance[]): Promise<Map<string, number>> {
  const call = ({ app, cookie }: Instance, path: string) => timed(() => get(`${app.url}${path}`, { cookie }));
  for (const instance of instances) for (const p of PATHS) for (let i = 0; i < WARMUP; i++) await call(instance, p.path);
  const samples = new Map<string, number[]>();
  for (let b = 0; b < BLOCKS; b++) {
    const order = b % 2 ? [...instances].reverse() : instances;
    for (const instance of order) {
      for (const p of PATHS) {
        const key = `${instance.app.label}|${instance.size}|${p.name}`;
        const list = samples.get(key) ?? [];
        for (let i = 0; i < PER_BLOCK; i++) list.push(await call(instance, p.path));
        samples.set(key, list);
      }
    }
  }
  return new Map([...samples].map(([key, list]) => [key, percentiles(list).p50]));
}

/** The 1k database (fresh) and the 1M one (kept), each with an admin and its session cookie. */
async function databases(large: SeededDatabase) {
  const small = await createTestDatabase('bench_admin_http_small');
  const sqls = [testSql(4, small.url), testSql(4, large.url)];
  console.log(`admin (http): seeding ${SIZES[0]!.toLocaleString('en-US')} connections…`);
  await seedDemoData(dbFor(sqls[0]!), { connections: SIZES[0]!, keys: TEST_KEYS });
  const cookies: string[] = [];
  for (const sql of sqls) {
    const admin = await upsertUser(dbFor(sql), 'admin@example.com', 'Admin', ['admin@example.com']);
    cookies.push(await sessionCookie(sql, admin.id));
  }
  return { urls: [small.url, large.url], cookies, sqls, drop: () => small.drop() };
}

export async function runAdminHttpBenchmark(large?: SeededDatabase): Promise<string> {
  const kept = large ?? (await seededDatabase(SIZES[1]!));
  const dbs = await databases(kept);
  const sim = await startSimulator({ port: 0 });
  const instances: Instance[] = [];
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' / ');
  try {
    for (const app of appsUnderTest()) {
      for (const [i, databaseUrl] of dbs.urls.entries()) {
        const running = await startApp(app, { databaseUrl, simUrl: sim.url });
        instances.push({ app: { ...running, label: app.label }, size: SIZES[i]!, cookie: dbs.cookies[i]! });
      }
    }
    console.log(`admin (http): measuring ${instances.length} instances, alternating…`);
    const p50 = await measureAll(instances);
    const rows: string[][] = [];
    for (const app of appsUnderTest()) {
      for (const p of PATHS) {
        const [small, big] = SIZES.map((size) => p50.get(`${app.label}|${size}|${p.name}`)!);
        const ratio = big! / small!;
        rows.push([app.label, `${p.name} (\`${p.path}\`)`, fixed(small!, 1), fixed(big!, 1), `**${fixed(ratio, 2)}×** ${ratio <= GOAL ? '(met)' : '(not met)'}`]);
      }
    }
    console.log(rows.map((r) => r.join('  ')).join('\n'));
    return report(load, kept, rows);
  } finally {
    for (const { app } of instances) await app.stop();
    for (const sql of dbs.sqls) await sql.end({ timeout: 5 });
    await sim.stop();
    await dbs.drop();
  }
}

function report(load: string, large: SeededDatabase, rows: string[][]): string {
  const [small, big] = SIZES.map((n) => n.toLocaleString('en-US'));
  return `### Over HTTP, signed in: 1k vs 1M

The pages themselves, as a signed-in admin gets them, measured ${new Date().toISOString().slice(0, 19)}Z; load average before the run ${load}
(the machine is shared). Command: \`npm run bench -- admin\`. Two databases on the machine's Postgres: one seeded with ${small}
connections for this run, the other with ${big}, kept across runs (\`${large.seeding}\`${large.reused ? ', reused here' : ', seeded by this run'});
one instance per checkout and database, served as \`npm start\` serves it (production build, worker off). ${WARMUP} warm-up requests per
page, then ${BLOCKS} blocks of ${PER_BLOCK} sequential requests per page and instance, the instances alternating block by block, so that both
sizes are measured under the same load. Goal: each page's p50 at ${big} ≤ ${GOAL}× its p50 at ${small}.

${markdownTable(['app', 'page', `p50 at ${small} (ms)`, `p50 at ${big} (ms)`, 'ratio'], rows)}

${BOUNDS}`;
}

/** What bounds each view's database work (lib/admin/), whatever the table's size. */
const BOUNDS = `What bounds each view's work: the overview and each status read one index range from the top of their sort, and
their counts come from the trigger-kept summary. The product filter's page walks its sort index (half the rows match)
and its counts read at most 1,000 + 1 index entries per status. The owner filter and the search first probe their
matches, at most 1,001 connections: the search reads its matching users' connections user by user from
connections_user_idx alone (it includes each connection's id and status), and only when that found at most 1,000 does it
look at the connections' own fields and sites (trigram indexes, at most 3,000 rows). A complete probe is an id list, read
by primary key, page and exact counts alike (one person's ~20 connections at either size); an incomplete one (a broad
owner or search) makes the page walk its sort index testing each row, which stops after about 50 ÷ (share of matching
rows) rows whatever the table's size (~2,600 for 2%). In the default order that walk reads connections_updated_idx alone
(it includes every column the test reads) and then the page's 50 rows; a search's counts are the statuses its probe saw,
shown as lower bounds ("1,000+"). So a broad search touches a few thousand index entries and 50 table rows at either size:
what reads scattered table rows at a million (the table is several times Postgres's shared buffers here) stays bounded.
Not all of a ratio is the database's: at 1k some views list fewer than a page of rows (status error 8, needs_reauth 29,
the search 20 of its 50), at 1M every view lists a full page of 50, and rendering a row costs the same at either size.
The views that list 50 rows at both sizes (overview, active, degraded, product) show what the size alone adds.`;
