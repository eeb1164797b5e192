// `npm run screenshots`: drives the app in sandbox mode through Debian's Chromium and writes PNGs of the main
// pages to docs/screenshots/. Like the e2e run (tests/e2e/run.ts, playwright.config.ts): a fresh database, the
// simulator, `node --import tsx cli/start.ts` on a free port. Not part of the tests.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { freePort } from '../lib/net';
import { chromium, type Browser, type Page } from '@playwright/test';
import postgres from 'postgres';
import { SimulatorControl } from '../lib/providers/atlassian/simulator/client';
import { startSimulator } from '../lib/sandbox/simulator';
import { createTestDatabase } from '../tests/helpers/database';

const OUT = 'docs/screenshots';
const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const APP_LOG = 'test-results/screenshots-app.log';

async function waitForHealth(url: string, app: ChildProcess): Promise<void> {
  const deadline = Date.now() + 15 * 60_000; // the first start builds the app
  while (Date.now() < deadline) {
    if (app.exitCode !== null) throw new Error(`the app exited (${app.exitCode}); see ${APP_LOG}`);
    const ok = await fetch(`${url}/api/health`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error(`the app did not become healthy; see ${APP_LOG}`);
}

function startApp(port: number, databaseUrl: string, simulatorUrl: string): ChildProcess {
  mkdirSync('test-results', { recursive: true });
  const log = createWriteStream(APP_LOG);
  const app = spawn('node', ['--import', 'tsx', 'cli/start.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      APP_URL: `http://localhost:${port}`,
      DATABASE_URL: databaseUrl,
      ATLASSIAN_AUTH_URL: simulatorUrl,
      ATLASSIAN_API_URL: simulatorUrl,
      BITBUCKET_AUTH_URL: simulatorUrl,
      BITBUCKET_API_URL: simulatorUrl,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  app.stdout!.pipe(log);
  app.stderr!.pipe(log);
  return app;
}

async function capture(page: Page, name: string): Promise<void> {
  await page.waitForLoadState('networkidle').catch(() => {});
  await page.screenshot({ path: `${OUT}/${name}.png` });
  console.log(`  ${OUT}/${name}.png`);
}

async function signIn(page: Page, name: string): Promise<void> {
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign in with Atlassian' }).click();
  await page.getByRole('button', { name: `Sign in as ${name}` }).click();
  await page.getByRole('button', { name: 'Accept' }).click();
  await page.getByRole('heading', { name: 'My connections' }).waitFor();
}

async function connect(page: Page, product: 'Jira' | 'Confluence' | 'Bitbucket'): Promise<string> {
  await page.getByRole('button', { name: `Connect ${product}`, exact: true }).click();
  await page.getByRole('button', { name: product === 'Bitbucket' ? 'Grant access' : 'Accept' }).click();
  const card = page.getByRole('listitem', { name: `${product} connection` });
  await card.getByTestId('status-badge').getByText('Healthy').waitFor();
  const href = await card.getByRole('link', { name: product, exact: true }).getAttribute('href');
  return href!.split('/').pop()!;
}

async function pressTest(page: Page, product: string, badge: string): Promise<void> {
  const card = page.getByRole('listitem', { name: `${product} connection` });
  await card.getByRole('button', { name: 'Test connection' }).click();
  await card.getByTestId('status-badge').getByText(badge).waitFor();
  await page.getByRole('button', { name: 'Testing…' }).waitFor({ state: 'detached' }).catch(() => {});
}

async function tour(browser: Browser, baseURL: string, simulatorUrl: string, databaseUrl: string): Promise<void> {
  const sim = new SimulatorControl(simulatorUrl);
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  const expire = (id: string) => sql`update connections set access_expires_at = now() - interval '1 minute' where id = ${id}`;
  try {
    const signedOut = await browser.newPage({ baseURL, viewport: DESKTOP });
    await signedOut.goto('/signin');
    await capture(signedOut, 'sign-in');
    await signedOut.close();

    // Both sign in before the token-endpoint fault below (sign-in uses that endpoint too).
    const admin = await browser.newPage({ baseURL, viewport: DESKTOP });
    await signIn(admin, 'Ada Admin');
    const page = await browser.newPage({ baseURL, viewport: DESKTOP });
    await signIn(page, 'Alice Jones');
    await connect(page, 'Jira');
    const confluence = await connect(page, 'Confluence');
    const bitbucket = await connect(page, 'Bitbucket');
    for (let i = 0; i < 3; i++) await pressTest(page, 'Jira', 'Healthy');

    // Broken: Bitbucket access revoked. Retrying: Atlassian's token endpoint answers 503 to Confluence's refresh.
    await fetch(`${simulatorUrl}/_control/bitbucket/users/alice%40example.com/revoke`, { method: 'POST' });
    await expire(bitbucket);
    await pressTest(page, 'Bitbucket', 'Needs reconnect');
    await sim.addFault({ kind: 'status', status: 503, target: 'token', provider: 'atlassian' });
    await expire(confluence);
    await pressTest(page, 'Confluence', 'Retrying');
    await pressTest(page, 'Confluence', 'Retrying');
    await page.goto('/');
    await capture(page, 'home');
    await page.setViewportSize(PHONE);
    await capture(page, 'home-phone');
    await page.setViewportSize(DESKTOP);

    await page.goto(`/connections/${confluence}`);
    await capture(page, 'connection-detail');
    await page.goto('/sandbox');
    await capture(page, 'sandbox');
    await page.goto('/connections/00000000-0000-4000-8000-000000000000');
    await capture(page, 'not-found');

    await admin.goto('/admin');
    await capture(admin, 'admin');
    await admin.emulateMedia({ colorScheme: 'dark' });
    await admin.waitForTimeout(500); // let the colour transitions finish
    await capture(admin, 'admin-dark');
    await admin.emulateMedia({ colorScheme: 'light' });
    await admin.goto('/admin/webhooks');
    await capture(admin, 'admin-webhooks');
    await admin.goto('/admin/api-keys');
    await capture(admin, 'admin-api-keys');
  } finally {
    await sim.clearFaults().catch(() => {});
    await sql.end();
  }
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const db = await createTestDatabase('screenshots');
  const simulator = await startSimulator({ port: 0 });
  const port = Number(process.env.SCREENSHOTS_PORT ?? (await freePort()));
  const baseURL = `http://localhost:${port}`;
  const app = startApp(port, db.url, simulator.url);
  let browser: Browser | undefined;
  try {
    console.log(`starting the app on ${baseURL} (log: ${APP_LOG})`);
    await waitForHealth(baseURL, app);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
    console.log(`writing ${OUT}/:`);
    await tour(browser, baseURL, simulator.url, db.url);
  } finally {
    await browser?.close();
    app.kill('SIGTERM');
    await new Promise((r) => (app.exitCode !== null ? r(undefined) : app.once('exit', r)));
    await simulator.stop();
    await db.drop();
  }
}

await main();
