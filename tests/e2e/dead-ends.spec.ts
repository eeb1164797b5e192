// Every dead end is a page of the app: its status, its heading, inside the app's layout, no secret in it, no serious
// accessibility violation, and a button that leads on (clicked here). Real Chromium, real simulator, real Postgres.
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type Page } from '@playwright/test';
import { createHash } from 'node:crypto';
import { createConnectSession } from '../../lib/connect-sessions';
import { dbFor } from '../../lib/db';
import { connectProduct, e2eSql, retireConnectionsOf, signInAs, SIMULATOR_URL } from './helpers';

// Each test walks several pages and scans each with axe: more than the default budget on a busy machine.
test.describe.configure({ timeout: 240_000 });

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

/** A fresh connect link for `email` (as POST /api/v1/connect-sessions makes it); returns its URL and token. */
async function connectLink(input: { user_email: string; product: 'jira' } | { connection_id: string }) {
  const sql = e2eSql();
  try {
    const link = await createConnectSession(dbFor(sql), new URL(test.info().project.use.baseURL!).origin, input);
    return { url: link.url, token: link.url.split('/').pop()! };
  } finally {
    await sql.end();
  }
}

async function liveConnectionsOf(email: string): Promise<number> {
  const sql = e2eSql();
  try {
    const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from connections c join users u on u.id = c.user_id
      where u.email = ${email} and c.status <> 'disconnected'`;
    return n;
  } finally {
    await sql.end();
  }
}

/**
 * The page now shown is the dead end `heading`: answered with `status` (asked again from the same browser), inside
 * the app's layout (header with the product mark), without any of `secrets`, and with no serious axe violation.
 */
async function expectDeadEnd(page: Page, status: number, heading: string | RegExp, secrets: string[] = []): Promise<void> {
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
  const again = await page.request.get(page.url(), { maxRedirects: 0 });
  expect(again.status(), `${page.url()} status`).toBe(status);
  await expect(page.getByRole('banner').getByRole('link', { name: 'Reconnect' })).toBeVisible();
  await expect(page.getByTestId('dead-end')).toBeVisible();
  const html = await page.content();
  for (const secret of secrets) {
    expect(html, 'a secret in the page').not.toContain(secret);
    expect(page.url(), 'a secret in the URL').not.toContain(secret);
  }
  expect(page.url()).not.toMatch(/[?&](state|code|token)=/);
  const axe = await new AxeBuilder({ page }).analyze();
  const serious = axe.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  expect(serious.map((v) => `${v.id}: ${v.help}`)).toEqual([]);
}

test('consent cancelled on connect: "You cancelled", nothing connected, back to the connections', async ({ page }) => {
  await signInAs(page, 'Alice Jones');
  const before = await liveConnectionsOf('alice@example.com');
  await page.getByRole('button', { name: 'Connect Jira', exact: true }).click();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expect(page).toHaveURL(/\/problem\/cancelled\?product=jira$/);
  await expectDeadEnd(page, 400, 'You cancelled');
  await expect(page.getByTestId('dead-end')).toContainText('Nothing changed');
  await expect(page.getByTestId('dead-end')).toContainText('To connect Jira, press its Connect button again');
  expect(await liveConnectionsOf('alice@example.com')).toBe(before);
  await page.getByRole('link', { name: 'Back to your connections' }).click();
  await expect(page.getByRole('heading', { name: 'My connections' })).toBeVisible();
});

test('consent cancelled on sign-in: nobody signed in, "Sign in" leads back to the sign-in page', async ({ page }) => {
  await page.goto('/signin');
  await page.getByRole('button', { name: 'Sign in with Atlassian' }).click();
  await page.getByRole('button', { name: 'Sign in as Alice Jones' }).click();
  await page.getByRole('button', { name: 'Cancel' }).click();
  await expectDeadEnd(page, 400, 'You cancelled');
  await expect(page.getByTestId('dead-end')).toContainText('nobody was signed in');
  await page.getByTestId('dead-end').getByRole('link', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/signin$/);
  await expect(page.getByRole('button', { name: 'Sign in with Atlassian' })).toBeVisible();
});

test('a connect link opened signed out says what it is for; once used, it says so (410)', async ({ browser }) => {
  const sql = e2eSql();
  await retireConnectionsOf(sql, 'alice@example.com'); // specs share one database
  await sql.end();
  const link = await connectLink({ user_email: 'alice@example.com', product: 'jira' });
  const page = await newPage(browser);
  await page.goto(link.url);
  await expect(page).toHaveURL(/\/signin\?next=/);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in to connect Jira');
  const purpose = page.getByText('This link connects Jira for a…@example.com');
  await expect(purpose).toBeVisible();
  await expect(page.getByRole('listitem').filter({ hasText: 'signs you in to Reconnect' })).toBeVisible();
  await expect(page.getByRole('listitem').filter({ hasText: 'asks you to allow Reconnect to use Jira' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign in with Atlassian' }).click();
  await page.getByRole('button', { name: 'Sign in as Alice Jones' }).click();
  await page.getByRole('button', { name: 'Accept' }).click(); // sign-in
  await page.getByRole('button', { name: 'Accept' }).click(); // Jira
  await expect(page.getByRole('status')).toHaveText('Jira connected.');

  await page.goto(link.url);
  await expect(page).toHaveURL(/\/problem\/link-used$/);
  await expectDeadEnd(page, 410, 'This link was already used', [link.token]);
  await page.getByRole('link', { name: 'Back to your connections' }).click();
  await expect(page.getByRole('heading', { name: 'My connections' })).toBeVisible();
});

test('an expired connect link: 410, "This link has expired", nothing used', async ({ page }) => {
  const link = await connectLink({ user_email: 'alice@example.com', product: 'jira' });
  const sql = e2eSql();
  await sql`update connect_sessions set expires_at = now() - interval '1 minute' where token_hash = ${sha256(link.token)}`;
  await page.goto(link.url);
  await expectDeadEnd(page, 410, 'This link has expired', [link.token]);
  await expect(page.getByTestId('dead-end')).toContainText('If it came in an email from Reconnect, open the newest one or reconnect from your connections page');
  const [row] = await sql`select used_at from connect_sessions where token_hash = ${sha256(link.token)}`;
  await sql.end();
  expect(row.used_at).toBeNull();
  await page.getByTestId('dead-end').getByRole('link', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/signin$/);
});

test('an unknown connect link: 404 "This link is not valid"', async ({ page }) => {
  await page.goto('/connect/not-a-real-link-token');
  await expectDeadEnd(page, 404, 'This link is not valid', ['not-a-real-link-token']);
});

test('a link for another user: 403, says who you are, never whom it is for; "Sign out" lands on /signed-out', async ({ browser }) => {
  const link = await connectLink({ user_email: 'alice@example.com', product: 'jira' });
  const bob = await newPage(browser);
  await signInAs(bob, 'Bob Smith');
  await bob.goto(link.url);
  await expect(bob).toHaveURL(/\/problem\/link-wrong-user$/);
  await expectDeadEnd(bob, 403, 'This link is for someone else', [link.token, 'alice@example.com', 'Alice']);
  await expect(bob.getByTestId('dead-end')).toContainText('you are signed in as bob@example.com');
  await bob.getByTestId('dead-end').getByRole('button', { name: 'Sign out' }).click();
  await expect(bob).toHaveURL(/\/signed-out$/);
  await expectDeadEnd(bob, 200, 'You are signed out');
  // The link is still unused: its owner can still open it.
  const sql = e2eSql();
  const [row] = await sql`select used_at from connect_sessions where token_hash = ${sha256(link.token)}`;
  await sql.end();
  expect(row.used_at).toBeNull();
});

test('wrong account on reconnect: 409 "Wrong Atlassian account", nothing changed, "Reconnect Jira" tries again', async ({ page }) => {
  const sql = e2eSql();
  await retireConnectionsOf(sql, 'alice@example.com');
  await signInAs(page, 'Alice Jones');
  const id = await connectProduct(page, 'Jira');
  const card = page.getByRole('listitem', { name: 'Jira connection' });
  await card.getByRole('button', { name: 'Reconnect Jira' }).click();
  await page.getByRole('button', { name: 'Use a different account' }).click();
  await page.getByRole('button', { name: 'Sign in as Bob Smith' }).click();
  await page.getByRole('button', { name: 'Accept' }).click();
  await expect(page).toHaveURL(new RegExp(`/problem/account-mismatch\\?product=jira&connection=${id}$`));
  await expectDeadEnd(page, 409, 'Wrong Atlassian account');
  await expect(page.getByTestId('dead-end')).toContainText('this Jira connection belongs to (alice@example.com)');
  const [row] = await sql`select account_email, status from connections where id = ${id}`;
  const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from connection_events where connection_id = ${id} and type = 'reconnected'`;
  await sql.end();
  expect(row).toEqual({ account_email: 'alice@example.com', status: 'active' });
  expect(n).toBe(0);
  // The way on starts the reconnect again: to the simulator's /authorize (which, still signed in as Bob, may answer at once).
  await Promise.all([
    page.waitForRequest((r) => r.url().startsWith(`${SIMULATOR_URL}/authorize?`)),
    page.getByRole('link', { name: 'Reconnect Jira' }).click(),
  ]);
});

test('the account-mismatch page names the connection’s account to its owner only', async ({ browser }) => {
  const sql = e2eSql();
  const [conn] = await sql<{ id: string }[]>`select c.id from connections c join users u on u.id = c.user_id
    where u.email = 'alice@example.com' and c.status <> 'disconnected' and c.product = 'jira' limit 1`;
  await sql.end();
  const bob = await newPage(browser);
  await signInAs(bob, 'Bob Smith');
  await bob.goto(`/problem/account-mismatch?product=jira&connection=${conn!.id}`);
  await expectDeadEnd(bob, 409, 'Wrong Atlassian account', ['alice@example.com']);
  await expect(bob.getByRole('link', { name: 'Reconnect Jira' })).toHaveCount(0);
});

test('forbidden: a non-admin on /admin gets 403 "Admins only", saying who they are, with a way back', async ({ browser }) => {
  const bob = await newPage(browser);
  await signInAs(bob, 'Bob Smith');
  for (const path of ['/admin', '/admin/webhooks', '/admin/api-keys', '/admin/sessions']) {
    const res = await bob.goto(path);
    expect(res!.status(), path).toBe(403);
    await expect(bob).toHaveURL(new RegExp(`${path}$`));
    await expect(bob.getByRole('heading', { level: 1 })).toHaveText('Admins only');
    await expect(bob.getByTestId('dead-end')).toContainText('You are signed in as bob@example.com');
    await expect(bob.getByRole('heading', { name: 'All connections' })).toHaveCount(0);
  }
  await expectDeadEnd(bob, 403, 'Admins only');
  await bob.getByRole('link', { name: 'Back to your connections' }).click();
  await expect(bob.getByRole('heading', { name: 'My connections' })).toBeVisible();
});

test('not found: an unknown connection id and an unknown URL get 404 "Page not found" with a way back', async ({ page }) => {
  await page.goto('/no/such/page');
  await expectDeadEnd(page, 404, 'Page not found');
  await page.getByTestId('dead-end').getByRole('link', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/signin$/);

  await signInAs(page, 'Alice Jones');
  for (const path of ['/connections/00000000-0000-4000-8000-000000000000', '/connections/not-an-id', '/no/such/page']) {
    const res = await page.goto(path);
    expect(res!.status(), path).toBe(404);
    await expectDeadEnd(page, 404, 'Page not found');
  }
  await page.getByRole('link', { name: 'Back to your connections' }).click();
  await expect(page.getByRole('heading', { name: 'My connections' })).toBeVisible();
});

test('sign out lands on /signed-out; next-auth’s own pages redirect to the app’s, and never to a remembered link', async ({ page, baseURL }) => {
  await signInAs(page, 'Alice Jones');
  // next-auth's GET pages are the app's: GET /api/auth/signout does not sign out, it asks.
  const signout = await page.request.get('/api/auth/signout', { maxRedirects: 0 });
  expect(signout.status()).toBeGreaterThanOrEqual(300);
  expect(new URL(signout.headers().location!, baseURL).pathname).toBe('/signed-out');
  const error = await page.request.get('/api/auth/error?error=Configuration', { maxRedirects: 0 });
  expect(new URL(error.headers().location!, baseURL).pathname).toBe('/problem/signin-failed');
  await page.goto('/api/auth/signout');
  await expectDeadEnd(page, 200, 'Sign out?');
  await expect(page.getByTestId('dead-end')).toContainText('You are still signed in as alice@example.com');

  // A sign-out posted to next-auth with an old link as its callback URL still lands on /signed-out.
  const { csrfToken } = (await (await page.request.get('/api/auth/csrf')).json()) as { csrfToken: string };
  const posted = await page.request.post('/api/auth/signout', {
    form: { csrfToken, callbackUrl: '/connect/an-old-used-link' },
    maxRedirects: 0,
  });
  expect(posted.status()).toBeGreaterThanOrEqual(300);
  expect(new URL(posted.headers().location!, baseURL).pathname).toBe('/signed-out');

  // Signed in again (the simulator remembers Alice: its consent screen comes at once).
  await page.goto('/signin');
  await page.getByRole('button', { name: 'Sign in with Atlassian' }).click();
  await page.getByRole('button', { name: 'Accept' }).click();
  await expect(page.getByRole('heading', { name: 'My connections' })).toBeVisible();
  await page.getByRole('banner').getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signed-out$/);
  await expectDeadEnd(page, 200, 'You are signed out');
  await page.getByRole('link', { name: 'Sign in again' }).click();
  await expect(page).toHaveURL(/\/signin$/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/signin/);
});

test('an unknown problem code is the generic page (not a 500), and only known products are echoed', async ({ page }) => {
  await page.goto('/problem/no-such-code');
  await expectDeadEnd(page, 400, 'Something went wrong');
  await page.goto('/problem/no-sites?product=%3Cscript%3Ealert(1)%3C%2Fscript%3E');
  await expectDeadEnd(page, 400, 'Nothing to connect', ['<script>alert(1)']);
  await page.goto('/problem/no-sites?product=confluence');
  await expectDeadEnd(page, 400, 'No Confluence site to connect');
  await page.getByTestId('dead-end').getByRole('link', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/signin$/);
});
