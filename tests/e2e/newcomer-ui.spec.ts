import { expect as baseExpect, test, type Browser, type Page } from '@playwright/test';
import { connectProduct, e2eSql, retireConnectionsOf, shot, signInAs, sim, simControl } from './helpers';

// What a new user met (issue 23), end to end: the admin's status chips and filter form in step, one message on a
// dead card, no per-card email switch once every email is off, a connect banner that goes with its connection,
// one vocabulary per provider on the timeline, and the small things: End all sessions asks first, the used-link
// page fits our own mail, Send test and the webhook.test choice, Clear failures with nothing to clear, a favicon.

// Generous waits: the last test waits on the in-app worker, on machines shared by many builds.
const expect = baseExpect.configure({ timeout: 20_000 });
test.describe.configure({ timeout: 240_000 });

const EVERYONE = ['alice@example.com', 'bob@example.com', 'admin@example.com'];
const card = (page: Page, label: string) => page.getByRole('listitem', { name: `${label} connection` });

async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

test.afterAll(async () => {
  await sim.clearFaults();
  await sim.resetClock(); // specs share one simulator: leave its clock at real time
  const sql = e2eSql();
  for (const email of EVERYONE) await retireConnectionsOf(sql, email);
  await sql.end();
});

test('admin: after a status chip, the filter form shows that status and keeps it, and keeps "Renew soon" too', async ({ page }) => {
  await signInAs(page, 'Ada Admin');
  await page.goto('/admin');
  const chips = page.getByRole('navigation', { name: 'Filter by status' });
  const filters = page.getByRole('search', { name: 'Filter connections' });
  await expect(filters.getByLabel('Status')).toHaveValue('');

  await chips.getByRole('link', { name: /^Healthy/ }).click(); // a client-side navigation: the form stays mounted unless keyed
  await expect(page).toHaveURL(/[?&]status=active(&|$)/);
  await expect(filters.getByLabel('Status')).toHaveValue('active');
  await filters.getByLabel('Product').selectOption({ label: 'Jira' });
  await filters.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/[?&]product=jira(&|$)/);
  expect(new URL(page.url()).searchParams.get('status')).toBe('active');
  await expect(filters.getByLabel('Status')).toHaveValue('active');
  await expect(chips.getByRole('link', { name: /^Healthy/ })).toHaveAttribute('aria-current', 'page');

  // A filter the form has no field for (Renew soon) rides along when the form is applied.
  await chips.getByRole('link', { name: /^Renew soon/ }).click();
  await expect(page).toHaveURL(/[?&]renew=soon(&|$)/);
  await filters.getByLabel('Product').selectOption({ label: 'Confluence' });
  await filters.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/[?&]product=confluence(&|$)/);
  const search = new URL(page.url()).searchParams;
  expect([search.get('status'), search.get('renew')]).toEqual(['active', 'soon']);
  await expect(chips.getByRole('link', { name: /^Renew soon/ })).toHaveAttribute('aria-current', 'page');
  await shot(page, 'newcomer-1-admin-filters');
});

test('with every email off, no card offers "Turn off emails" (My connections and the connection page)', async ({ page }) => {
  const sql = e2eSql();
  await retireConnectionsOf(sql, 'alice@example.com'); // specs share one database
  await sql.end();
  await signInAs(page, 'Alice Jones');
  const id = await connectProduct(page, 'Confluence');
  const home = page.url();
  const confluence = card(page, 'Confluence');
  const mailSwitch = page.getByRole('region', { name: 'Email notifications' });
  await expect(confluence.getByRole('button', { name: 'Turn off emails' })).toBeVisible();

  await mailSwitch.getByRole('button', { name: 'Turn off all emails' }).click();
  await expect(mailSwitch).toContainText('Notification emails are off for all your connections.');
  await expect(confluence.getByRole('button', { name: /emails/ })).toHaveCount(0);
  await page.goto(`/connections/${id}`);
  await expect(card(page, 'Confluence').getByTestId('status-badge')).toHaveText('Healthy');
  await expect(card(page, 'Confluence').getByRole('button', { name: /emails/ })).toHaveCount(0);
  await page.goto(home);
  await mailSwitch.getByRole('button', { name: 'Turn on emails' }).click();
  await expect(confluence.getByRole('button', { name: 'Turn off emails' })).toBeVisible();
  await shot(page, 'newcomer-2-emails-on-again');
});

test('the "Confluence connected." banner goes when that connection is disconnected, though the query stays', async ({ page }) => {
  const sql = e2eSql();
  await retireConnectionsOf(sql, 'alice@example.com');
  await signInAs(page, 'Alice Jones');
  const id = await connectProduct(page, 'Confluence');
  expect(new URL(page.url()).searchParams.get('connection')).toBe(id); // /?connected=confluence&connection=<id>
  const confluence = card(page, 'Confluence');
  await expect(page.getByText('Confluence connected.')).toBeVisible();
  await confluence.getByRole('button', { name: 'Disconnect' }).click();
  await page.getByRole('dialog', { name: 'Disconnect Confluence?' }).getByRole('button', { name: 'Disconnect' }).click();
  await expect(confluence).toHaveCount(0); // the page re-renders without it
  await expect(page.getByText('Confluence connected.')).toHaveCount(0);
  await page.reload();
  await expect(page).toHaveURL(/[?&]connected=confluence&connection=/);
  await expect(page.getByRole('heading', { name: 'My connections' })).toBeVisible();
  await expect(page.getByText('Confluence connected.')).toHaveCount(0);
  const [row] = await sql`select status from connections where id = ${id}`;
  expect(row.status).toBe('disconnected');
  await shot(page, 'newcomer-3-banner-gone');
  await sql.end();
});

test("Bitbucket's timeline speaks the card's words: workspaces, and no password", async ({ page }) => {
  const sql = e2eSql();
  await retireConnectionsOf(sql, 'alice@example.com');
  await sql.end();
  await signInAs(page, 'Alice Jones');
  await page.getByRole('button', { name: 'Connect Bitbucket', exact: true }).click();
  await page.getByRole('button', { name: 'Grant access' }).click();
  await expect(page.getByRole('status')).toHaveText('Bitbucket connected.');
  const bitbucket = card(page, 'Bitbucket');
  await expect(bitbucket.getByTestId('status-badge')).toHaveText('Healthy');
  await simControl('/bitbucket/users/alice%40example.com/revoke');
  await bitbucket.getByRole('button', { name: 'Test connection' }).click();
  await expect(bitbucket.getByTestId('status-badge')).toHaveText('Needs reconnect');
  const sentence = "Bitbucket no longer accepts this connection: access was revoked or the app's permissions changed. Reconnect to resume syncing.";
  await expect(bitbucket).toContainText(sentence);
  await expect(bitbucket).toContainText('Workspaces:');

  await bitbucket.getByRole('link', { name: 'Bitbucket', exact: true }).click();
  const events = page.getByRole('list', { name: 'Events' });
  await expect(events.locator('[data-type="needs_reauth"]')).toContainText(sentence);
  await expect(events.locator('[data-type="connected"]')).toContainText(/stored the tokens for \d+ workspaces?\b/);
  await expect(events).not.toContainText('password');
  await expect(events).not.toContainText(/\bsites?\b/);
  await shot(page, 'newcomer-4-bitbucket-timeline');
});

test('"End all sessions" asks first, like Disconnect; Cancel ends nothing', async ({ browser }) => {
  const bob = await newPage(browser);
  await signInAs(bob, 'Bob Smith');
  const admin = await newPage(browser);
  await signInAs(admin, 'Ada Admin');
  await admin.goto('/admin/sessions');
  const sql = e2eSql();
  const sessionsOfBob = async () =>
    (await sql<{ n: number }[]>`select count(*)::int as n from sessions s join users u on u.id = s.user_id
      where u.email = 'bob@example.com' and s.expires > now()`)[0]!.n;
  const before = await sessionsOfBob();
  expect(before).toBeGreaterThan(0);

  const his = admin.getByRole('listitem', { name: 'Sessions of bob@example.com' });
  await his.getByRole('button', { name: 'End all sessions of bob@example.com' }).click();
  const dialog = admin.getByRole('dialog', { name: 'End all sessions of bob@example.com?' });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText('Every browser signed in as bob@example.com is signed out at its next request');
  await shot(admin, 'newcomer-5-end-all-sessions-asks');
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await expect(dialog).toBeHidden();
  expect(await sessionsOfBob()).toBe(before);
  await bob.goto('/');
  await expect(bob.getByRole('heading', { name: 'My connections' })).toBeVisible();

  await his.getByRole('button', { name: 'End all sessions of bob@example.com' }).click();
  await dialog.getByRole('button', { name: 'End all sessions' }).click();
  await expect(his).toHaveCount(0);
  expect(await sessionsOfBob()).toBe(0);
  await bob.goto('/');
  await expect(bob).toHaveURL(/\/signin/);
  await sql.end();
});

test('the used-link page fits a link from our own mail as well as one from another app', async ({ page }) => {
  const res = await page.goto('/problem/link-used');
  expect(res!.status()).toBe(410);
  await expect(page.getByTestId('dead-end')).toContainText(
    'If it came in an email from Reconnect, open the newest one or reconnect from your connections page; otherwise, ask whoever sent you the link for a new one.',
  );
  await expect(page.getByTestId('dead-end')).not.toContainText('the person or app');
});

test('/favicon.ico answers with an icon', async ({ request }) => {
  const icon = await request.get('/favicon.ico');
  expect(icon.status()).toBe(200);
  expect(icon.headers()['content-type']).toMatch(/icon/);
  expect([...(await icon.body()).subarray(0, 4)]).toEqual([0, 0, 1, 0]); // an ICO header
});

test('webhooks: webhook.test is no checkbox that Send test would ignore; the forms say Send test always delivers', async ({ page }) => {
  await signInAs(page, 'Ada Admin');
  await page.goto('/admin/webhooks');
  const add = page.getByRole('region', { name: 'Add an endpoint' });
  await expect(add.getByRole('checkbox', { name: /connection\.needs_reauth/ })).toBeChecked();
  await expect(add.getByRole('checkbox', { name: /webhook\.test/ })).toHaveCount(0);
  await expect(add).toContainText('Send test delivers a webhook.test message to its endpoint whatever events are chosen here.');
});

// The decision the forms state: Send test is an explicit check of one endpoint, whatever it subscribes to.
test('webhooks: Send test delivers to an endpoint that does not subscribe to webhook.test', async ({ page }) => {
  await signInAs(page, 'Ada Admin');
  await page.goto('/admin/webhooks');
  const add = page.getByRole('region', { name: 'Add an endpoint' });
  const url = 'https://hooks.example.com/reconnect-newcomer';
  await add.getByLabel('URL').fill(url);
  await page.getByRole('button', { name: 'Create endpoint' }).click();
  await expect(page.getByRole('button', { name: 'Copy signing secret' })).toBeVisible();
  const endpoint = page.getByTestId('webhook-endpoint').filter({ hasText: url });
  const sql = e2eSql();
  const [row] = await sql<{ events: string[] }[]>`select events from webhook_endpoints where url = ${url}`;
  await sql.end();
  expect(row!.events).not.toContain('webhook.test');
  await endpoint.getByRole('button', { name: 'Send test' }).click();
  await expect(page.getByTestId('toast').filter({ hasText: 'queued' })).toBeVisible();
  await expect(page.getByTestId('webhook-delivery').filter({ hasText: url }).filter({ hasText: 'webhook.test' })).toHaveCount(1);
  await endpoint.getByRole('button', { name: 'Delete' }).click();
  await page.getByRole('dialog', { name: 'Delete this endpoint?' }).getByRole('button', { name: 'Delete endpoint' }).click();
  await expect(endpoint).toHaveCount(0);
});

test('sandbox: Clear failures is off with nothing to clear, the primary action while a failure is in force', async ({ page }) => {
  await signInAs(page, 'Ada Admin');
  await sim.clearFaults();
  await page.goto('/sandbox');
  const clear = page.getByRole('button', { name: 'Clear failures' });
  await expect(clear).toBeDisabled();
  await expect(clear).not.toHaveClass(/bg-blue-700/);
  await sim.addFault({ kind: 'status', status: 503, target: 'api', provider: 'bitbucket', count: 1000 });
  await page.reload();
  await expect(clear).toBeEnabled();
  await expect(clear).toHaveClass(/bg-blue-700/);
  await shot(page, 'newcomer-6-clear-failures');
  await clear.click();
  await expect(page.getByText('None: Atlassian answers normally.')).toBeVisible();
  await expect(clear).toBeDisabled();
});
