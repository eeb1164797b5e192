import { expect, test } from '@playwright/test';
import postgres from 'postgres';
import { retireConnectionsOf, shot, userWithConnection } from './helpers';

test("user B can neither see nor act on user A's connection", async ({ browser }) => {
  const sql = postgres(process.env.E2E_DATABASE_URL!, { max: 1 });
  for (const email of ['alice@example.com', 'bob@example.com']) await retireConnectionsOf(sql, email); // specs share one database
  const alice = await userWithConnection(browser, 'Alice Jones', 'Jira');
  const bob = await userWithConnection(browser, 'Bob Smith', 'Confluence');
  const before = await sql`select status, token_generation, updated_at,
    (select count(*)::int from connection_events where connection_id = ${alice.id}) as events
    from connections where id = ${alice.id}`;

  const detail = await bob.page.goto(`/connections/${alice.id}`);
  expect(detail?.status()).toBe(404);
  await bob.page.goto('/');
  await expect(bob.page.getByText('Jira', { exact: true })).toHaveCount(0);

  // Forge each server action: Bob's own buttons, pointed at Alice's connection id.
  const card = bob.page.getByRole('listitem', { name: 'Confluence connection' });
  await card.locator('input[name="connectionId"]').evaluateAll((inputs, id) => inputs.forEach((i) => ((i as HTMLInputElement).value = id)), alice.id);
  const buttons = ['Test connection', 'Reconnect Confluence', 'Disconnect'];
  for (const [i, button] of buttons.entries()) {
    await card.getByRole('button', { name: button }).click();
    if (button === 'Disconnect') await bob.page.getByRole('dialog').getByRole('button', { name: 'Disconnect' }).click();
    await expect(bob.page.getByTestId('toast').filter({ hasText: 'That connection was not found.' })).toHaveCount(i + 1);
  }
  await shot(bob.page, 'idor-refused');
  expect(bob.page.url()).not.toContain('/authorize');

  const after = await sql`select status, token_generation, updated_at,
    (select count(*)::int from connection_events where connection_id = ${alice.id}) as events
    from connections where id = ${alice.id}`;
  expect(after).toEqual(before);
  expect(after[0].status).toBe('active');
  await alice.page.reload();
  await expect(alice.page.getByRole('listitem', { name: 'Jira connection' }).getByTestId('status-badge')).toHaveText('Healthy');
  await sql.end();
});
