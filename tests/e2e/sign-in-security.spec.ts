// Sign-in, sessions and OAuth flows at the edges: each through a real Chromium and real HTTP.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { createConnectSession } from '../../lib/connect-sessions';
import { e2eSql, retireConnectionsOf, sim, signInAs, SIMULATOR_URL, userWithConnection } from './helpers';
import { dbFor } from '../../lib/db';
import { BitbucketControl } from '../../lib/providers/bitbucket/simulator/client';

const sessionsOf = async (email: string) => {
  const sql = e2eSql();
  try {
    const [{ n }] = await sql<{ n: number }[]>`select count(*)::int as n from sessions s join users u on u.id = s.user_id
      where u.email = ${email} and s.expires > now()`;
    return n;
  } finally {
    await sql.end();
  }
};

/**
 * Starts a sign-in as `name` in `page` and stops it at the callback, as an attacker would: the consent decision
 * goes to the simulator for real, but its redirect to the app is kept, not followed. Returns the callback URL.
 */
async function callbackUrlOfSignIn(page: Page, name: string): Promise<string> {
  let captured = '';
  await page.route(`${SIMULATOR_URL}/authorize/decision`, async (route) => {
    const answer = await route.fetch({ maxRedirects: 0 });
    captured = answer.headers().location ?? '';
    await route.fulfill({ status: 200, contentType: 'text/plain', body: 'kept the callback URL' });
  });
  await page.goto('/signin');
  await page.getByRole('button', { name: 'Sign in with Atlassian' }).click();
  await page.getByRole('button', { name: `Sign in as ${name}` }).click();
  await page.getByRole('button', { name: 'Accept' }).click();
  await expect.poll(() => captured).toContain('/api/oauth/callback?');
  await page.unroute(`${SIMULATOR_URL}/authorize/decision`);
  return captured;
}

async function newPage(browser: Browser): Promise<Page> {
  return (await browser.newContext()).newPage();
}

test('login CSRF: a sign-in callback opened in another browser is refused, signs nobody in, and stays usable by its owner', async ({ browser }) => {
  const attacker = await newPage(browser);
  const victim = await newPage(browser);
  const url = await callbackUrlOfSignIn(attacker, 'Bob Smith');
  const bobSessions = await sessionsOf('bob@example.com');

  const direct = await victim.request.get(url, { maxRedirects: 0 });
  expect(direct.status()).toBe(303);
  expect(direct.headers().location).toMatch(/\/problem\/other-browser(\?|$)/);
  const res = await victim.goto(url);
  expect(res!.status()).toBe(403);
  await expect(victim.getByRole('heading', { name: 'Started in another browser' })).toBeVisible();
  await expect(victim.getByTestId('dead-end')).toContainText('nothing changed');
  expect(await sessionsOf('bob@example.com')).toBe(bobSessions);
  await victim.goto('/');
  await expect(victim).toHaveURL(/\/signin/);
  expect((await victim.context().cookies()).filter((c) => /session-token/.test(c.name))).toEqual([]);

  // The state was not consumed by the stranger: its owner finishes the sign-in in their own browser.
  await attacker.goto(url);
  await expect(attacker.getByRole('heading', { name: 'My connections' })).toBeVisible();
  expect(await sessionsOf('bob@example.com')).toBe(bobSessions + 1);
});

test('sign-out ends the session on the server: a copied cookie stops working', async ({ browser }) => {
  const page = await newPage(browser);
  await signInAs(page, 'Alice Jones');
  const copy = await browser.newContext();
  await copy.addCookies(await page.context().cookies());
  const thief = await copy.newPage();
  await thief.goto('/');
  await expect(thief.getByRole('heading', { name: 'My connections' })).toBeVisible();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/signed-out$/);
  await expect(page.getByRole('heading', { name: 'You are signed out' })).toBeVisible();
  const res = await thief.request.get('/', { maxRedirects: 0 });
  expect(res.status()).toBe(307);
  expect(res.headers().location).toContain('/signin');
  await thief.goto('/');
  await expect(thief).toHaveURL(/\/signin/);
});

test('an admin sees a user’s sessions and ends them; the user is signed out at the next request', async ({ browser }) => {
  const alice = await newPage(browser);
  await signInAs(alice, 'Alice Jones');
  const admin = await newPage(browser);
  await signInAs(admin, 'Ada Admin');
  await admin.goto('/admin');
  await admin.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: 'Sessions' }).click();
  await expect(admin.getByRole('heading', { name: 'Sessions', exact: true })).toBeVisible();
  const hers = admin.getByRole('listitem', { name: 'Sessions of alice@example.com' });
  await expect(hers.getByRole('button', { name: /^End session of alice@example\.com/ }).first()).toBeVisible();
  await hers.getByRole('button', { name: 'End all sessions of alice@example.com' }).click();
  await admin.getByRole('dialog', { name: 'End all sessions of alice@example.com?' }).getByRole('button', { name: 'End all sessions' }).click();
  await expect(hers).toHaveCount(0); // the page re-renders without her
  expect(await sessionsOf('alice@example.com')).toBe(0);
  await alice.goto('/');
  await expect(alice).toHaveURL(/\/signin/);
});

test('a non-admin is kept out of the Sessions page: 403, no session listed', async ({ browser }) => {
  const bob = await newPage(browser);
  await signInAs(bob, 'Bob Smith');
  const res = await bob.goto('/admin/sessions');
  expect(res!.status()).toBe(403);
  await expect(bob.getByRole('heading', { level: 1 })).toHaveText('Admins only');
  await expect(bob.getByRole('heading', { name: 'Sessions', exact: true })).toHaveCount(0);
  await expect(bob.getByRole('listitem', { name: /^Sessions of / })).toHaveCount(0);
});

test('redirect targets: /signin?next=/%09/evil.example and friends stay on this site', async ({ page, baseURL }) => {
  const origin = new URL(baseURL!).origin;
  // Signed out: the form carries a safe next.
  await page.goto('/signin?next=/%09/evil.example');
  await expect(page.locator('input[name="next"]')).toHaveValue('/');
  await signInAs(page, 'Alice Jones');
  for (const next of ['/%09/evil.example', '/%0a/evil.example', '/%5Cevil.example', '//evil.example', 'https://evil.example/', '/%20/evil.example']) {
    const res = await page.request.get(`/signin?next=${next}`, { maxRedirects: 0 });
    expect(res.status(), next).toBeGreaterThanOrEqual(300);
    expect(res.status(), next).toBeLessThan(400);
    const location = res.headers().location;
    // What a browser makes of it: tabs and newlines dropped, backslashes read as slashes.
    const followed = new URL(location.replace(/[\t\n\r]/g, '').replace(/\\/g, '/'), origin);
    expect(followed.origin, `${next} → ${JSON.stringify(location)}`).toBe(origin);
    expect(followed.pathname, next).toBe('/');
  }
  // A same-site next is kept.
  const kept = await page.request.get('/signin?next=/sandbox', { maxRedirects: 0 });
  expect(new URL(kept.headers().location, origin).href).toBe(`${origin}/sandbox`);
});

test('an Atlassian account with an unverified email cannot sign in', async ({ page }) => {
  await page.goto('/signin');
  await page.getByRole('button', { name: 'Sign in with Atlassian' }).click();
  await page.getByRole('button', { name: 'Sign in as Uma Unverified' }).click();
  await page.getByRole('button', { name: 'Accept' }).click();
  await expect(page).toHaveURL(/\/problem\/email-not-verified(\?|$)/);
  await expect(page.getByRole('heading', { name: 'Email not verified' })).toBeVisible();
  expect(await sessionsOf('uma@example.com')).toBe(0);
  await page.goto('/');
  await expect(page).toHaveURL(/\/signin/);
});

test('a connect link opened by the wrong user says it belongs to someone else, without naming them', async ({ browser }) => {
  const sql = e2eSql();
  const link = await createConnectSession(dbFor(sql), new URL(test.info().project.use.baseURL!).origin, { user_email: 'alice@example.com', product: 'jira' });
  await sql.end();
  const bob = await newPage(browser);
  await signInAs(bob, 'Bob Smith');
  const res = await bob.goto(link.url);
  expect(res!.status()).toBe(403);
  await expect(bob.getByRole('heading', { level: 1 })).toHaveText('This link is for someone else');
  await expect(bob.getByTestId('dead-end')).toContainText('made for another person');
  const html = await bob.content();
  expect(html).not.toContain('alice@example.com');
  expect(html).not.toContain('Alice');
});

test('sandbox: Bob drives the simulator for his own grants only, never Alice’s', async ({ browser }) => {
  const sql = e2eSql();
  await retireConnectionsOf(sql, 'alice@example.com'); // specs share one database
  await sql.end();
  await userWithConnection(browser, 'Alice Jones', 'Jira');
  const liveGrantsOfAlice = async () => (await sim.grants()).filter((g) => g.user_email === 'alice@example.com' && !g.revoked).length;
  const before = await liveGrantsOfAlice();
  expect(before).toBeGreaterThan(0);

  const bob = await newPage(browser);
  await signInAs(bob, 'Bob Smith');
  await bob.goto('/sandbox');
  const who = bob.getByRole('combobox', { name: 'Simulator user' });
  await expect(who.locator('option')).toHaveText(['Bob Smith (bob@example.com)']);
  await expect(bob.getByRole('list', { name: 'Simulator users' })).not.toContainText('alice@example.com');
  // A forged form (what a hand-made POST sends): Alice's email in Bob's form.
  await who.evaluate((select: HTMLSelectElement) => {
    select.add(new Option('Alice', 'alice@example.com'));
    select.value = 'alice@example.com';
  });
  await bob.getByRole('button', { name: 'Revoke app access' }).click();
  await expect(bob.getByText('You can only do this for your own Atlassian account.')).toBeVisible();
  expect(await liveGrantsOfAlice()).toBe(before);
});

test('sandbox: Bob drives the Bitbucket simulator for his own grants only; consumer-wide changes are for admins', async ({ browser }) => {
  const bitbucket = new BitbucketControl(SIMULATOR_URL);
  const alice = await newPage(browser);
  await signInAs(alice, 'Alice Jones');
  await alice.getByRole('button', { name: 'Connect Bitbucket', exact: true }).click();
  await alice.getByRole('button', { name: 'Grant access' }).click();
  await expect(alice.getByRole('listitem', { name: 'Bitbucket connection' }).first().getByTestId('status-badge')).toHaveText('Healthy');
  const liveFamilies = async () => (await bitbucket.grants()).filter((g) => !g.revoked).length;
  const liveOfAlice = async () => (await bitbucket.grants()).filter((g) => g.user_email === 'alice@example.com' && !g.revoked).length;
  const [before, beforeAll] = [await liveOfAlice(), await liveFamilies()];
  expect(before).toBeGreaterThan(0);

  const bob = await newPage(browser);
  await signInAs(bob, 'Bob Smith');
  await bob.goto('/sandbox');
  const panel = bob.getByRole('region', { name: 'Bitbucket events' });
  // A forged form: Alice's email in Bob's Bitbucket form.
  await panel.getByRole('combobox').evaluate((select: HTMLSelectElement) => {
    select.add(new Option('Alice', 'alice@example.com'));
    select.value = 'alice@example.com';
  });
  await panel.getByRole('button', { name: 'Revoke Bitbucket access' }).click();
  await expect(bob.getByText('You can only do this for your own Bitbucket account.')).toBeVisible();
  expect(await liveOfAlice()).toBe(before);

  await panel.getByRole('button', { name: 'Change consumer permissions' }).click();
  await expect(bob.getByText("Only an admin can change the consumer's permissions")).toBeVisible();
  expect(await liveFamilies()).toBe(beforeAll);
});
