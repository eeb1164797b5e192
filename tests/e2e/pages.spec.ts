import { expect, test, type Page } from '@playwright/test';
import {
  connectProduct,
  e2eSql,
  expireAccessTokens,
  retireConnectionsOf,
  shot,
  shotEveryWay,
  signInAs,
  sim,
  waitForWorkerRefresh,
} from './helpers';

const sql = e2eSql();
test.afterAll(async () => {
  await sim.clearFaults();
  await sql.end();
});

/** True as long as the page has not been (re)loaded since markNoReload. */
async function markNoReload(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { __sameDocument: boolean }).__sameDocument = true));
}
async function stillSameDocument(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { __sameDocument?: boolean }).__sameDocument === true);
}

/** Counts the page's router refreshes from now on: RSC requests that are not link prefetches. */
function countRefreshes(page: Page): () => number {
  let n = 0;
  page.on('request', (req) => {
    const h = req.headers();
    if (h['rsc'] === '1' && !h['next-router-prefetch'] && req.method() === 'GET') n++;
  });
  return () => n;
}

/** Pretends the tab was hidden or shown again, as switching tabs does. */
async function setTabHidden(page: Page, hidden: boolean): Promise<void> {
  await page.evaluate((h) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (h ? 'hidden' : 'visible') });
    document.dispatchEvent(new Event('visibilitychange'));
  }, hidden);
}

test('sign-in page', async ({ page }) => {
  await page.goto('/signin');
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign in with Atlassian' })).toBeVisible();
  await expect(page.getByRole('link', { name: 'Sandbox' })).toHaveCount(0); // the header menu is for signed-in people
  await shotEveryWay(page, 'page-signin');
});

test('a new user sees an empty state inviting to connect, and reaches consent from the keyboard', async ({ page }) => {
  await retireConnectionsOf(sql, 'bob@example.com');
  await signInAs(page, 'Bob Smith');
  await expect(page.getByText('No connections yet. Connect Jira, Confluence or Bitbucket')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Connect Jira', exact: true })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Connect Confluence' })).toBeVisible();
  await expect(page.getByRole('button', { name: 'Connect Bitbucket' })).toBeVisible(); // sandbox: all three, no configuration
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sandbox' })).toBeVisible();
  await shotEveryWay(page, 'page-home-empty');

  // Keyboard only: Tab from the top of the page to "Connect Jira", then Enter.
  await page.goto('/');
  let reached = false;
  for (let i = 0; i < 15 && !reached; i++) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement?.getAttribute('aria-label') === 'Connect Jira');
  }
  expect(reached, 'Tab reaches "Connect Jira"').toBe(true);
  await shot(page, 'page-home-keyboard-focus');
  await page.keyboard.press('Enter');
  await expect(page.getByText('read:jira-work')).toBeVisible(); // Atlassian's consent screen
  await expect(page.getByRole('button', { name: 'Accept' })).toBeVisible();
  await shot(page, 'page-keyboard-consent');
});

test('my connections: one Healthy and one Retrying, with the timeline of the failing one', async ({ page }) => {
  await retireConnectionsOf(sql, 'alice@example.com');
  await signInAs(page, 'Alice Jones');
  const jira = await connectProduct(page, 'Jira');
  const confluence = await connectProduct(page, 'Confluence');
  await waitForWorkerRefresh(sql, [jira, confluence]);

  // Token endpoint 500s, injected from the sandbox panel.
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sandbox' }).click();
  await page.getByRole('button', { name: 'Inject 500 errors' }).click();
  await expect(page.getByText('The token endpoint answers 500 until you clear failures.')).toBeVisible();
  await expect(page.getByRole('list', { name: 'Active failures' })).toContainText('Token endpoint: answers 500');

  // Confluence's token has expired: Test connection must refresh, and the refresh fails.
  await expireAccessTokens(sql, [confluence]);
  await page.goto('/');
  const healthy = page.getByRole('listitem', { name: 'Jira connection' });
  const retrying = page.getByRole('listitem', { name: 'Confluence connection' });
  await retrying.getByRole('button', { name: 'Test connection' }).click();
  await expect(retrying.getByTestId('status-badge')).toHaveText('Retrying');
  await expect(retrying).toContainText('Last refresh failed: Atlassian answered with a server error.');
  const result = page.getByTestId('toast').getByText(/Atlassian is temporarily unavailable/);
  await expect(result).toBeVisible();
  await expect(healthy.getByTestId('status-badge')).toHaveText('Healthy');

  // The page polls every few seconds; the button's result message survives the refreshes.
  await markNoReload(page);
  const refreshes = countRefreshes(page);
  await expect.poll(refreshes, { timeout: 8_000 }).toBeGreaterThanOrEqual(1);
  await page.waitForLoadState('networkidle');
  await expect(result).toBeVisible();
  expect(await stillSameDocument(page)).toBe(true);
  // Hidden tab: no polling (the screenshots are taken meanwhile). Shown again: one refresh at once.
  await setTabHidden(page, true);
  await page.waitForTimeout(500);
  const paused = refreshes();
  const hiddenSince = Date.now();
  await shotEveryWay(page, 'page-home-connections');
  await page.waitForTimeout(Math.max(0, 4_500 - (Date.now() - hiddenSince)));
  expect(refreshes(), 'no refresh while the tab is hidden').toBe(paused);
  await setTabHidden(page, false);
  await expect.poll(refreshes, { timeout: 1_500 }).toBeGreaterThan(paused);
  await expect(result).toBeVisible();

  await sim.clearFaults();
  await page.goto(`/connections/${confluence}`);
  const timeline = page.getByRole('list').filter({ hasText: 'Connected' }).last();
  await expect(timeline).toContainText('Refresh failed');
  await expect(timeline).toContainText('Retrying');
  await expect(timeline).toContainText('Connected');
  await shotEveryWay(page, 'page-connection-timeline');
  await retireConnectionsOf(sql, 'alice@example.com');
});

test('sandbox panel: a revoke made there shows as Needs reconnect on / without reloading it', async ({ page, context }) => {
  await retireConnectionsOf(sql, 'alice@example.com');
  await signInAs(page, 'Alice Jones');
  const jira = await connectProduct(page, 'Jira');
  const card = page.getByRole('listitem', { name: 'Jira connection' });
  await markNoReload(page);

  // Another tab: the sandbox panel.
  const panel = await context.newPage();
  await panel.goto('/');
  await panel.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Sandbox' }).click();
  await expect(panel.getByRole('heading', { name: 'Sandbox control panel' })).toBeVisible();
  await expect(panel.getByRole('heading', { name: 'See the whole lifecycle in two minutes' })).toBeVisible();
  await expect(panel.getByRole('combobox', { name: 'Simulator user' })).toHaveValue('alice@example.com');
  await expect(panel.getByRole('definition').first()).toHaveText(/^\d+$/);
  await shotEveryWay(panel, 'page-sandbox');

  await panel.getByRole('button', { name: 'Revoke app access' }).click();
  await expect(panel.getByText("alice@example.com revoked Reconnect's access in Atlassian")).toBeVisible();
  await expect(panel.getByRole('list', { name: 'Simulator users' })).toContainText(/alice@example\.com.*dead/);
  // A user sees their own grants only, Bitbucket's token families included; an admin sees everyone's.
  await expect(panel.getByRole('list', { name: 'Bitbucket token families' })).toContainText('alice@example.com');
  await expect(panel.getByRole('list', { name: 'Bitbucket token families' })).not.toContainText('bob@example.com');

  // Atlassian tells nobody: the panel's tab tests the connection, and the first tab learns it by itself.
  await panel.goto(`/connections/${jira}`);
  await panel.getByRole('button', { name: 'Test connection' }).click();
  await expect(panel.getByTestId('toast').getByText('The connection needs a reconnect before it can work again.')).toBeVisible();

  expect(await page.evaluate(() => document.visibilityState), 'the first tab polls while visible').toBe('visible');
  await expect(card.getByTestId('status-badge')).toHaveText('Needs reconnect', { timeout: 10_000 });
  await expect(card.getByRole('button', { name: 'Reconnect Jira' })).toBeVisible();
  expect(await stillSameDocument(page), 'the first tab was never reloaded').toBe(true);
  await shot(page, 'page-home-needs-reconnect');

  // Advance the simulator clock by a number of days (form), and see the clock move.
  await panel.goto('/sandbox');
  await panel.getByRole('spinbutton', { name: 'Days' }).fill('1');
  await panel.getByRole('button', { name: 'Advance clock' }).click();
  await expect(panel.getByText(/The simulator clock moved 1 day ahead/)).toBeVisible();
  await expect(panel.getByText(/\d+ days? ahead of real time/)).toBeVisible();
  await retireConnectionsOf(sql, 'alice@example.com');
});
