// Headers chosen at run time: HSTS follows the APP_URL the app RUNS with (one build, two runs), and the
// CSP gives every response its own script nonce, with no 'unsafe-inline' for scripts, while pages still
// hydrate and run their JavaScript without a single CSP violation.
import { expect, test, type Page } from '@playwright/test';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { freePort } from '../../lib/net';
import { connectProduct, e2eSql, retireConnectionsOf, signInAs, SIMULATOR_URL } from './helpers';

const BUILD_ID = () => readFileSync('.next/BUILD_ID', 'utf8');

function scriptSrc(csp: string): string {
  return csp.split(';').map((d) => d.trim()).find((d) => d.startsWith('script-src')) ?? '';
}

/** Serves the existing build (no new build) with `appUrl` as APP_URL; returns its base URL and a stop function. */
async function serveBuildWith(appUrl: string): Promise<{ base: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn('node_modules/.bin/next', ['start', '-p', String(port)], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      APP_URL: appUrl,
      SANDBOX_ALLOW_PUBLIC: 'true', // the sandbox on a public https URL, opted in (docs/configuration.md)
      DATABASE_URL: process.env.E2E_DATABASE_URL,
      ATLASSIAN_AUTH_URL: SIMULATOR_URL,
      ATLASSIAN_API_URL: SIMULATOR_URL,
      RECONNECT_WORKER: 'off',
    },
    stdio: 'ignore',
  });
  const base = `http://127.0.0.1:${port}`;
  await expect.poll(async () => (await fetch(`${base}/api/health`).catch(() => undefined))?.status, { timeout: 60_000 }).toBe(200);
  return {
    base,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

test('HSTS follows APP_URL at run time: one build, sent under an https APP_URL and not under http', async ({ request }) => {
  const build = BUILD_ID();
  // The app under test runs with an http APP_URL.
  for (const path of ['/signin', '/api/health']) {
    expect((await request.get(path)).headers()['strict-transport-security'], path).toBeUndefined();
  }
  // The same build, served with an https APP_URL.
  const https = await serveBuildWith('https://reconnect.example.com');
  try {
    for (const path of ['/signin', '/api/health', '/']) {
      const res = await fetch(`${https.base}${path}`, { redirect: 'manual' });
      expect(res.headers.get('strict-transport-security'), path).toBe('max-age=63072000; includeSubDomains');
      expect(res.headers.get('content-security-policy'), path).toContain('upgrade-insecure-requests');
    }
  } finally {
    await https.stop();
  }
  expect(BUILD_ID(), 'no new build was made').toBe(build);
});

test('every page gets its own script nonce, no inline script runs without it, and no script is left without it', async ({ request }) => {
  const nonces = new Set<string>();
  for (let i = 0; i < 3; i++) {
    const res = await request.get('/signin');
    const csp = res.headers()['content-security-policy'] ?? '';
    const scripts = scriptSrc(csp);
    expect(scripts).not.toContain("'unsafe-inline'");
    expect(scripts).not.toContain("'unsafe-eval'");
    const nonce = /'nonce-([A-Za-z0-9+/=]+)'/.exec(scripts)?.[1];
    expect(nonce, `script-src: ${scripts}`).toBeTruthy();
    nonces.add(nonce!);
    // Every <script> Next rendered carries this response's nonce.
    const html = await res.text();
    const tags = html.match(/<script\b[^>]*>/g) ?? [];
    expect(tags.length).toBeGreaterThan(0);
    for (const tag of tags) expect(tag, tag).toContain(`nonce="${nonce}"`);
  }
  expect(nonces.size).toBe(3);
});

async function watchCsp(page: Page): Promise<string[]> {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => console.error(`Content Security Policy violation: ${e.violatedDirective} ${e.blockedURI}`));
  });
  return violations;
}

test('pages hydrate under the strict CSP: a button handled by JavaScript works, with no CSP violation', async ({ page }) => {
  const violations = await watchCsp(page);
  const sql = e2eSql();
  try {
    await retireConnectionsOf(sql, 'alice@example.com');
    await signInAs(page, 'Alice Jones');
    await connectProduct(page, 'Jira');
    // A marker that a full page load would wipe: the answer below must arrive through React, in place.
    await page.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
    const card = page.getByRole('listitem', { name: 'Jira connection' });
    await card.getByRole('button', { name: 'Test connection' }).click();
    await expect(page.getByTestId('toast').getByText(/the connection works/)).toBeVisible();
    expect(await page.evaluate(() => (window as unknown as { stayed?: boolean }).stayed)).toBe(true);
    for (const path of ['/', '/signin', '/sandbox']) await page.goto(path);
  } finally {
    await sql.end();
  }
  expect(violations).toEqual([]);
});

test('the service API answers with a fixed CSP that lets nothing load or frame it', async ({ request }) => {
  const res = await request.get('/api/v1/connections');
  expect(res.status()).toBe(401);
  expect(res.headers()['content-security-policy']).toBe("default-src 'none'; frame-ancestors 'none'");
  expect(res.headers()['x-content-type-options']).toBe('nosniff');
});
