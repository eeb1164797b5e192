// A second app instance from the same build, its DATABASE_URL through a PgBouncer of the spec's own in
// pool_mode=transaction (DATABASE_POOLER=transaction): a person signs in and connects Jira in Chromium there.
import { expect, test } from '@playwright/test';
import { spawn } from 'node:child_process';
import { freePort } from '../../lib/net';
import { startPooler, type Pooler } from '../helpers/pgbouncer';
import { connectProduct, e2eSql, retireConnectionsOf, signInAs, SIMULATOR_URL } from './helpers';

/** Serves the existing build on a free port with DATABASE_URL through `pooler`; its base URL and a stop. */
async function serveBuildBehind(pooler: Pooler): Promise<{ base: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const base = `http://localhost:${port}`;
  const child = spawn('node_modules/.bin/next', ['start', '-p', String(port)], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      APP_URL: base,
      DATABASE_URL: pooler.url,
      DATABASE_POOLER: 'transaction',
      DATABASE_DIRECT_URL: process.env.E2E_DATABASE_URL,
      ATLASSIAN_AUTH_URL: SIMULATOR_URL,
      ATLASSIAN_API_URL: SIMULATOR_URL,
      BITBUCKET_AUTH_URL: SIMULATOR_URL,
      BITBUCKET_API_URL: SIMULATOR_URL,
      RECONNECT_WORKER: 'off',
    },
    stdio: 'ignore',
  });
  await expect.poll(async () => (await fetch(`${base}/api/health`).catch(() => undefined))?.status, { timeout: 60_000 }).toBe(200);
  return {
    base,
    stop: () =>
      new Promise((resolve) => {
        const force = setTimeout(() => child.kill('SIGKILL'), 20_000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

test('through a transaction pooler: sign in and connect Jira on a second instance, listed right after', async ({ browser }) => {
  test.setTimeout(300_000); // a second instance starts (and stops) inside the test
  const sql = e2eSql();
  const pooler = await startPooler(process.env.E2E_DATABASE_URL!);
  const app = await serveBuildBehind(pooler);
  try {
    await retireConnectionsOf(sql, 'bob@example.com');
    const context = await browser.newContext({ baseURL: app.base });
    const page = await context.newPage();
    await signInAs(page, 'Bob Smith');
    const id = await connectProduct(page, 'Jira');
    await page.reload();
    await expect(page.getByRole('listitem', { name: 'Jira connection' }).getByTestId('status-badge')).toHaveText('Healthy');
    const [row] = await sql`select c.status from connections c join users u on u.id = c.user_id where c.id = ${id} and u.email = 'bob@example.com'`;
    expect(row?.status).toBe('active');
    await context.close();
  } finally {
    await app.stop();
    await pooler.stop();
    await sql.end();
  }
});
