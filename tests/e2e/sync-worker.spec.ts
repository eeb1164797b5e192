// The example consumer (examples/sync-worker) against the real app and simulator: it syncs, survives a
// token rotation behind its back, pauses when the grant is revoked, and resumes on the
// `connection.reconnected` webhook after the user follows the reconnect link it was given.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { expect, test } from '@playwright/test';
import { createApiKey } from '../../lib/api-keys';
import { Reconnect } from '../../client/src/index';
import { e2eSql, retireConnectionsOf, sim, userWithConnection, waitForWorkerRefresh } from './helpers';
import { dbFor } from '../../lib/db';

const ALICE = 'alice@example.com';

type Line = { event: string; [field: string]: unknown };

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Starts the worker; its JSON lines collect in `lines`. */
function startWorker(env: Record<string, string>): { child: ChildProcess; lines: Line[]; stderr: string[] } {
  const child = spawn('node_modules/.bin/tsx', ['examples/sync-worker/index.ts'], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Line[] = [];
  const stderr: string[] = [];
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    const parts = buffer.split('\n');
    buffer = parts.pop() ?? '';
    for (const part of parts) if (part.trim()) lines.push(JSON.parse(part) as Line);
  });
  child.stderr!.on('data', (chunk: Buffer) => stderr.push(chunk.toString('utf8')));
  return { child, lines, stderr };
}

test('the sync worker survives a rotation and a revoke-and-reconnect cycle', async ({ browser }) => {
  test.setTimeout(120_000);
  const baseUrl = test.info().project.use.baseURL!;
  const sql = e2eSql();
  await retireConnectionsOf(sql, ALICE);
  const apiKey = (await createApiKey(dbFor(sql), 'sync worker')).key;
  const { id, page } = await userWithConnection(browser, 'Alice Jones', 'Jira');
  await waitForWorkerRefresh(sql, [id]);

  const reconnect = new Reconnect({ baseUrl, apiKey });
  const port = await freePort();
  const endpoint = await reconnect.webhookEndpoints.create({
    url: `http://127.0.0.1:${port}/webhooks`,
    events: ['connection.needs_reauth', 'connection.reconnected'],
  });
  const worker = startWorker({
    RECONNECT_URL: baseUrl,
    RECONNECT_API_KEY: apiKey,
    CONNECTION_ID: id,
    WEBHOOK_SECRET: endpoint.secret,
    WEBHOOK_PORT: String(port),
    INTERVAL_MS: '300',
  });
  const after = (index: number, event: string) => () => worker.lines.slice(index).find((l) => l.event === event);
  try {
    await expect.poll(after(0, 'synced'), { timeout: 30_000 }).toMatchObject({ issues: 3, known: 3 });

    // Rotation behind the worker's back: the token it holds is revoked by Atlassian.
    const before = await sim.counters();
    await reconnect.accessToken(id, { minValiditySeconds: 3600 });
    let mark = worker.lines.length;
    await expect.poll(async () => (await sim.counters()).api_unauthorized - before.api_unauthorized, { timeout: 15_000 }).toBeGreaterThan(0);
    await expect.poll(after(worker.lines.length, 'synced'), { timeout: 15_000 }).toMatchObject({ issues: 3 });
    expect(worker.lines.slice(mark).filter((l) => l.event !== 'synced')).toEqual([]);

    // The user revokes the app: the worker stops with the link to send them to.
    mark = worker.lines.length;
    await sim.revokeApp(ALICE);
    await expect.poll(after(mark, 'paused'), { timeout: 15_000 }).toMatchObject({ reason: 'revoked' });
    const paused = after(mark, 'paused')()!;
    expect(String(paused.reconnect_url).startsWith(`${baseUrl}/connect/`)).toBe(true);
    const pausedAt = worker.lines.length;
    expect((await reconnect.connections.get(id)).status).toBe('needs_reauth');

    // The user follows the link and consents again; the webhook wakes the worker.
    await page.goto(String(paused.reconnect_url));
    await page.getByRole('button', { name: 'Accept' }).click();
    await expect(page.getByRole('status')).toHaveText('Jira reconnected — it is healthy again.');
    await expect.poll(after(pausedAt, 'resumed'), { timeout: 20_000 }).toBeTruthy();
    await expect.poll(after(pausedAt, 'synced'), { timeout: 15_000 }).toMatchObject({ issues: 3 });
    // Paused means paused: nothing between the pause and the resume.
    const resumedAt = worker.lines.findIndex((l, i) => i >= pausedAt && l.event === 'resumed');
    expect(worker.lines.slice(pausedAt, resumedAt)).toEqual([]);
    expect((await reconnect.connections.get(id)).status).toBe('active');
    expect(worker.lines.filter((l) => l.event === 'error')).toEqual([]);
    expect(worker.stderr.join('')).toBe('');
  } finally {
    worker.child.kill('SIGTERM');
    await reconnect.webhookEndpoints.delete(endpoint.id);
    await page.context().close();
    await sql.end();
  }
});
