// What a newcomer meets around the pages (issue 23): every page titled "<page> · Reconnect" (dead ends for what they
// say, the admins-only refusal as a refusal); the header in one row on a phone and each status badge beside its card's
// title; the sandbox's failure selects readable at 1280 px and its Inbox folded so that the page stays short.
import { randomUUID } from 'node:crypto';
import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Browser, type BrowserContext, type Page } from '@playwright/test';
import { DEAD_END_CODES, deadEnd } from '../../lib/pages/dead-ends';
import { UNSUBSCRIBE_NOT_VALID } from '../../lib/pages/unsubscribe-page';
import { DESKTOP, e2eSql, expectNoHorizontalScroll, PHONE, retireConnectionsOf, seriousViolations, shot, signInAs, userWithConnection } from './helpers';

const sql = e2eSql();
/** The browser contexts a test opened (one per person), closed after it. */
const contexts: BrowserContext[] = [];
test.afterEach(async () => {
  for (const context of contexts.splice(0)) await context.close();
});
test.afterAll(async () => {
  await sql`delete from sandbox_mail where subject like 'Newcomer inbox test %'`;
  await sql.end();
});

const titled = (page: string) => `${page} · Reconnect`;

async function freshPage(browser: Browser): Promise<Page> {
  const context = await browser.newContext();
  contexts.push(context);
  return context.newPage();
}

async function signedIn(browser: Browser, name: string): Promise<Page> {
  const page = await freshPage(browser);
  await signInAs(page, name);
  return page;
}

test('every page is titled "<page> · Reconnect": dead ends for what they say, the admins-only refusal as a refusal', async ({ browser }) => {
  test.setTimeout(300_000);
  await retireConnectionsOf(sql, 'alice@example.com');
  const user = await userWithConnection(browser, 'Alice Jones', 'Jira');
  contexts.push(user.page.context());
  const admin = await signedIn(browser, 'Ada Admin');
  const anonymous = await freshPage(browser);
  const deadEnds = [...DEAD_END_CODES, 'no-such-code'].map((code) => ({ path: `/problem/${code}`, title: deadEnd(code).title({}) }));

  // Every page a person can reach, by who opens it, with the title it must have.
  const pages: Array<{ who: Page; path: string; title: string }> = [
    { who: anonymous, path: '/signin', title: 'Sign in' },
    { who: anonymous, path: '/signed-out', title: 'Signed out' },
    { who: anonymous, path: '/docs/api', title: 'Service API reference' },
    { who: anonymous, path: '/no-such-page', title: 'Page not found' },
    { who: anonymous, path: '/unavailable', title: 'Temporarily unavailable' },
    { who: anonymous, path: '/connect/not-a-link-reconnect-made', title: 'This link is not valid' },
    { who: anonymous, path: '/unsubscribe/not-a-link-reconnect-made', title: deadEnd(UNSUBSCRIBE_NOT_VALID).title({}) },
    { who: anonymous, path: '/problem/no-sites?product=jira', title: deadEnd('no-sites').title({ product: 'jira' }) },
    ...deadEnds.map((d) => ({ who: anonymous, ...d })),
    { who: user.page, path: '/', title: 'My connections' },
    { who: user.page, path: `/connections/${user.id}`, title: 'Jira connection (alice@example.com)' },
    { who: user.page, path: `/connections/${randomUUID()}`, title: 'Page not found' },
    { who: user.page, path: '/sandbox', title: 'Sandbox control panel' },
    { who: user.page, path: '/admin', title: 'Admins only' },
    { who: user.page, path: '/admin/webhooks', title: 'Admins only' },
    { who: user.page, path: '/admin/api-keys', title: 'Admins only' },
    { who: user.page, path: '/admin/sessions', title: 'Admins only' },
    { who: user.page, path: '/problem/link-used', title: deadEnd('link-used').title({}) },
    { who: admin, path: `/connections/${user.id}`, title: 'Jira connection (alice@example.com)' },
    { who: admin, path: '/admin', title: 'All connections' },
    { who: admin, path: '/admin?status=needs_reauth', title: 'All connections' },
    { who: admin, path: '/admin/webhooks', title: 'Webhooks' },
    { who: admin, path: '/admin/api-keys', title: 'API keys' },
    { who: admin, path: '/admin/sessions', title: 'Sessions' },
  ];
  const seen: string[] = [];
  for (const { who, path, title } of pages) {
    await who.goto(path);
    await expect(who.locator('main')).toBeVisible();
    const actual = await who.title();
    seen.push(`${path}: ${actual}`);
    expect.soft(actual, path).toBe(titled(title));
    // One pattern: the page, one "·", the app; never an "—".
    expect.soft(actual, path).toMatch(/^[^·—]+ · Reconnect$/);
  }
  // A dead end's title is the words of its heading.
  await anonymous.goto('/connect/not-a-link-reconnect-made');
  await expect(anonymous.getByRole('heading', { level: 1 })).toHaveText('This link is not valid');
  expect(seen.length).toBe(pages.length);
});

/** The boxes of the header's controls (logo, each navigation link, sign-out). */
async function headerRow(page: Page) {
  const header = page.getByRole('banner');
  const box = (await header.boundingBox())!;
  const controls = header.locator('a, button');
  const tops: number[] = [];
  for (let i = 0; i < (await controls.count()); i++) {
    const b = await controls.nth(i).boundingBox();
    if (b) tops.push(b.y);
  }
  return { height: box.height, tops };
}

test('at 390 × 844 the header is one row (the admin’s four links included), its links still named', async ({ browser }) => {
  for (const name of ['Ada Admin', 'Bob Smith']) {
    const page = await signedIn(browser, name);
    await page.setViewportSize(PHONE);
    for (const path of ['/', '/sandbox', '/docs/api']) {
      await page.goto(path);
      const { height, tops } = await headerRow(page);
      expect(tops.length, `${name} ${path}`).toBeGreaterThanOrEqual(name === 'Ada Admin' ? 6 : 5); // logo, links, sign-out
      // One row: py-3 around one 36 px control row (two rows were 100 px and more).
      expect(height, `${name} ${path}: header ${height}px`).toBeLessThan(70);
      expect(Math.max(...tops) - Math.min(...tops), `${name} ${path}: control tops ${tops.join(', ')}`).toBeLessThan(8);
      await expectNoHorizontalScroll(page);
    }
    const nav = page.getByRole('navigation', { name: 'Main' });
    for (const link of ['Connections', 'API', 'Sandbox', ...(name === 'Ada Admin' ? ['Admin'] : [])]) {
      await expect(nav.getByRole('link', { name: link, exact: true })).toBeVisible();
    }
    await expect(page.getByRole('banner').getByRole('button', { name: 'Sign out' })).toBeVisible();
    await page.goto('/');
    expect(await seriousViolations(page)).toEqual([]);
    await shot(page, `newcomer-header-phone-${name.split(' ')[0]!.toLowerCase()}`);
    // On a desktop the words are back, and who is signed in.
    await page.setViewportSize(DESKTOP);
    await expect(nav.getByText('Connections', { exact: true })).toBeVisible();
    await expect(page.getByRole('banner').getByText(name === 'Ada Admin' ? 'admin@example.com' : 'bob@example.com')).toBeVisible();
    expect((await headerRow(page)).height).toBeLessThan(70);
  }
});

test('at 390 × 844 every card’s status badge sits beside its title, top-aligned', async ({ browser }) => {
  test.setTimeout(180_000);
  await retireConnectionsOf(sql, 'bob@example.com');
  const page = await signedIn(browser, 'Bob Smith');
  for (const [product, accept] of [['Jira', 'Accept'], ['Confluence', 'Accept'], ['Bitbucket', 'Grant access']] as const) {
    await page.getByRole('button', { name: `Connect ${product}`, exact: true }).click();
    await page.getByRole('button', { name: accept }).click();
    await expect(page.getByRole('listitem', { name: `${product} connection` }).getByTestId('status-badge')).toHaveText('Healthy');
  }
  await page.setViewportSize(PHONE);
  await page.reload();
  for (const product of ['Jira', 'Confluence', 'Bitbucket']) {
    const card = page.getByRole('listitem', { name: `${product} connection` });
    const heading = (await card.getByRole('heading').first().boundingBox())!;
    const badge = (await card.getByTestId('status-badge').boundingBox())!;
    expect(Math.abs(badge.y - heading.y), `${product}: badge at y=${badge.y}, title at y=${heading.y}`).toBeLessThan(6);
    expect(badge.x, `${product}: the badge is right of the title`).toBeGreaterThan(heading.x);
  }
  await expectNoHorizontalScroll(page);
  await shot(page, 'newcomer-cards-phone');
});

test('sandbox at 1280 px: every failure select shows its options whole; the Inbox shows the newest mail, older ones folded', async ({ browser }) => {
  const page = await signedIn(browser, 'Bob Smith');
  await page.setViewportSize(DESKTOP);
  await page.goto('/sandbox');
  const panel = page.getByRole('region', { name: 'Provider failures' });
  const selects = panel.locator('select');
  expect(await selects.count()).toBeGreaterThanOrEqual(2);
  for (let i = 0; i < (await selects.count()); i++) {
    // The width the select would need to show its longest option whole (the browser sizes an auto-width select so).
    const { shown, needed, longest } = await selects.nth(i).evaluate((el: HTMLSelectElement) => {
      const probe = el.cloneNode(true) as HTMLSelectElement;
      Object.assign(probe.style, { width: 'auto', minWidth: '0', maxWidth: 'none', position: 'absolute', visibility: 'hidden' });
      document.body.append(probe);
      const needed = probe.getBoundingClientRect().width;
      probe.remove();
      const longest = [...el.options].map((o) => o.text).sort((a, b) => b.length - a.length)[0];
      return { shown: el.getBoundingClientRect().width, needed, longest };
    });
    expect(shown, `select ${i} is ${shown}px wide, "${longest}" needs ${needed}px`).toBeGreaterThanOrEqual(needed);
  }

  // Five mails for Bob (as the mail catcher stores them): one open, four folded to a line each.
  await sql`delete from sandbox_mail where subject like 'Newcomer inbox test %'`;
  for (let n = 1; n <= 5; n++) {
    await sql`insert into sandbox_mail (from_address, to_address, subject, text_body, html_body, headers, received_at)
      values ('reconnect@localhost', 'bob@example.com', ${`Newcomer inbox test ${n}`}, ${`Body ${n}`},
              ${`<html><head></head><body><p>Body of mail ${n}</p></body></html>`}, '{}'::jsonb, now() - ${`${6 - n} minutes`}::interval)`;
  }
  await page.reload();
  const inbox = page.getByRole('region', { name: 'Inbox' });
  const newest = inbox.getByRole('article', { name: 'Mail: Newcomer inbox test 5' });
  await expect(newest.locator('iframe')).toBeVisible();
  await expect(page.frameLocator('iframe[title="Mail body: Newcomer inbox test 5"]').getByText('Body of mail 5')).toBeVisible();
  await expect(inbox.locator('iframe:visible')).toHaveCount(1);
  for (let n = 1; n <= 4; n++) {
    const older = inbox.getByRole('article', { name: `Mail: Newcomer inbox test ${n}` });
    await expect(older).toContainText(`Newcomer inbox test ${n}`);
    await expect(older).toContainText('To bob@example.com');
    await expect(older.locator('iframe')).toBeHidden();
  }
  // Five 34rem frames made the Inbox over 3,000 px tall; folded, it is one frame and four lines.
  const height = (await inbox.boundingBox())!.height;
  expect(height, `the Inbox is ${height}px tall with five mails`).toBeLessThan(1300);
  await shot(page, 'newcomer-sandbox-inbox');
  // The folded Inbox's own markup (a heading in each summary). The mails' frames are left out: they are sandboxed
  // without scripts, and axe, unable to run inside them, stalls for minutes; notifications.spec.ts checks the mail.
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']).exclude('iframe').analyze();
  expect(violations.filter((v) => v.impact === 'serious' || v.impact === 'critical').map((v) => v.id)).toEqual([]);

  // An older mail opens with a click on its line.
  const third = inbox.getByRole('article', { name: 'Mail: Newcomer inbox test 3' });
  await third.getByText('Newcomer inbox test 3').click();
  await expect(page.frameLocator('iframe[title="Mail body: Newcomer inbox test 3"]').getByText('Body of mail 3')).toBeVisible();
});
