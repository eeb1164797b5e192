import { expect, test, type Page } from '@playwright/test';
import { connectProduct, e2eSql, expectNoHorizontalScroll, expireAccessTokens, PHONE, DESKTOP, retireConnectionsOf, shot, signInAs, sim, waitForWorkerRefresh } from './helpers';

const sql = e2eSql();
test.afterAll(async () => {
  await sql.end();
});

const rows = (page: Page) => page.getByRole('list', { name: 'Events' }).getByTestId('timeline-row');
const filters = (page: Page) => page.getByRole('navigation', { name: 'Filter events by kind' });

async function eventCount(id: string, type: string): Promise<number> {
  const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from connection_events where connection_id = ${id} and type = ${type}`;
  return n;
}

test('the timeline folds repeated tests, words failures plainly, filters by kind and pages', async ({ page }) => {
  test.setTimeout(180_000); // many steps, on a shared machine
  await retireConnectionsOf(sql, 'bob@example.com');
  await signInAs(page, 'Bob Smith');
  const id = await connectProduct(page, 'Jira');
  await waitForWorkerRefresh(sql, [id]);
  await page.goto(`/connections/${id}`);
  await expect(page.getByRole('heading', { level: 1, name: 'Jira connection' })).toBeVisible();

  // Three tests in a row: one row "×3", with its first and last time.
  const card = page.getByRole('listitem', { name: 'Jira connection' });
  for (let n = 1; n <= 3; n++) {
    await card.getByRole('button', { name: 'Test connection' }).click();
    await expect.poll(() => eventCount(id, 'test')).toBe(n);
  }
  await page.reload();
  const tests = rows(page).filter({ hasText: 'Test connection: works' });
  await expect(tests).toHaveCount(1);
  await expect(tests.getByTestId('timeline-count')).toContainText('×3');
  await expect(tests.locator('time')).toHaveCount(2);
  await expect(rows(page).filter({ hasText: 'Connected' })).toHaveCount(1);
  await shot(page, 'timeline-folded');

  // Revoked in Atlassian, then a refresh: the plain reason, never the raw code.
  await sim.revokeApp('bob@example.com');
  await expireAccessTokens(sql, [id]);
  await card.getByRole('button', { name: 'Test connection' }).click();
  await expect(card.getByTestId('status-badge')).toHaveText('Needs reconnect');
  await page.reload();
  // (the owner's mail about it may come first: it is sent meanwhile)
  await expect(rows(page).filter({ hasText: 'Test connection: failed' })).toHaveCount(1);
  await expect(rows(page).filter({ hasText: 'Needs reconnect: access revoked' })).toHaveCount(1);
  await expect(rows(page).filter({ hasText: 'Needs reconnect: access revoked' })).toContainText('Access was revoked in Atlassian');
  const timelineText = await page.getByRole('list', { name: 'Events' }).innerText();
  expect(timelineText).not.toMatch(/invalid_grant|needs_reauth|refresh_failed|http_\d/);

  // A filter shows only its kind, as a link that works without JavaScript.
  await filters(page).getByRole('link', { name: 'Tests' }).click();
  await expect(page).toHaveURL(/[?&]kind=tests/);
  await expect(filters(page).getByRole('link', { name: 'Tests' })).toHaveAttribute('aria-current', 'page');
  await expect(rows(page)).toHaveCount(2);
  for (const type of await rows(page).evaluateAll((els) => els.map((el) => el.getAttribute('data-type')))) expect(type).toBe('test');
  await filters(page).getByRole('link', { name: 'Problems' }).click();
  await expect(rows(page).filter({ hasText: 'Needs reconnect: access revoked' })).toHaveCount(1);
  await expect(rows(page).filter({ hasText: 'Test connection' })).toHaveCount(0);
  await expect(rows(page).filter({ hasText: 'Connected' })).toHaveCount(0);
  await page.setViewportSize(PHONE);
  await expectNoHorizontalScroll(page);
  await page.setViewportSize(DESKTOP);

  // More than one page: 120 alternating test outcomes (nothing folds), inserted straight into the table.
  await sql`insert into connection_events (connection_id, type, code, message, created_at)
    select ${id}, 'test', case when i % 2 = 0 then 'ok' else 'http_503' end, null, now() - (i || ' minutes')::interval
    from generate_series(1, 120) as i`;
  await page.goto(`/connections/${id}?kind=tests`);
  await expect(rows(page)).toHaveCount(50);
  const firstPage = await rows(page).evaluateAll((els) => els.map((el) => el.textContent));
  await page.getByRole('link', { name: 'Older events →' }).click();
  await expect(page).toHaveURL(/kind=tests&before=\d+/);
  await expect(rows(page)).toHaveCount(50);
  const secondPage = await rows(page).evaluateAll((els) => els.map((el) => el.textContent));
  expect(secondPage[0]).not.toBe(firstPage[0]);
  await page.getByRole('link', { name: 'Older events →' }).click();
  // 2 real runs of tests + 120 inserted = 122 rows: 50 + 50 + 22, and no further page.
  await expect(rows(page)).toHaveCount(22);
  await expect(page.getByRole('link', { name: 'Older events →' })).toHaveCount(0);
  await page.getByRole('link', { name: 'Newest events' }).click();
  await expect(rows(page)).toHaveCount(50);
  await expect(page).toHaveURL(new RegExp(`/connections/${id}\\?kind=tests$`));
  await retireConnectionsOf(sql, 'bob@example.com');
});

test("the admin chart's table shows today's refresh outcomes as counted in the database", async ({ page }) => {
  await signInAs(page, 'Ada Admin');
  await page.goto('/admin');
  const chart = page.getByRole('figure', { name: 'Refresh outcomes, last 7 days' });
  await expect(chart.locator('svg.recharts-surface').first()).toBeVisible();
  await expect(chart.locator('.recharts-legend-wrapper')).toContainText('Succeeded');
  await expect(chart.locator('.recharts-legend-wrapper')).toContainText('Failed');
  await chart.locator('summary', { hasText: 'Show as table' }).click();
  const table = chart.getByRole('table', { name: 'Refresh outcomes per day (UTC)' });
  await expect(table).toBeVisible();
  await expect(table.getByRole('row')).toHaveCount(8);
  const today = new Date().toISOString().slice(0, 10);
  const row = table.locator(`tr[data-day="${today}"]`);
  const shownToday = async () => [Number(await row.getByRole('cell').nth(0).innerText()), Number(await row.getByRole('cell').nth(1).innerText())];
  const countedToday = async () => {
    const [c] = await sql<{ succeeded: number; failed: number }[]>`
      select count(*) filter (where type = 'refreshed')::int as succeeded,
             count(*) filter (where type in ('refresh_failed', 'needs_reauth', 'configuration_error'))::int as failed
      from connection_events where (created_at at time zone 'UTC')::date = ${today}::date`;
    return [c!.succeeded, c!.failed];
  };
  // The in-app worker may refresh between the page and the query: read both again until they agree.
  await expect
    .poll(async () => {
      await page.reload();
      await chart.locator('summary', { hasText: 'Show as table' }).click();
      const [shown, counted] = [await shownToday(), await countedToday()];
      return JSON.stringify(shown) === JSON.stringify(counted) && counted[0]! + counted[1]! > 0;
    }, { timeout: 20_000, message: "the chart table's numbers for today equal the database's counts" })
    .toBe(true);
  await shot(page, 'admin-chart-table');
});
