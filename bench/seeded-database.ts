// A database seeded once for the admin benchmarks and kept across runs: seeding a million connections takes
// minutes, measuring them does not. Named after the size and SEED_VERSION (lib/db/seed.ts), so that a change
// to the seeded rows seeds afresh; migrations added since are applied to a kept one. The database's comment
// records how long its seeding took, and marks it complete (a run stopped while seeding starts over).
import postgres from 'postgres';
import { dbFor } from '../lib/db';
import { runMigrations } from '../lib/db/migrate';
import { SEED_VERSION, seedDemoData } from '../lib/db/seed';
import { TEST_KEYS } from '../tests/helpers/connections';

const SERVER = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface SeededDatabase {
  url: string;
  /** e.g. "seeded 1,000,000 connections in 312.4 s on 2026-12-05 (users 1.2 s, …)". */
  seeding: string;
  reused: boolean;
}

export async function seededDatabase(connections: number): Promise<SeededDatabase> {
  const name = `reconnect_bench_admin_${connections}_seed${SEED_VERSION}`;
  const url = new URL(SERVER);
  url.pathname = `/${name}`;
  const admin = postgres(SERVER, { max: 1, onnotice: () => {} });
  try {
    const [kept] = await admin<{ seeding: string | null }[]>`
      select shobj_description(oid, 'pg_database') as seeding from pg_database where datname = ${name}`;
    if (kept?.seeding) {
      await runMigrations(url.toString());
      return { url: url.toString(), seeding: kept.seeding, reused: true };
    }
    await admin.unsafe(`drop database if exists "${name}" with (force)`);
    await admin.unsafe(`create database "${name}"`);
    await runMigrations(url.toString());
    const seeding = await seed(url.toString(), connections);
    await admin.unsafe(`comment on database "${name}" is ${quote(seeding)}`);
    return { url: url.toString(), seeding, reused: false };
  } finally {
    await admin.end({ timeout: 5 });
  }
}

const quote = (text: string) => `'${text.replace(/'/g, "''")}'`;

async function seed(url: string, connections: number): Promise<string> {
  const sql = postgres(url, { max: 2, onnotice: () => {} });
  const steps: string[] = [];
  const started = performance.now();
  try {
    console.log(`admin: seeding ${connections.toLocaleString('en-US')} connections (kept for later runs)…`);
    const result = await seedDemoData(dbFor(sql), {
      connections,
      keys: TEST_KEYS,
      onStep: (step, ms) => steps.push(`${step} ${(ms / 1000).toFixed(1)} s`),
    });
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    const rows = `${result.users.toLocaleString('en-US')} users, ${result.connections.toLocaleString('en-US')} connections, ${result.sites.toLocaleString('en-US')} sites and ${result.events.toLocaleString('en-US')} events`;
    return `${rows} seeded in ${seconds} s on ${new Date().toISOString().slice(0, 10)} (${steps.join(', ')})`;
  } finally {
    await sql.end({ timeout: 5 });
  }
}
