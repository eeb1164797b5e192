import { expect, test } from '@playwright/test';
import { e2eSql, retireConnectionsOf, shot, signInAs, simControl } from './helpers';

test('connect Jira, lose it to a revoked grant, and repair it with one click', async ({ page }) => {
  const sql = e2eSql();
  await retireConnectionsOf(sql, 'alice@example.com'); // specs share one database
  await sql.end();
  await signInAs(page, 'Alice Jones');
  await shot(page, 'flow-1-signed-in');

  await page.getByRole('button', { name: 'Connect Jira', exact: true }).click();
  await expect(page.getByText('read:jira-work')).toBeVisible(); // Atlassian's consent screen
  await shot(page, 'flow-2-consent');
  await page.getByRole('button', { name: 'Accept' }).click();
  await expect(page.getByRole('status')).toHaveText('Jira connected.');
  const card = page.getByRole('listitem', { name: 'Jira connection' });
  await expect(card.getByTestId('status-badge')).toHaveText('Healthy');
  const detailHref = await card.getByRole('link', { name: 'Jira' }).getAttribute('href');
  await shot(page, 'flow-3-healthy');

  await simControl('/users/alice%40example.com/revoke');
  await card.getByRole('button', { name: 'Test connection' }).click();
  await expect(card.getByTestId('status-badge')).toHaveText('Needs reconnect');
  await expect(card).toContainText('Access was revoked in Atlassian or your password changed.');
  await shot(page, 'flow-4-needs-reconnect');

  await card.getByRole('button', { name: 'Reconnect Jira' }).click();
  await page.getByRole('button', { name: 'Accept' }).click();
  await expect(page.getByRole('status')).toHaveText('Jira reconnected — it is healthy again.');
  const repaired = page.getByRole('listitem', { name: 'Jira connection' });
  await expect(repaired.getByTestId('status-badge')).toHaveText('Healthy');
  expect(await repaired.getByRole('link', { name: 'Jira' }).getAttribute('href')).toBe(detailHref);
  await shot(page, 'flow-5-healthy-again');

  await page.goto(detailHref!);
  const timeline = page.getByRole('list').filter({ hasText: 'Connected' }).last();
  await expect(timeline).toContainText('Needs reconnect');
  await expect(timeline).toContainText('Reconnected');
  // The owner's notification mail may be recorded after the reconnect: look at the reconnect itself.
  await expect(timeline.getByRole('listitem').filter({ hasText: 'Reconnected' }).first()).toContainText('generation 2');
  await shot(page, 'flow-6-timeline');
});
