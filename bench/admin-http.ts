// The admin dashboard over HTTP, signed in as an admin (`npm run bench -- admin`): /admin, a status filter and a
// broad search at ~1k and ~101k connections. Two databases (the same 1k seed; the second then gets 100k more),
// one instance on each, served as `npm start` serves it, measured in alternating blocks: both sizes see the same
// machine (a shared machine's load drifts within minutes). With BENCH_BASELINE_DIR the baseline checkout gets
// its two instances too, and all four alternate.
import os from 'node:os';
import { createSession } from '../lib/auth/sessions';
import { dbFor } from '../lib/db';
import { seedDemoData } from '../lib/db/seed';
import { startSimulator } from '../lib/sandbox/simulator';
import { upsertUser } from '../lib/users';
import { TEST_KEYS, testSql } from '../tests/helpers/connections';
import { createTestDatabase } from '../tests/helpers/database';
import { appsUnderTest, get, startApp, timed, type RunningApp } from './app-server';
import { fixed, markdownTable, percentiles } from './lib';

const SIZES = [1_000, 100_000]; // the second is added to the first: ~101k
const PATHS = [
  { name: '/admin', path: '/admin' },
  { name: 'status filter', path: '/admin?status=needs_reauth' },
  { name: 'broad search', path: '/admin?q=jones' },
];
const WARMUP = 5;
const BLOCKS = 12;
const PER_BLOCK = 5;
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

export async function runAdminHttpBenchmark(): Promise<string> {
  const databases = [await createTestDatabase('bench_admin_http_small'), await createTestDatabase('bench_admin_http_large')];
  const sim = await startSimulator({ port: 0 });
  const sqls = databases.map((d) => testSql(4, d.url));
  const instances: Instance[] = [];
  const load = os.loadavg().map((l) => l.toFixed(2)).join(' / ');
  try {
    const cookies: string[] = [];
    for (const [i, sql] of sqls.entries()) {
      const admin = await upsertUser(dbFor(sql), 'admin@example.com', 'Admin', ['admin@example.com']);
      cookies.push(await sessionCookie(sql, admin.id));
      for (const size of SIZES.slice(0, i + 1)) {
        console.log(`admin (http): seeding ${size.toLocaleString('en-US')} connections into database ${i + 1}…`);
        await seedDemoData(dbFor(sql), { connections: size, keys: TEST_KEYS });
      }
    }
    const totals = [SIZES[0]!, SIZES[0]! + SIZES[1]!];
    for (const app of appsUnderTest()) {
      for (const [i, database] of databases.entries()) {
        const running = await startApp(app, { databaseUrl: database.url, simUrl: sim.url });
        instances.push({ app: { ...running, label: app.label }, size: totals[i]!, cookie: cookies[i]! });
      }
    }
    console.log(`admin (http): measuring ${instances.length} instances, alternating…`);
    const p50 = await measureAll(instances);
    const rows: string[][] = [];
    for (const app of appsUnderTest()) {
      for (const p of PATHS) {
        const [small, large] = totals.map((size) => p50.get(`${app.label}|${size}|${p.name}`)!);
        const ratio = large! / small!;
        rows.push([app.label, `${p.name} (\`${p.path}\`)`, fixed(small!, 1), fixed(large!, 1), `**${fixed(ratio, 2)}×** ${ratio <= GOAL ? '(met)' : '(not met)'}`]);
      }
    }
    console.log(rows.map((r) => r.join('  ')).join('\n'));
    return `### Over HTTP, signed in

The pages themselves, as a signed-in admin gets them, measured ${new Date().toISOString().slice(0, 19)}Z; load average before the run ${load}
(the machine is shared). Two databases on the machine's Postgres: one seeded with ${SIZES[0]!.toLocaleString('en-US')} connections, the other
with the same ${SIZES[0]!.toLocaleString('en-US')} and then ${SIZES[1]!.toLocaleString('en-US')} more (\`seedDemoData\`); one instance per checkout and database, served
as \`npm start\` serves it (production build, worker off). ${WARMUP} warm-up requests per page, then ${BLOCKS} blocks of ${PER_BLOCK}
sequential requests per page and instance, the instances alternating block by block, so that both sizes are measured
under the same load. Goal: each page's p50 at ~101k ≤ ${GOAL}× its p50 at ~1k.

${markdownTable(['app', 'page', 'p50 at ~1k (ms)', 'p50 at ~101k (ms)', 'ratio'], rows)}`;
  } finally {
    for (const { app } of instances) await app.stop();
    for (const sql of sqls) await sql.end({ timeout: 5 });
    await sim.stop();
    for (const d of databases) await d.drop();
  }
}
