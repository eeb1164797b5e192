// Shared helpers for `npm run bench`: percentiles, markdown tables, machine facts, and a
// fresh database + Atlassian simulator set up the same way the tests do it.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { Sql } from 'postgres';
import { SANDBOX_USERS } from '../lib/simulator/accounts';
import { SimulatorControl } from '../lib/providers/atlassian/simulator/client';
import { startSimulator, type Simulator } from '../lib/sandbox/simulator';
import { connectViaSimulator, testSql } from '../tests/helpers/connections';
import { createTestDatabase } from '../tests/helpers/database';

export interface Percentiles {
  p50: number;
  p95: number;
  p99: number;
}

/** Nearest-rank percentile of already sorted samples. */
export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export function percentiles(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99) };
}

export function fixed(value: number, digits = 3): string {
  return Number.isFinite(value) ? value.toFixed(digits) : 'n/a';
}

export function markdownTable(headers: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.map(String).join(' | ')} |`;
  return [line(headers), line(headers.map(() => '---')), ...rows.map(line)].join('\n');
}

/** The table again, padded for a terminal. */
export function textTable(headers: string[], rows: (string | number)[][]): string {
  const all = [headers, ...rows].map((r) => r.map(String));
  const widths = headers.map((_, i) => Math.max(...all.map((r) => r[i]!.length)));
  const line = (r: string[]) => r.map((cell, i) => cell.padStart(widths[i]!)).join('  ');
  return all.map(line).join('\n');
}

export async function timeMs<T>(fn: () => Promise<T>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

function cpuModel(): string {
  const line = readFileSync('/proc/cpuinfo', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('model name'));
  return line?.split(':')[1]?.trim() ?? os.cpus()[0]?.model ?? 'unknown';
}

export async function machineSummary(sql: Sql): Promise<string> {
  const [{ server_version }] = await sql<{ server_version: string }[]>`show server_version`;
  const date = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  return `${date} · ${os.availableParallelism()} cores (nproc) · ${cpuModel()} · Node ${process.version} · PostgreSQL ${server_version}`;
}

export interface BenchEnv {
  databaseUrl: string;
  sim: Simulator;
  control: SimulatorControl;
  /** The app-sized pool (10) the measurements run on. */
  sql: Sql;
  close(): Promise<void>;
}

/** A fresh migrated database and a strict simulator (no refresh-token reuse leeway). */
export async function startBenchEnv(label: string): Promise<BenchEnv> {
  const previousUrl = process.env.DATABASE_URL;
  const db = await createTestDatabase(label);
  process.env.DATABASE_URL = db.url;
  const sim = await startSimulator({ leewaySeconds: 0, port: 0 });
  const sql = testSql(10);
  return {
    databaseUrl: db.url,
    sim,
    control: new SimulatorControl(sim.url),
    sql,
    async close() {
      await sql.end({ timeout: 5 });
      await sim.stop();
      await db.drop();
      // The next benchmark creates its database next to the server's, not inside this dropped one.
      if (previousUrl === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = previousUrl;
    },
  };
}

/** `count` real connections (consent + code exchange at the simulator), spread over the sandbox users. */
export async function createConnections(env: BenchEnv, count: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const email = SANDBOX_USERS[i % SANDBOX_USERS.length]!.email;
    ids.push((await connectViaSimulator(env.sql, env.sim.url, email)).id);
  }
  return ids;
}
