import { expect as baseExpect, test, type Page } from '@playwright/test';
import { connectProduct, e2eSql, expireAccessTokens, retireConnectionsOf, shot, signInAs, sim, simControl } from './helpers';

// The dashboard issue's behaviour fixes, end to end: duplicate connects, the reason a dead connection is
// given, what a card shows in each state, retries at Retry-After, configuration errors for the admin,
// and an API key that no longer lingers on the page once revoked.

// Generous waits: these tests wait on the in-app worker and page polling, on machines shared by many builds.
const expect = baseExpect.configure({ timeout: 20_000 });
test.describe.configure({ timeout: 240_000 });

const EVERYONE = ['alice@example.com', 'bob@example.com', 'admin@example.com'];
const card = (page: Page, label: string) => page.getByRole('listitem', { name: `${label} connection` });

test.afterAll(async () => {
  await sim.clearFaults();
  await sim.resetClock(); // specs share one simulator: leave its clock at real time
  const sql = e2eSql();
  for (const email of EVERYONE) await retireConnectionsOf(sql, email);
  await sql.end();
});

const CONNECT_AGAIN = [
  { label: 'Jira', accept: 'Accept' },
  { label: 'Bitbucket', accept: 'Grant access' },
] as const;

test('connecting the same account again reconnects the existing connection: one card, same id, a reconnected event', async ({ page }) => {
  const sql = e2eSql();
  await retireConnectionsOf(sql, 'alice@example.com'); // specs share one database
  await signInAs(page, 'Alice Jones');
  for (const { label, accept } of CONNECT_AGAIN) {
    await page.getByRole('button', { name: `Connect ${label}`, exact: true }).click();
    await page.getByRole('button', { name: accept }).click();
    await expect(page.getByRole('status')).toHaveText(`${label} connected.`);
    const first = await card(page, label).getByRole('link', { name: label, exact: true }).getAttribute('href');

    await page.getByRole('button', { name: `Connect ${label}`, exact: true }).click();
    await page.getByRole('button', { name: accept }).click();
    await expect(page.getByRole('status')).toHaveText(`${label} reconnected — it is healthy again.`);
    await expect(card(page, label)).toHaveCount(1);
    await expect(card(page, label).getByTestId('status-badge')).toHaveText('Healthy');
    expect(await card(page, label).getByRole('link', { name: label, exact: true }).getAttribute('href')).toBe(first);

    const id = first!.split('/').pop()!;
    const live = await sql`select id from connections where user_id = (select id from users where email = 'alice@example.com')
      and product = ${label.toLowerCase()} and status <> 'disconnected'`;
    expect(live.map((r) => r.id)).toEqual([id]);
    const events = await sql`select type from connection_events where connection_id = ${id} and type in ('connected', 'reconnected') order by id`;
    expect(events.map((e) => e.type)).toEqual(['connected', 'reconnected']);
    await page.goto(first!);
    await expect(page.getByRole('list').filter({ hasText: 'Connected' }).last()).toContainText('Reconnected');
    await page.goto('/');
  }
  await shot(page, 'fixes-1-connect-again');
  await sql.end();
});

test('"Change scopes" in the sandbox ends in the scope reason; a dead card shows no token expiry', async ({ page }) => {
  const sql = e2eSql();
  await retireConnectionsOf(sql, 'alice@example.com');
  await sql.end();
  await signInAs(page, 'Alice Jones');
  await connectProduct(page, 'Jira');
  await expect(card(page, 'Jira')).toContainText('Access token expires in');

  await page.goto('/sandbox');
  await page.getByRole('button', { name: 'Change scopes' }).click();
  await expect(page.getByText("The app's scopes changed for alice@example.com")).toBeVisible();
  await page.goto('/');
  await card(page, 'Jira').getByRole('button', { name: 'Test connection' }).click();
  await expect(card(page, 'Jira').getByTestId('status-badge')).toHaveText('Needs reconnect');
  await expect(card(page, 'Jira')).toContainText('The permissions Atlassian holds for this app no longer match what it needs.');
  await expect(card(page, 'Jira')).not.toContainText('Access was revoked');
  await expect(card(page, 'Jira')).not.toContainText('Access token expires in');
  await shot(page, 'fixes-2-scope-mismatch');
});

test('a Retrying card says when the next retry is, and the worker retries at Retry-After', async ({ page }) => {
  const sql = e2eSql();
  await retireConnectionsOf(sql, 'alice@example.com');
  await signInAs(page, 'Alice Jones');
  const id = await connectProduct(page, 'Jira');

  await simControl('/faults', { kind: 'rate_limit', retry_after_seconds: 20, target: 'token', count: 1 });
  await expireAccessTokens(sql, [id]);
  await sql`update connections set next_refresh_at = now() where id = ${id}`; // due: the worker takes it
  await expect.poll(async () => (await sql`select status from connections where id = ${id}`)[0]!.status, { timeout: 30_000 }).toBe('degraded');
  await page.reload();
  await expect(card(page, 'Jira').getByTestId('status-badge')).toHaveText('Retrying');
  await expect(card(page, 'Jira')).toContainText(/Next retry:\s*(in \d+ s|now)/);
  await shot(page, 'fixes-3-retrying');

  // Scheduled at the provider's Retry-After, not later; then the worker heals it by itself.
  const failed = await sql`select code, (data->>'retry_in_seconds')::int as retry from connection_events
    where connection_id = ${id} and type = 'refresh_failed'`;
  expect(failed.map((f) => [f.code, f.retry])).toEqual([['rate_limited', 20]]);
  await expect(card(page, 'Jira').getByTestId('status-badge')).toHaveText('Healthy', { timeout: 60_000 });
  const attempts = await sql`select type from connection_events where connection_id = ${id} and type in ('refresh_failed', 'refreshed') order by id`;
  expect(attempts.map((a) => a.type)).toEqual(['refresh_failed', 'refreshed']);
  await sql.end();
});

test('a configuration error (invalid_client) is broken right now for the admin, with its code', async ({ page, browser }) => {
  const sql = e2eSql();
  for (const email of EVERYONE) await retireConnectionsOf(sql, email); // only this connection may refresh
  await signInAs(page, 'Ada Admin');
  const bob = await (await browser.newContext()).newPage();
  await signInAs(bob, 'Bob Smith');
  const id = await connectProduct(bob, 'Jira');

  await simControl('/faults', { kind: 'invalid_client', target: 'token', count: 1 });
  await expireAccessTokens(sql, [id]);
  await sql`update connections set next_refresh_at = now() where id = ${id}`;
  await expect(card(bob, 'Jira').getByTestId('status-badge')).toHaveText('Configuration error', { timeout: 30_000 });

  await page.goto('/admin');
  const broken = page.getByRole('region', { name: 'Broken right now' });
  await expect(broken).toContainText("Configuration error — App's client credentials rejected");
  await expect(broken).toContainText('invalid_client');
  await expect(page.getByRole('region', { name: 'Failed refreshes, last 7 days' })).toContainText('invalid_client');
  await shot(page, 'fixes-4-admin-config-error');
  await retireConnectionsOf(sql, 'bob@example.com');
  await sql.end();
});

test('revoking an API key removes the key that was shown once from the page', async ({ page }) => {
  await signInAs(page, 'Ada Admin');
  await page.goto('/admin/api-keys');
  await page.getByLabel('Name').fill('e2e-fixes-key');
  await page.getByRole('button', { name: 'Create API key' }).click();
  const shown = page.getByRole('status', { name: 'New API key' });
  const key = (await shown.textContent())!.trim();
  expect(key).toMatch(/^rk_live_/);
  await page.getByRole('button', { name: 'Revoke e2e-fixes-key' }).click();
  await page.getByRole('dialog', { name: 'Revoke "e2e-fixes-key"?' }).getByRole('button', { name: 'Revoke key' }).click();
  await expect(page.getByRole('row', { name: /e2e-fixes-key/ })).toContainText('Revoked');
  await expect(page.getByText(key)).toHaveCount(0);
  await expect(shown).toHaveCount(0);
});

// Last: it moves the shared simulator's clock (afterAll puts it back).
test('"Advance 91 days" in the sandbox ends in inactivity_expired: the connection ages with the simulator\'s grant', async ({ page }) => {
  const sql = e2eSql();
  for (const email of EVERYONE) await retireConnectionsOf(sql, email); // nobody else's grant ages with it
  await sql.end();
  await signInAs(page, 'Alice Jones');
  await connectProduct(page, 'Jira');

  await page.goto('/sandbox');
  await page.getByRole('button', { name: 'Advance 91 days' }).click();
  await expect(page.getByText(/The simulator clock moved 91 days ahead/)).toBeVisible();
  await page.goto('/');
  // The connection is 91 days older (the app's clock stays the real one): the worker finds its token long expired, and its grant dead of inactivity.
  await expect(card(page, 'Jira').getByTestId('status-badge')).toHaveText('Needs reconnect', { timeout: 30_000 });
  await expect(card(page, 'Jira')).toContainText('Atlassian expired this connection after 90 days without use.');
  await expect(card(page, 'Jira')).not.toContainText('Access token expires in');
  // A dead card says one thing: idle, but never "kept alive by Reconnect" (issue 23, newcomer 3).
  await expect(card(page, 'Jira')).toContainText(/Idle for:\s*9\d days/);
  await expect(card(page, 'Jira')).not.toContainText('kept alive');
  await shot(page, 'fixes-5-inactivity-expired');

  // One clock for every page: the card and /admin say the same of the same connection.
  await expect(card(page, 'Jira')).toContainText('Last refreshed:91 days ago');
  await page.context().clearCookies();
  await signInAs(page, 'Ada Admin');
  await page.goto('/admin?q=alice%40example.com');
  const row = page.getByRole('row').filter({ hasText: 'Jira connection of alice@example.com' });
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('Needs reconnect');
  await expect(row).toContainText('91 days ago');
});
