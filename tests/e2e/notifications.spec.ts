import { expect, request, test } from '@playwright/test';
import { connectProduct, e2eSql, expectNoHorizontalScroll, PHONE, retireConnectionsOf, seriousViolations, shot, signInAs } from './helpers';

const SUBJECT = 'Your Jira connection needs to be reconnected';

test('a revoked grant mails its owner; the mail’s Reconnect button, opened signed out in a fresh browser, repairs the same connection', async ({ page, browser }) => {
  const sql = e2eSql();
  await retireConnectionsOf(sql, 'alice@example.com'); // specs share one database
  // Other specs mail Alice too: only this test's mail may carry the subject it looks for.
  await sql`delete from sandbox_mail where to_address = 'alice@example.com' and subject = ${SUBJECT}`;
  await signInAs(page, 'Alice Jones');
  const id = await connectProduct(page, 'Jira');

  // Revoke in the sandbox; Reconnect learns it at the next refresh (here: Test connection).
  await page.goto('/sandbox');
  await page.getByRole('button', { name: 'Revoke app access' }).click();
  await expect(page.getByText(/revoked/i).first()).toBeVisible();
  await page.goto('/');
  const card = page.getByRole('listitem', { name: 'Jira connection' });
  await card.getByRole('button', { name: 'Test connection' }).click();
  await expect(card.getByTestId('status-badge')).toHaveText('Needs reconnect');

  // The worker sends the mail; the local mail catcher's Inbox on /sandbox shows it.
  await page.goto('/sandbox');
  const mail = page.getByRole('article', { name: `Mail: ${SUBJECT}` }).first();
  await expect(async () => {
    await page.reload();
    await expect(mail).toBeVisible({ timeout: 1_000 });
  }).toPass({ timeout: 30_000 });
  await expect(mail).toContainText('To alice@example.com');
  // The Inbox shows the newest mail open and folds older ones: a mail another spec sent since may be newer.
  await mail.locator('details').first().evaluate((d) => ((d as HTMLDetailsElement).open = true));
  const body = page.frameLocator(`iframe[title="Mail body: ${SUBJECT}"]`).first();
  await expect(body.getByRole('paragraph').filter({ hasText: 'Access was revoked in Atlassian or your password changed.' })).toBeVisible();
  const reconnect = body.getByRole('link', { name: 'Reconnect', exact: true });
  const href = await reconnect.getAttribute('href');
  expect(href).toMatch(/\/connect\/[A-Za-z0-9_-]{43}$/);
  await shot(page, 'notifications-1-inbox');
  await mail.screenshot({ path: 'test-results/e2e/notifications-1-inbox-mail.png' });

  // The same mail, opened in a fresh browser (no session, no cookies): its Reconnect button.
  const [row] = await sql<{ html: string; unsubscribe: string }[]>`
    select html_body as html, headers->>'list-unsubscribe' as unsubscribe from sandbox_mail
    where to_address = 'alice@example.com' and subject = ${SUBJECT} order by id desc limit 1`;
  const fresh = await browser.newContext();
  const mailView = await fresh.newPage();
  await mailView.setViewportSize({ width: 720, height: 640 });
  await mailView.setContent(row.html);
  // The mail as docs/notifications.md shows it (UPDATE_DOCS_SCREENSHOTS=1 refreshes the committed one).
  const docsShot = process.env.UPDATE_DOCS_SCREENSHOTS ? 'docs/screenshots/notification-mail.png' : 'test-results/e2e/notification-mail.png';
  await mailView.screenshot({ path: docsShot, fullPage: true });
  // The button opens in a new tab, as from a mail client.
  const [reader] = await Promise.all([fresh.waitForEvent('page'), mailView.getByRole('link', { name: 'Reconnect', exact: true }).click()]);
  await expect(reader).toHaveURL(/\/signin\?next=/); // signed out: sign in as that user first
  await reader.getByRole('button', { name: 'Sign in with Atlassian' }).click();
  await reader.getByRole('button', { name: 'Sign in as Alice Jones' }).click();
  await reader.getByRole('button', { name: 'Accept' }).click(); // sign-in consent (read:me)
  await expect(reader.getByText('read:jira-work')).toBeVisible(); // Jira consent for the reconnect
  await reader.getByRole('button', { name: 'Accept' }).click();
  await expect(reader.getByRole('status')).toHaveText('Jira reconnected — it is healthy again.');
  const repaired = reader.getByRole('listitem', { name: 'Jira connection' });
  await expect(repaired.getByTestId('status-badge')).toHaveText('Healthy');
  expect(await repaired.getByRole('link', { name: 'Jira', exact: true }).getAttribute('href')).toBe(`/connections/${id}`);
  await shot(reader, 'notifications-2-reconnected');

  // The link was single use; the timeline says the mail was sent.
  await reader.goto(href!);
  await expect(reader.getByRole('heading', { level: 1 })).toHaveText('This link was already used');
  await reader.goto(`/connections/${id}`);
  await expect(reader.getByText('Email sent to the owner')).toBeVisible();

  // One-click unsubscribe from the mail's List-Unsubscribe header, with no session at all.
  const unsubscribe = row.unsubscribe.slice(1, -1);
  const client = await request.newContext(); // no cookies: what a mail client sends
  const res = await client.post(unsubscribe, { form: { 'List-Unsubscribe': 'One-Click' } });
  expect(res.status()).toBe(200);
  await client.dispose();
  const [{ on }] = await sql<{ on: boolean }[]>`select notifications_enabled as on from connections where id = ${id}`;
  expect(on).toBe(false);

  // The same link opened by a person (fresh browser, no session): the app's page, which says it is already done…
  const person = await fresh.newPage();
  await person.goto(unsubscribe);
  await expect(person).toHaveURL(/\/unsubscribe\/[A-Za-z0-9_-]{43}$/);
  await expect(person.getByRole('heading', { level: 1 })).toHaveText('You are already unsubscribed');
  await expect(person.getByRole('status')).toHaveText(
    'alice@example.com will not get emails about your Jira connection from Reconnect any more. You can turn them on again on your connections page.',
  );
  await expect(person.getByRole('link', { name: 'Reconnect', exact: true })).toBeVisible(); // the app's header
  expect(await seriousViolations(person)).toEqual([]);
  // …and, with the emails on again, asks first; its Unsubscribe button turns them off and says so.
  await sql`update connections set notifications_enabled = true where id = ${id}`;
  await person.reload();
  await expect(person.getByRole('heading', { level: 1 })).toHaveText('Unsubscribe');
  await expect(person.getByText('Stop sending emails about your Jira connection to alice@example.com?')).toBeVisible();
  await person.setViewportSize(PHONE);
  await expectNoHorizontalScroll(person);
  expect(await seriousViolations(person)).toEqual([]);
  await person.getByRole('button', { name: 'Unsubscribe', exact: true }).click();
  await expect(person.getByRole('heading', { level: 1 })).toHaveText('You are unsubscribed');
  const [{ on: after }] = await sql<{ on: boolean }[]>`select notifications_enabled as on from connections where id = ${id}`;
  expect(after).toBe(false);
  // An unknown link is a dead end of the app, not a bare page.
  await person.goto(unsubscribe.replace(/[A-Za-z0-9_-]{43}$/, 'x'.repeat(43)));
  await expect(person.getByRole('heading', { level: 1 })).toHaveText('Link not valid');
  await fresh.close();
  await sql.end();
});
