import { expect, test, type Page } from '@playwright/test';
import { e2eSql, retireConnectionsOf, shot, signInAs, simControl, userWithConnection } from './helpers';

const DESKTOP = { width: 1280, height: 800 };
const PHONE = { width: 390, height: 844 };

const rowLink = (page: Page, id: string) => page.locator(`table a[href="/connections/${id}"]`);

async function expectNoHorizontalScroll(page: Page): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({ scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth }));
  expect(scrollWidth, `page is ${scrollWidth}px wide in a ${innerWidth}px window`).toBeLessThanOrEqual(innerWidth);
}

test('an admin sees every connection with its health, filters it, and a plain user gets no admin data', async ({ browser, page }) => {
  const sql = e2eSql();
  for (const email of ['alice@example.com', 'bob@example.com']) await retireConnectionsOf(sql, email); // specs share one database
  await sql.end();
  const alice = await userWithConnection(browser, 'Alice Jones', 'Jira');
  const bob = await userWithConnection(browser, 'Bob Smith', 'Confluence');
  await simControl('/users/bob%40example.com/revoke');
  await bob.card.getByRole('button', { name: 'Test connection' }).click();
  await expect(bob.card.getByTestId('status-badge')).toHaveText('Needs reconnect');

  await page.setViewportSize(DESKTOP);
  await signInAs(page, 'Ada Admin');
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'All connections' })).toBeVisible();
  await expect(rowLink(page, alice.id)).toHaveAccessibleName('Jira connection of alice@example.com');
  await expect(rowLink(page, bob.id)).toHaveAccessibleName('Confluence connection of bob@example.com');
  const bobRow = page.locator('tbody tr').filter({ has: page.locator(`a[href="/connections/${bob.id}"]`) });
  await expect(bobRow.getByTestId('status-badge').locator('visible=true')).toHaveText('Needs reconnect');
  await expect(bobRow).toContainText('Access was revoked in Atlassian or your password changed.');

  const chart = page.getByRole('figure', { name: 'Refresh outcomes, last 7 days' });
  await expect(chart.locator('svg.recharts-surface').first()).toBeVisible();
  await expect(page.getByRole('region', { name: 'Broken right now' })).toContainText('Access revoked or password changed');
  await expectNoHorizontalScroll(page);
  await shot(page, 'admin-desktop');

  const chips = page.getByRole('navigation', { name: 'Filter by status' });
  await chips.getByRole('link', { name: /^Needs reconnect/ }).click();
  await expect(page).toHaveURL(/[?&]status=needs_reauth/);
  await expect(chips.getByRole('link', { name: /^Needs reconnect/ })).toHaveAttribute('aria-current', 'page');
  await expect(rowLink(page, bob.id)).toBeVisible();
  await expect(rowLink(page, alice.id)).toHaveCount(0);
  const badges = page.locator('table').getByTestId('status-badge').locator('visible=true');
  await expect(badges.first()).toBeVisible();
  for (const text of await badges.allTextContents()) expect(text).toBe('Needs reconnect');
  await shot(page, 'admin-filtered-needs-reconnect');

  const filters = page.getByRole('search', { name: 'Filter connections' });
  await filters.getByLabel('Status').selectOption({ label: 'Healthy' });
  await filters.getByLabel('Product').selectOption({ label: 'Jira' });
  await filters.getByLabel('Search').fill('alice@example');
  await filters.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page).toHaveURL(/status=active/);
  await expect(rowLink(page, alice.id)).toBeVisible();
  await expect(rowLink(page, bob.id)).toHaveCount(0);

  await rowLink(page, alice.id).click();
  await expect(page).toHaveURL(new RegExp(`/connections/${alice.id}$`));
  await expect(page.getByRole('heading', { name: 'Timeline' })).toBeVisible();

  await page.goto('/admin');
  await page.setViewportSize(PHONE);
  await expect(rowLink(page, bob.id)).toBeVisible();
  await expect(chart.locator('svg.recharts-surface').first()).toBeVisible();
  await expectNoHorizontalScroll(page);
  await shot(page, 'admin-phone');

  const refused = await alice.page.goto('/admin');
  expect(refused!.status()).toBe(403);
  await expect(alice.page.getByRole('heading', { level: 1 })).toHaveText('Admins only');
  await expect(alice.page.getByText('You are signed in as alice@example.com')).toBeVisible();
  await expect(alice.page.getByRole('heading', { name: 'All connections' })).toHaveCount(0);
  await expect(alice.page.getByText('bob@example.com')).toHaveCount(0);
  await expect(alice.page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' })).toHaveCount(0);
});

test('an admin creates an API key (shown once), it works, and revoking it stops it', async ({ page, request }) => {
  await signInAs(page, 'Ada Admin');
  await page.goto('/admin');
  await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'API keys' }).click();
  await page.getByLabel('Name').fill('e2e-service');
  await page.getByRole('button', { name: 'Create API key' }).click();
  const key = (await page.getByRole('status', { name: 'New API key' }).textContent())!.trim();
  expect(key).toMatch(/^rk_live_/);
  await shot(page, 'admin-api-keys');
  expect((await request.get('/api/v1/connections', { headers: { authorization: `Bearer ${key}` } })).status()).toBe(200);
  await page.reload();
  await expect(page.getByText(key)).toHaveCount(0); // shown once
  await page.getByRole('button', { name: 'Revoke e2e-service' }).click();
  await page.getByRole('dialog', { name: 'Revoke "e2e-service"?' }).getByRole('button', { name: 'Revoke key' }).click();
  await expect(page.getByRole('row', { name: /e2e-service/ })).toContainText('Revoked');
  expect((await request.get('/api/v1/connections', { headers: { authorization: `Bearer ${key}` } })).status()).toBe(401);
});
