import { expect, test } from '@playwright/test';
import { e2eSql, retireConnectionsOf, shot, signInAs, simControl } from './helpers';

// The sandbox tour, for a product of Atlassian's 3LO app and for Bitbucket's OAuth consumer.
const TOURS = [
  {
    label: 'Jira',
    shots: 'flow',
    consent: 'read:jira-work', // Atlassian's consent screen lists the scopes
    accept: 'Accept',
    revoke: '/users/alice%40example.com/revoke',
    reason: 'Access was revoked in Atlassian or your password changed.',
  },
  {
    label: 'Bitbucket',
    shots: 'bitbucket-flow',
    consent: 'is requesting access to your Bitbucket account',
    accept: 'Grant access',
    revoke: '/bitbucket/users/alice%40example.com/revoke',
    reason: 'Bitbucket no longer accepts this connection',
  },
] as const;

for (const tour of TOURS) {
  test(`connect ${tour.label}, lose it to a revoked grant, and repair it with one click`, async ({ page }) => {
    const { label } = tour;
    const sql = e2eSql();
    await retireConnectionsOf(sql, 'alice@example.com'); // specs share one database
    await sql.end();
    await signInAs(page, 'Alice Jones');
    await shot(page, `${tour.shots}-1-signed-in`);

    await page.getByRole('button', { name: `Connect ${label}`, exact: true }).click();
    await expect(page.getByText(tour.consent)).toBeVisible();
    await shot(page, `${tour.shots}-2-consent`);
    await page.getByRole('button', { name: tour.accept }).click();
    await expect(page.getByRole('status')).toHaveText(`${label} connected.`);
    const card = page.getByRole('listitem', { name: `${label} connection` });
    await expect(card.getByTestId('status-badge')).toHaveText('Healthy');
    const detailHref = await card.getByRole('link', { name: label }).getAttribute('href');
    await shot(page, `${tour.shots}-3-healthy`);

    await simControl(tour.revoke);
    await card.getByRole('button', { name: 'Test connection' }).click();
    await expect(card.getByTestId('status-badge')).toHaveText('Needs reconnect');
    await expect(card).toContainText(tour.reason);
    await shot(page, `${tour.shots}-4-needs-reconnect`);

    await card.getByRole('button', { name: `Reconnect ${label}` }).click();
    await page.getByRole('button', { name: tour.accept }).click();
    await expect(page.getByRole('status')).toHaveText(`${label} reconnected — it is healthy again.`);
    const repaired = page.getByRole('listitem', { name: `${label} connection` });
    await expect(repaired.getByTestId('status-badge')).toHaveText('Healthy');
    expect(await repaired.getByRole('link', { name: label }).getAttribute('href')).toBe(detailHref);
    await shot(page, `${tour.shots}-5-healthy-again`);

    await page.goto(detailHref!);
    const timeline = page.getByRole('list').filter({ hasText: 'Connected' }).last();
    await expect(timeline).toContainText('Needs reconnect');
    await expect(timeline).toContainText('Reconnected');
    // The owner's notification mail may be recorded after the reconnect: look at the reconnect itself.
    await expect(timeline.getByRole('listitem').filter({ hasText: /Reconnected/ }).first()).toContainText('generation 2');
    await shot(page, `${tour.shots}-6-timeline`);
  });
}
