// `npm start` / `npm run dev`: config check, database (embedded when DATABASE_URL is unset), migrations, the
// simulator in sandbox mode, a build when missing or stale, then Next.js served by cli/server.ts in this process.
// This one process owns the shutdown: SIGINT/SIGTERM stop everything in order and exit 0; a second signal forces.
// (package.json runs it with `exec`, so that npm's forwarded signal reaches this process and no shell is between.)
import type { ChildProcess } from 'node:child_process';
import path from 'node:path';
import { ConfigError, DEFAULT_SIMULATOR_PORT, loadConfig, type Config } from '../lib/config';
import { startEmbeddedPostgres } from '../lib/db/embedded';
import { directDatabaseUrl } from '../lib/db';
import { runMigrations } from '../lib/db/migrate';
import { createLogger } from '../lib/log';
import { startMailCatcher } from '../lib/notifications/catcher';
import { savedPort } from '../lib/simulator/persist';
import { startSimulator, type Simulator } from '../lib/sandbox/simulator';
import { ensureBuild } from './build';
import { startAppServer } from './server';

const dev = process.argv.includes('--dev');
/** How long a stop may take: token calls under way (15 s timeout each) commit, requests under way finish. */
const DRAIN_TIMEOUT_MS = 20_000;
/** Ctrl-C in a terminal reaches this process twice (from the terminal and through npm): one stop, not a forced one. */
const SAME_STOP_MS = 1_000;

const log = createLogger('reconnect');
const stops: Array<() => Promise<void>> = [];
const kills: Array<() => void> = [];
let buildChild: ChildProcess | undefined;

const seconds = (since: number) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

function readConfig(): Config {
  try {
    return loadConfig({ ...process.env, NODE_ENV: dev ? 'development' : 'production' });
  } catch (err) {
    if (err instanceof ConfigError) {
      log.error(err.message);
      process.exit(1);
    }
    throw err;
  }
}

async function database(config: Config): Promise<string> {
  if (config.databaseUrl) return config.databaseUrl;
  const started = Date.now();
  log.info('DATABASE_URL is unset: starting the embedded Postgres');
  const db = await startEmbeddedPostgres(path.join(config.dataDir, 'pg'), (line) => log.debug(line), (dir) =>
    log.info(`first start: installing the embedded Postgres in ${dir} (later starts reuse it)`),
  );
  stops.push(() => db.stop());
  kills.push(() => db.kill());
  log.info(`embedded Postgres ready in ${seconds(started)}, data in ${db.dataDir}`);
  return db.url;
}

// Over DATABASE_DIRECT_URL (default DATABASE_URL): the migration lock is a session advisory lock.
async function migrate(): Promise<void> {
  const started = Date.now();
  log.info('applying database migrations');
  await runMigrations(directDatabaseUrl());
  log.info(`migrations applied in ${seconds(started)}`);
}

// Sandbox mode: the simulator keeps its state next to the database and comes back on its port when it is free.
// SANDBOX_SIMULATOR_PORT chooses the port: then that one or none (a clear error), never another.
async function simulator(config: Config): Promise<void> {
  if (config.mode !== 'sandbox' || (process.env.ATLASSIAN_AUTH_URL && process.env.ATLASSIAN_API_URL)) return;
  const stateFile = path.join(config.dataDir, 'sandbox.json');
  const chosen = config.sandboxPorts.simulator;
  const port = chosen ?? savedPort(stateFile) ?? DEFAULT_SIMULATOR_PORT;
  let sim: Simulator;
  try {
    sim = await startSimulator({ port, stateFile });
  } catch (err) {
    if (chosen !== undefined) {
      throw new Error(`SANDBOX_SIMULATOR_PORT=${chosen}: the simulator cannot listen there (${err instanceof Error ? err.message : String(err)})`);
    }
    sim = await startSimulator({ port: 0, stateFile });
  }
  stops.push(() => sim.stop());
  process.env.ATLASSIAN_AUTH_URL ||= sim.url;
  process.env.ATLASSIAN_API_URL ||= sim.url;
  process.env.BITBUCKET_AUTH_URL ||= sim.url;
  process.env.BITBUCKET_API_URL ||= sim.url;
  log.info(`Atlassian and Bitbucket simulator at ${sim.url}, state in ${stateFile}`);
}

let stopping: Promise<void> | undefined;
let startup: Promise<void> = Promise.resolve();
let firstSignalAt = 0;

/** Lets the step under way finish (a build is cut short), then stops in reverse order of start. */
function stopAll(): Promise<void> {
  stopping ??= (async () => {
    buildChild?.kill('SIGTERM');
    await startup.catch(() => {});
    for (const stop of stops.reverse()) await stop().catch((err: unknown) => log.error(`stop: ${String(err)}`));
  })();
  return stopping;
}

function onSignal(signal: NodeJS.Signals): void {
  if (!firstSignalAt) {
    firstSignalAt = Date.now();
    log.info(`${signal}: stopping (send it again to force)`);
    void stopAll().then(() => {
      log.info('stopped');
      process.exit(0);
    });
    return;
  }
  if (Date.now() - firstSignalAt < SAME_STOP_MS) return;
  log.warn(`${signal} again: forcing the stop`);
  buildChild?.kill('SIGKILL');
  for (const kill of kills) kill();
  process.exit(signal === 'SIGINT' ? 130 : 143);
}

async function main(): Promise<void> {
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const config = readConfig();
  if (!dev && !config.metricsToken) {
    log.warn('METRICS_TOKEN is unset: /api/metrics is open to anyone who can reach the app (set it to require a Bearer token)');
  }
  // Read by Next.js and React when they load (below), and by the build.
  Object.assign(process.env, { NODE_ENV: dev ? 'development' : 'production' });
  process.env.NEXT_TELEMETRY_DISABLED ??= '1';
  process.env.AUTH_TRUST_HOST ??= 'true';
  // Each step checks for a stop begun meanwhile; stopAll() waits for the step under way.
  process.env.DATABASE_URL = await database(config);
  if (stopping) return;
  await migrate();
  if (stopping) return;
  await simulator(config);
  if (stopping) return;
  const stopCatcher = await startMailCatcher(config, process.env, (m) => log.info(m));
  if (stopCatcher) stops.push(stopCatcher);
  if (stopping) return;
  if (!dev) {
    const stopped = () => stopping !== undefined;
    const unregister = await ensureBuild({ log, logFile: path.join(config.dataDir, 'build.log'), stopped, onChild: (c) => (buildChild = c) }, true);
    stops.unshift(async () => unregister());
    if (stopping) return;
  }
  const server = await startAppServer({ dev, port: config.port });
  stops.push(() => server.stop(DRAIN_TIMEOUT_MS));
  if (stopping) return;
  log.info(`ready in ${process.uptime().toFixed(1)} s: ${config.appUrl} (${config.mode} mode${dev ? ', development' : ''})`);
}

startup = main();
startup.catch(async (err: unknown) => {
  if (stopping) return;
  log.error(`start failed: ${err instanceof Error ? err.message : String(err)}`);
  await stopAll();
  process.exit(1);
});
