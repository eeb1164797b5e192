// `npm start` / `npm run dev`: config check, database (embedded when DATABASE_URL is unset),
// migrations, the simulator in sandbox mode, a build when missing or stale, then Next.js.
import { spawn, type ChildProcess } from 'node:child_process';
import { ConfigError, DEFAULT_SIMULATOR_PORT, loadConfig, type Config } from '../lib/config';
import { startEmbeddedPostgres, type EmbeddedDatabase } from '../lib/db/embedded';
import { runMigrations } from '../lib/db/migrate';
import { startSimulator, type Simulator } from '../lib/sandbox/simulator';
import { buildIsCurrent, markBuildCurrent } from './build-stamp';

const dev = process.argv.includes('--dev');
const cleanups: Array<() => Promise<void>> = [];

function log(message: string): void {
  console.log(`[reconnect] ${message}`);
}

async function cleanup(): Promise<void> {
  for (const fn of cleanups.reverse()) await fn().catch(() => {});
}

function readConfig(): Config {
  try {
    return loadConfig({ ...process.env, NODE_ENV: dev ? 'development' : 'production' });
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

async function database(config: Config): Promise<string> {
  if (config.databaseUrl) return config.databaseUrl;
  log('DATABASE_URL is unset: starting the embedded Postgres in .data/pg');
  const db: EmbeddedDatabase = await startEmbeddedPostgres('.data/pg');
  cleanups.push(() => db.stop());
  return db.url;
}

async function simulator(config: Config, env: NodeJS.ProcessEnv): Promise<void> {
  if (config.mode !== 'sandbox' || (process.env.ATLASSIAN_AUTH_URL && process.env.ATLASSIAN_API_URL)) return;
  let sim: Simulator;
  try {
    sim = await startSimulator({ port: DEFAULT_SIMULATOR_PORT });
  } catch {
    sim = await startSimulator({ port: 0 });
  }
  cleanups.push(() => sim.stop());
  env.ATLASSIAN_AUTH_URL ??= sim.url;
  env.ATLASSIAN_API_URL ??= sim.url;
  log(`sandbox mode: Atlassian simulator at ${sim.url}`);
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(cmd, args, { env, stdio: 'inherit' });
}

function exitCode(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

async function build(env: NodeJS.ProcessEnv): Promise<void> {
  if (buildIsCurrent()) return;
  log('building the app (no current build found)');
  const code = await exitCode(run('node_modules/.bin/next', ['build'], { ...env, NODE_ENV: 'production' }));
  if (code !== 0) throw new Error(`next build failed with exit code ${code}`);
  markBuildCurrent();
}

async function main(): Promise<void> {
  const config = readConfig();
  const env: NodeJS.ProcessEnv = { NEXT_TELEMETRY_DISABLED: '1', AUTH_TRUST_HOST: 'true', ...process.env };
  env.DATABASE_URL = await database(config);
  await runMigrations(env.DATABASE_URL);
  await simulator(config, env);
  if (!dev) await build(env);
  // Under `next start` the app handles SIGTERM itself: refreshes under way commit before it exits.
  const nextEnv = dev ? env : { ...env, NEXT_MANUAL_SIG_HANDLE: 'true' };
  const next = run('node_modules/.bin/next', [dev ? 'dev' : 'start', '-p', String(config.port)], nextEnv);
  log(`${config.mode} mode: serving ${config.appUrl}`);
  const stop = () => next.kill('SIGTERM');
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const code = await exitCode(next);
  await cleanup();
  process.exit(code);
}

main().catch(async (err: unknown) => {
  console.error(`[reconnect] start failed: ${err instanceof Error ? err.message : String(err)}`);
  await cleanup();
  process.exit(1);
});
