import { expect, test } from '@playwright/test';
import { connectProduct, e2eSql, retireConnectionsOf, shot, sim, signInAs } from './helpers';

const SUBJECT = /^Mail: Renew your Jira connection before \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC$/;

test.describe.configure({ timeout: 240_000 });

test.afterAll(async () => {
  await sim.resetClock(); // the other specs run on real time
});

test('a year on the sandbox: Renew soon at 340 days, the Renew mail repairs the same connection with a new year, 366 days without renewing ends it', async ({ page }) => {
  const sql = e2eSql();
  await retireConnectionsOf(sql, 'alice@example.com'); // specs share one database
  await signInAs(page, 'Alice Jones');
  const id = await connectProduct(page, 'Jira');

  // 340 days on (with keep-alive on the way): inside the 30-day window.
  await page.goto('/sandbox');
  await page.getByRole('button', { name: 'Advance 340 days' }).click();
  await expect(page.getByText(/moved 340 days ahead/)).toBeVisible({ timeout: 60_000 });
  // The app's clock stayed the real one: the connection aged 340 days, its year now ends in 25 days.
  const [{ renew_by: firstRenewBy }] = await sql<{ renew_by: Date }[]>`select renew_by from connections where id = ${id}`;
  expect(Math.round((firstRenewBy.getTime() - Date.now()) / 86_400_000)).toBe(25);
  await page.goto('/');
  const card = page.getByRole('listitem', { name: 'Jira connection' });
  await expect(card.getByTestId('status-badge')).toHaveText('Healthy');
  await expect(card.getByText('Renew soon')).toBeVisible();
  await expect(card.getByText(/\(2[45] days left\)/)).toBeVisible();
  await expect(card.getByRole('button', { name: 'Renew Jira', exact: true })).toBeVisible();
  await shot(page, 'renewal-1-renew-soon');

  // The worker notices the window within a minute and mails the owner once: the Inbox shows it.
  await page.goto('/sandbox');
  const mail = page.getByRole('article', { name: SUBJECT }).first();
  await expect(async () => {
    await page.reload();
    await expect(mail).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 90_000 });
  // The Inbox shows the newest mail open and folds older ones: a mail another spec sent since may be newer.
  await mail.locator('details').first().evaluate((d) => ((d as HTMLDetailsElement).open = true));
  const subject = (await mail.getAttribute('aria-label'))!.replace(/^Mail: /, '');
  const body = page.frameLocator(`iframe[title="Mail body: ${subject}"]`).first();
  await expect(body.getByText('Atlassian ends access one year after consent. Renew to continue.', { exact: false })).toBeVisible();
  const href = await body.getByRole('link', { name: 'Renew', exact: true }).getAttribute('href');
  expect(href).toMatch(/\/connect\/[A-Za-z0-9_-]{43}$/);
  const [{ mails }] = await sql<{ mails: number }[]>`select count(*)::int as mails from notifications where connection_id = ${id} and kind = 'expiring'`;
  expect(mails).toBe(1);

  // The mail's Renew link: the reconnect flow, back to a healthy connection with the same id and a new year.
  await page.goto(href!);
  await expect(page.getByText('read:jira-work')).toBeVisible();
  await page.getByRole('button', { name: 'Accept' }).click();
  await expect(page.getByRole('status')).toHaveText('Jira reconnected — it is healthy again.');
  const renewed = page.getByRole('listitem', { name: 'Jira connection' });
  await expect(renewed.getByTestId('status-badge')).toHaveText('Healthy');
  await expect(renewed.getByText('Renew soon')).toHaveCount(0);
  expect(await renewed.getByRole('link', { name: 'Jira', exact: true }).getAttribute('href')).toBe(`/connections/${id}`);
  const [{ renew_by: secondRenewBy }] = await sql<{ renew_by: Date }[]>`select renew_by from connections where id = ${id}`;
  expect(secondRenewBy.getTime() - firstRenewBy.getTime()).toBeGreaterThan(339 * 86_400_000);
  expect(Math.round((secondRenewBy.getTime() - Date.now()) / 86_400_000)).toBe(365); // a new year from the renewal
  await page.goto(`/connections/${id}`);
  await expect(page.getByText('Renewed', { exact: true }).first()).toBeVisible();
  await shot(page, 'renewal-2-renewed');

  // 366 more days without renewing: keep-alive cannot help; the next refresh is refused and says why.
  await page.goto('/sandbox');
  await page.getByRole('button', { name: 'Advance 366 days' }).click();
  await expect(page.getByText(/moved 366 days ahead/)).toBeVisible({ timeout: 60_000 });
  await page.goto('/');
  const ended = page.getByRole('listitem', { name: 'Jira connection' });
  await ended.getByRole('button', { name: 'Test connection' }).click();
  await expect(ended.getByTestId('status-badge')).toHaveText('Needs reconnect');
  await expect(ended.getByText('Atlassian ends access one year after consent. Renew to continue.')).toBeVisible();
  const [{ reason }] = await sql<{ reason: string }[]>`select reason from connections where id = ${id}`;
  expect(reason).toBe('consent_expired');
  await shot(page, 'renewal-3-consent-expired');
  await sql.end();
});
