// The admin dashboard over HTTP, signed in as an admin (`npm run bench -- admin`): /admin, a status filter and a
// broad search at ~1k and ~101k connections, on one instance served as `npm start` serves it. With
// BENCH_BASELINE_DIR the baseline checkout runs next to this one and the two alternate in blocks.
import { encode } from 'next-auth/jwt';
import { dbFor } from '../lib/db';
import { seedDemoData } from '../lib/db/seed';
import { startSimulator } from '../lib/sandbox/simulator';
import { upsertUser } from '../lib/users';
import { TEST_KEYS, testSql } from '../tests/helpers/connections';
import { createTestDatabase } from '../tests/helpers/database';
import { appsUnderTest, AUTH_SECRET, get, startApp, timed, type RunningApp } from './app-server';
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

/** A next-auth session cookie for `userId`, as the app's sign-in would set it (plain http: no prefix). */
async function sessionCookie(userId: string): Promise<string> {
  const name = 'authjs.session-token';
  const token = await encode({ token: { sub: userId, uid: userId }, secret: AUTH_SECRET, salt: name, maxAge: 8 * 3600 });
  return `${name}=${token}`;
}

async function measureAll(apps: RunningApp[], cookie: string): Promise<Map<string, number>> {
  const call = (app: RunningApp, path: string) => timed(() => get(`${app.url}${path}`, { cookie }));
  for (const app of apps) for (const p of PATHS) for (let i = 0; i < WARMUP; i++) await call(app, p.path);
  const samples = new Map<string, number[]>();
  for (let b = 0; b < BLOCKS; b++) {
    const order = b % 2 ? [...apps].reverse() : apps;
    for (const app of order) {
      for (const p of PATHS) {
        const key = `${app.label}|${p.name}`;
        const list = samples.get(key) ?? [];
        for (let i = 0; i < PER_BLOCK; i++) list.push(await call(app, p.path));
        samples.set(key, list);
      }
    }
  }
  return new Map([...samples].map(([key, list]) => [key, percentiles(list).p50]));
}

export async function runAdminHttpBenchmark(): Promise<string> {
  const database = await createTestDatabase('bench_admin_http');
  const sim = await startSimulator({ port: 0 });
  const sql = testSql(4, database.url);
  const apps: RunningApp[] = [];
  try {
    const admin = await upsertUser(dbFor(sql), 'admin@example.com', 'Admin', ['admin@example.com']);
    const cookie = await sessionCookie(admin.id);
    const bySize: Map<string, number>[] = [];
    let total = 0;
    for (const [i, size] of SIZES.entries()) {
      console.log(`admin (http): seeding ${size.toLocaleString('en-US')} connections…`);
      await seedDemoData(dbFor(sql), { connections: size, keys: TEST_KEYS });
      total += size;
      if (i === 0) {
        for (const app of appsUnderTest()) apps.push(await startApp(app, { databaseUrl: database.url, simUrl: sim.url }));
      }
      console.log(`admin (http): measuring at ${total.toLocaleString('en-US')} connections…`);
      bySize.push(await measureAll(apps, cookie));
    }
    const rows: string[][] = [];
    for (const app of apps) {
      for (const p of PATHS) {
        const key = `${app.label}|${p.name}`;
        const [small, large] = [bySize[0]!.get(key)!, bySize[1]!.get(key)!];
        const ratio = large / small;
        rows.push([app.label, `${p.name} (\`${p.path}\`)`, fixed(small, 1), fixed(large, 1), `**${fixed(ratio, 2)}×** ${ratio <= GOAL ? '(met)' : '(not met)'}`]);
      }
    }
    console.log(rows.map((r) => r.join('  ')).join('\n'));
    return `### Over HTTP, signed in

The pages themselves, as a signed-in admin gets them: one instance per checkout served as \`npm start\` serves it
(production build, worker off) on the machine's Postgres, seeded with ${SIZES[0]!.toLocaleString('en-US')} connections, then ${SIZES[1]!.toLocaleString('en-US')} more
(\`seedDemoData\`). ${WARMUP} warm-up requests per page, then ${BLOCKS} blocks of ${PER_BLOCK} sequential requests per page${apps.length > 1 ? ', the checkouts alternating block by block' : ''}.
Goal: each page's p50 at ~101k ≤ ${GOAL}× its p50 at ~1k.

${markdownTable(['app', 'page', 'p50 at ~1k (ms)', 'p50 at ~101k (ms)', 'ratio'], rows)}`;
  } finally {
    for (const app of apps) await app.stop();
    await sql.end({ timeout: 5 });
    await sim.stop();
    await database.drop();
  }
}
