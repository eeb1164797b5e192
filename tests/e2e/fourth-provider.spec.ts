// The proof that a provider is one folder: the test-only Acme provider (tests/fixtures/providers/acme/,
// one registry line) shows its Connect button, goes through its consent screen and gets its card — on a
// second app server started with RECONNECT_TEST_PROVIDERS=true. The suite's own server (flag off) shows
// none of it: no button, no admin filter option.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { expect, test } from '@playwright/test';
import { startAcmeSimulator, type AcmeSimulator } from '../fixtures/providers/acme/simulator';
import { e2eSql, retireConnectionsOf, shot, signInAs, SIMULATOR_URL } from './helpers';

const PORT = Number(process.env.E2E_PORT ?? 3100) + 50;
const TEST_APP = `http://localhost:${PORT}`;
let acme: AcmeSimulator;
let app: ChildProcess;

async function healthy(url: string): Promise<boolean> {
  return fetch(`${url}/api/health`).then((r) => r.ok, () => false);
}

test.describe.configure({ mode: 'serial', timeout: 600_000 });

test.beforeAll(async () => {
  test.setTimeout(600_000);
  acme = await startAcmeSimulator();
  const sim = { AUTH_URL: SIMULATOR_URL, API_URL: SIMULATOR_URL };
  app = spawn('node', ['--import', 'tsx', 'cli/start.ts'], {
    env: {
      ...process.env,
      PORT: String(PORT),
      APP_URL: TEST_APP,
      DATABASE_URL: process.env.E2E_DATABASE_URL,
      ...Object.fromEntries(['ATLASSIAN', 'BITBUCKET'].flatMap((p) => Object.entries(sim).map(([k, v]) => [`${p}_${k}`, v]))),
      RECONNECT_TEST_PROVIDERS: 'true',
      ACME_AUTH_URL: acme.url,
      ACME_API_URL: acme.url,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const log = createWriteStream('test-results/e2e/fourth-provider-app.log');
  app.stdout?.pipe(log);
  app.stderr?.pipe(log);
  await expect.poll(() => healthy(TEST_APP), { timeout: 540_000, intervals: [1000] }).toBe(true);
});

test.afterAll(async () => {
  if (app && app.exitCode === null) {
    const exited = new Promise((resolve) => app.once('exit', resolve));
    app.kill('SIGTERM');
    await exited;
  }
  await acme?.stop();
});

test('a test-only provider shows its Connect button and, once connected, its card', async ({ page }) => {
  const sql = e2eSql();
  await retireConnectionsOf(sql, 'admin@example.com');
  await sql.end();
  await page.goto(`${TEST_APP}/`);
  await page.getByRole('button', { name: 'Sign in with Atlassian' }).click();
  await page.getByRole('button', { name: 'Sign in as Ada Admin' }).click();
  await page.getByRole('button', { name: 'Accept' }).click();
  await expect(page.getByRole('heading', { name: 'My connections' })).toBeVisible();

  await page.getByRole('button', { name: 'Connect Acme Boards', exact: true }).click();
  await expect(page.getByRole('heading', { name: 'Allow Reconnect to use Acme Boards?' })).toBeVisible();
  await page.getByRole('button', { name: 'Accept' }).click();
  await expect(page.getByRole('status')).toHaveText('Acme Boards connected.');
  const card = page.getByRole('listitem', { name: 'Acme Boards connection' });
  await expect(card.getByTestId('status-badge')).toHaveText('Healthy');
  await shot(page, 'fourth-provider-card');
});

test('without the flag, the app offers no test-only provider', async ({ page }) => {
  // The first test's Acme card would still be listed, and its "Reconnect Acme Boards" button matches the locator.
  const sql = e2eSql();
  await retireConnectionsOf(sql, 'admin@example.com');
  await sql.end();
  await signInAs(page, 'Ada Admin');
  await expect(page.getByRole('button', { name: 'Connect Jira', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Connect Acme Boards' })).toHaveCount(0);
  await page.goto('/admin');
  await expect(page.getByRole('combobox', { name: 'Product' }).locator('option')).toHaveText(['Any', 'Jira', 'Confluence', 'Bitbucket']);
});
