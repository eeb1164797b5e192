// An app checkout served as `npm start` serves it (cli/start.ts: migrations, build when stale, the server),
// for the HTTP benchmarks; plus a keep-alive HTTP client. BENCH_BASELINE_DIR names a second checkout (e.g. the
// main branch before a change, with node_modules) to serve next to this one, so that both are measured in one run.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { TEST_KEYS } from '../tests/helpers/connections';
import { freePort } from '../lib/net';

export const ROOT = path.resolve(import.meta.dirname, '..');
export const AUTH_SECRET = 'http-benchmark-auth-secret-0123456789';

export interface AppUnderTest {
  label: string;
  dir: string;
}

/** This checkout, and the baseline checkout first when BENCH_BASELINE_DIR is set. */
export function appsUnderTest(): AppUnderTest[] {
  const baseline = process.env.BENCH_BASELINE_DIR;
  if (baseline && !existsSync(path.join(baseline, 'cli/start.ts'))) throw new Error(`BENCH_BASELINE_DIR=${baseline} is not a checkout`);
  return [...(baseline ? [{ label: `before (${path.basename(baseline)})`, dir: baseline }] : []), { label: 'after (this checkout)', dir: ROOT }];
}

export interface RunningApp {
  label: string;
  url: string;
  stop(): Promise<void>;
}

/** Starts `app` on the database and simulator given (plus `env.extra`), and resolves once /api/health answers 200. */
export async function startApp(
  app: AppUnderTest,
  env: { databaseUrl: string; simUrl: string; extra?: Record<string, string> },
  timeoutMs = 15 * 60_000,
): Promise<RunningApp> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const logFile = path.join(os.tmpdir(), `reconnect-bench-${path.basename(app.dir)}-${port}.log`);
  const log = createWriteStream(logFile);
  const child: ChildProcess = spawn(path.join(app.dir, 'node_modules/.bin/tsx'), ['cli/start.ts'], {
    cwd: app.dir,
    env: {
      ...process.env,
      DATABASE_URL: env.databaseUrl,
      ATLASSIAN_AUTH_URL: env.simUrl,
      ATLASSIAN_API_URL: env.simUrl,
      TOKEN_ENCRYPTION_KEY: TEST_KEYS.current.toString('base64'),
      AUTH_SECRET,
      APP_URL: url,
      PORT: String(port),
      RECONNECT_WORKER: 'off',
      NEXT_TELEMETRY_DISABLED: '1',
      ...env.extra,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout!.pipe(log);
  child.stderr!.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${app.label}: npm start exited (${child.exitCode}); see ${logFile}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${app.label}: not healthy in time; see ${logFile}`);
    }
    const status = await get(`${url}/api/health`).then((r) => r.status, () => 0);
    if (status === 200) break;
    await new Promise((r) => setTimeout(r, 500));
  }
  return {
    label: app.label,
    url,
    async stop() {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

const agent = new Agent({ keepAlive: true, maxSockets: 64 });

export interface Answer {
  status: number;
  body: string;
}

/** One request on a keep-alive connection; the whole body is read. */
export function send(method: string, url: string, headers: Record<string, string> = {}, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

export const get = (url: string, headers: Record<string, string> = {}) => send('GET', url, headers);

/** Milliseconds of one call, which must answer `expected`. */
export async function timed(call: () => Promise<Answer>, expected = 200): Promise<number> {
  const started = performance.now();
  const answer = await call();
  const ms = performance.now() - started;
  if (answer.status !== expected) throw new Error(`expected ${expected}, got ${answer.status}: ${answer.body.slice(0, 200)}`);
  return ms;
}
