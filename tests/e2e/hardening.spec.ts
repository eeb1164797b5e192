// Issue 23's hardening, as a person meets it in a real browser: the API keys page says what a key can do, and a
// connect link neither leaves its token in the database on the way through sign-in nor outlives its purpose.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { createConnectSession } from '../../lib/connect-sessions';
import { dbFor } from '../../lib/db';
import { connectProduct, e2eSql, retireConnectionsOf, signInAs } from './helpers';

test.describe.configure({ timeout: 180_000 });

async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

test('the API keys page says plainly that any key reads every connection’s token and manages webhooks', async ({ page }) => {
  await signInAs(page, 'Ada Admin');
  await page.goto('/admin/api-keys');
  await expect(page.getByRole('heading', { name: 'API keys', level: 1 })).toBeVisible();
  await expect(page.getByText('Every key has full access')).toBeVisible();
  await expect(page.getByText('Any API key reads every connection’s access token, for every user')).toBeVisible();
  await expect(page.getByText('It also creates connect links, disconnects connections and manages webhook endpoints. Keys have no scopes.')).toBeVisible();
});

test('a reconnect link: the sign-in on the way stores no token; once the connection is reconnected, its other link is no longer valid', async ({ browser }) => {
  const sql = e2eSql();
  try {
    await retireConnectionsOf(sql, 'alice@example.com'); // specs share one database
    const owner = await newPage(browser);
    await signInAs(owner, 'Alice Jones');
    const id = await connectProduct(owner, 'Jira');
    // Two links for the connection, as the API (or two mails) hand them out.
    const origin = new URL(test.info().project.use.baseURL!).origin;
    const [first, second] = [await createConnectSession(dbFor(sql), origin, { connection_id: id }), await createConnectSession(dbFor(sql), origin, { connection_id: id })];
    const firstToken = first.url.split('/').pop()!;

    // Opened signed out, in another browser: sign in first.
    const reader = await newPage(browser);
    await reader.goto(first.url);
    await expect(reader).toHaveURL(/\/signin\?next=/);
    await reader.getByRole('button', { name: 'Sign in with Atlassian' }).click();
    await expect(reader.getByRole('button', { name: 'Sign in as Alice Jones' })).toBeVisible();
    // The sign-in's stored state names the link by its id; no row holds its token.
    const [state] = await sql`select redirect_to, connect_session_id from oauth_states where purpose = 'signin' order by created_at desc limit 1`;
    const [link] = await sql`select id from connect_sessions where connection_id = ${id} order by created_at limit 1`;
    expect(state).toEqual({ redirect_to: null, connect_session_id: link!.id });
    expect(JSON.stringify(await sql`select * from oauth_states`)).not.toContain(firstToken);
    await reader.getByRole('button', { name: 'Sign in as Alice Jones' }).click();
    await reader.getByRole('button', { name: 'Accept' }).click(); // sign-in consent (read:me)
    await expect(reader.getByText('read:jira-work')).toBeVisible(); // straight on to the link's Jira consent
    await reader.getByRole('button', { name: 'Accept' }).click();
    await expect(reader.getByRole('status')).toHaveText('Jira reconnected — it is healthy again.');

    // The other link was for the same connection: withdrawn when it was reconnected.
    await reader.goto(second.url);
    await expect(reader).toHaveURL(/\/problem\/link-withdrawn$/);
    await expect(reader.getByRole('heading', { level: 1 })).toHaveText('This link is no longer valid');
    await expect(reader.getByTestId('dead-end')).toContainText('has been reconnected, or works again, since the link was sent');
    await expect(reader).toHaveTitle('This link is no longer valid · Reconnect');
    expect((await reader.request.get(reader.url(), { maxRedirects: 0 })).status()).toBe(410);
  } finally {
    await sql.end();
  }
});
