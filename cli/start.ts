// `npm start` / `npm run dev`: config check, database (embedded when DATABASE_URL is unset), migrations, the
// simulator in sandbox mode, a build when missing or stale, then Next.js served by cli/server.ts in this process.
// This one process owns the shutdown: SIGINT/SIGTERM stop everything in order and exit 0; a second signal forces.
import { spawn, type ChildProcess } from 'node:child_process';
import { ConfigError, DEFAULT_SIMULATOR_PORT, loadConfig, type Config } from '../lib/config';
import { startEmbeddedPostgres } from '../lib/db/embedded';
import { runMigrations } from '../lib/db/migrate';
import { startMailCatcher } from '../lib/notifications/catcher';
import { startSimulator, type Simulator } from '../lib/sandbox/simulator';
import { buildIsCurrent, markBuildCurrent } from './build-stamp';
import { startAppServer } from './server';

const dev = process.argv.includes('--dev');
/** How long a stop may take: token calls under way (15 s timeout each) commit, requests under way finish. */
const DRAIN_TIMEOUT_MS = 20_000;
/** Ctrl-C in a terminal reaches this process twice (from the terminal and through npm): one stop, not a forced one. */
const SAME_STOP_MS = 1_000;

const stops: Array<() => Promise<void>> = [];
const children = new Set<ChildProcess>();

function log(message: string): void {
  console.log(`[reconnect] ${message}`);
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
  const db = await startEmbeddedPostgres('.data/pg');
  stops.push(() => db.stop());
  return db.url;
}

async function simulator(config: Config): Promise<void> {
  if (config.mode !== 'sandbox' || (process.env.ATLASSIAN_AUTH_URL && process.env.ATLASSIAN_API_URL)) return;
  let sim: Simulator;
  try {
    sim = await startSimulator({ port: DEFAULT_SIMULATOR_PORT });
  } catch {
    sim = await startSimulator({ port: 0 });
  }
  stops.push(() => sim.stop());
  process.env.ATLASSIAN_AUTH_URL ||= sim.url;
  process.env.ATLASSIAN_API_URL ||= sim.url;
  log(`sandbox mode: Atlassian simulator at ${sim.url}`);
}

function exitCode(child: ChildProcess): Promise<number> {
  return new Promise((resolve) => child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0))));
}

async function build(): Promise<void> {
  if (buildIsCurrent()) return;
  log('building the app (no current build found)');
  const child = spawn('node_modules/.bin/next', ['build'], { stdio: 'inherit' });
  children.add(child);
  const code = await exitCode(child);
  children.delete(child);
  if (stopping) throw new Error('stopped during the build');
  if (code !== 0) throw new Error(`next build failed with exit code ${code}`);
  markBuildCurrent();
}

let stopping: Promise<void> | undefined;
let startup: Promise<void> = Promise.resolve();
let firstSignalAt = 0;

/** Lets the step under way finish (a build is cut short), then stops in reverse order of start. */
function stopAll(): Promise<void> {
  stopping ??= (async () => {
    for (const child of children) child.kill('SIGTERM');
    await startup.catch(() => {});
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => console.error(`[reconnect] stop: ${String(err)}`));
  })();
  return stopping;
}

function onSignal(signal: NodeJS.Signals): void {
  if (!firstSignalAt) {
    firstSignalAt = Date.now();
    log(`${signal}: stopping (send it again to force)`);
    void stopAll().then(() => process.exit(0));
    return;
  }
  if (Date.now() - firstSignalAt < SAME_STOP_MS) return;
  log(`${signal} again: forcing the stop`);
  for (const child of children) child.kill('SIGKILL');
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

async function main(): Promise<void> {
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const config = readConfig();
  // Read by Next.js and React when they load (below), and by the build.
  Object.assign(process.env, { NODE_ENV: dev ? 'development' : 'production' });
  process.env.NEXT_TELEMETRY_DISABLED ??= '1';
  process.env.AUTH_TRUST_HOST ??= 'true';
  // Each step checks for a stop begun meanwhile; stopAll() waits for the step under way.
  process.env.DATABASE_URL = await database(config);
  if (stopping) return;
  await runMigrations(process.env.DATABASE_URL);
  if (stopping) return;
  await simulator(config);
  if (stopping) return;
  const stopCatcher = await startMailCatcher(config, process.env, log);
  if (stopCatcher) stops.push(stopCatcher);
  if (stopping) return;
  if (!dev) await build();
  if (stopping) return;
  const server = await startAppServer({ dev, port: config.port });
  stops.push(() => server.stop(DRAIN_TIMEOUT_MS));
  if (stopping) return;
  log(`${config.mode} mode: serving ${config.appUrl}`);
}

startup = main();
startup.catch(async (err: unknown) => {
  if (stopping) return;
  console.error(`[reconnect] start failed: ${err instanceof Error ? err.message : String(err)}`);
  await stopAll();
  process.exit(1);
});
