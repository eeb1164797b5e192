// `npm start` in sandbox mode on the ports SANDBOX_SIMULATOR_PORT and SANDBOX_MAIL_PORT choose: the simulator and the
// mail catcher listen there (they answer), and a chosen port that is taken stops start-up with a line naming its
// variable instead of moving elsewhere. Runs cli/start.ts on the test database (no embedded Postgres) and stops it
// with SIGTERM once both servers answer, before the app itself is up.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SimulatorControl } from '@/lib/providers/atlassian/simulator/client';
import { freePort } from '@/lib/net';

mkdirSync('test-results', { recursive: true });
const dataDir = mkdtempSync(path.resolve('test-results/sandbox-ports-'));
const children: ChildProcess[] = [];

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.pid) process.kill(-child.pid, 'SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function start(env: Record<string, string>): Started {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, RECONNECT_DATA_DIR: dataDir, RECONNECT_WORKER: 'off', ...env };
  // Sandbox mode with its own simulator and mail catcher: nothing may point elsewhere.
  for (const name of ['ATLASSIAN_AUTH_URL', 'ATLASSIAN_API_URL', 'BITBUCKET_AUTH_URL', 'BITBUCKET_API_URL', 'ATLASSIAN_CLIENT_ID', 'BITBUCKET_CLIENT_ID', 'SMTP_URL']) {
    delete childEnv[name];
  }
  const child = spawn(process.execPath, ['--import', 'tsx', 'cli/start.ts'], { env: childEnv, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  children.push(child);
  let output = '';
  child.stdout!.on('data', (d) => (output += String(d)));
  child.stderr!.on('data', (d) => (output += String(d)));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

async function waitFor(run: Started, re: RegExp, ms = 60_000): Promise<RegExpExecArray> {
  const until = Date.now() + ms;
  for (;;) {
    const m = re.exec(run.output());
    if (m) return m;
    if (run.child.exitCode !== null) throw new Error(`cli/start.ts exited (${run.child.exitCode}) before ${re}:\n${run.output()}`);
    if (Date.now() > until) throw new Error(`${re} not seen within ${ms} ms:\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The first line an SMTP server sends on connect (its 220 greeting). */
function smtpGreeting(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    socket.setTimeout(5_000, () => socket.destroy(new Error('no SMTP greeting within 5 s')));
    socket.once('data', (d) => {
      socket.end('QUIT\r\n');
      resolve(String(d));
    });
    socket.once('error', reject);
  });
}

const portFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

function occupy(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}

/** Three different free ports: the app's, the simulator's and the mail catcher's. */
async function threePorts(): Promise<[number, number, number]> {
  const ports = new Set<number>();
  while (ports.size < 3) ports.add(await freePort());
  return [...ports] as [number, number, number];
}

describe('npm start with SANDBOX_SIMULATOR_PORT and SANDBOX_MAIL_PORT', () => {
  it('runs the simulator and the mail catcher on the chosen ports; both answer there, and stop with the app', { timeout: 120_000 }, async () => {
    const [app, simPort, mailPort] = await threePorts();
    const run = start({ PORT: String(app), SANDBOX_SIMULATOR_PORT: String(simPort), SANDBOX_MAIL_PORT: String(mailPort) });
    await waitFor(run, /mail catcher at smtp:\/\/127\.0\.0\.1:\d+/);
    expect(run.output()).toContain(`simulator at http://127.0.0.1:${simPort},`);
    expect(run.output()).toContain(`mail catcher at smtp://127.0.0.1:${mailPort} `);
    // The simulator answers its control API on the chosen port, the catcher greets like an SMTP server.
    expect((await new SimulatorControl(`http://127.0.0.1:${simPort}`).clock()).offset_seconds).toBe(0);
    expect(await smtpGreeting(mailPort)).toMatch(/^220 /);

    run.child.kill('SIGTERM');
    expect(await run.exited).toBe(0);
    expect(await portFree(simPort)).toBe(true);
    expect(await portFree(mailPort)).toBe(true);
  });

  it.each([
    ['SANDBOX_SIMULATOR_PORT', 'the simulator'],
    ['SANDBOX_MAIL_PORT', 'the mail catcher'],
  ])('a taken %s stops start-up with one line naming it (never another port)', { timeout: 120_000 }, async (variable, server) => {
    const [app, simPort, mailPort] = await threePorts();
    const taken = variable === 'SANDBOX_SIMULATOR_PORT' ? simPort : mailPort;
    const squatter = await occupy(taken);
    try {
      const run = start({ PORT: String(app), SANDBOX_SIMULATOR_PORT: String(simPort), SANDBOX_MAIL_PORT: String(mailPort) });
      expect(await run.exited).toBe(1);
      const failed = run.output().split('\n').filter((l) => l.includes('start failed'));
      expect(failed).toHaveLength(1);
      expect(failed[0]).toContain(`${variable}=${taken}: ${server} cannot listen there`);
      // Not moved to another port: the server on the taken port never started.
      expect(run.output()).not.toContain(variable === 'SANDBOX_SIMULATOR_PORT' ? 'simulator at' : 'mail catcher at');
    } finally {
      squatter.close();
    }
    // Whatever had started before the failure was stopped.
    expect(await portFree(variable === 'SANDBOX_SIMULATOR_PORT' ? mailPort : simPort)).toBe(true);
  });
});
