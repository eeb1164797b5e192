// Accessibility: axe on every page a person can reach (signed out, user, admin), at desktop and phone widths and in dark
// mode, with no serious or critical violation and no sideways scroll at 390 px; and the keyboard path through the header.
import { expect, test, type Browser, type Page } from '@playwright/test';
import { DESKTOP, e2eSql, expectNoHorizontalScroll, PHONE, retireConnectionsOf, seriousViolations, signInAs, userWithConnection } from './helpers';

type Who = 'anonymous' | 'user' | 'admin';

/**
 * The pages scanned, by who looks at them. `{jira}` stands for the id of the user's connected Jira.
 * Append new pages (error pages, …) here.
 */
const PAGES: { who: Who; path: string }[] = [
  { who: 'anonymous', path: '/signin' },
  { who: 'anonymous', path: '/no-such-page' },
  { who: 'user', path: '/' },
  { who: 'user', path: '/connections/{jira}' },
  { who: 'user', path: '/sandbox' },
  { who: 'user', path: '/admin' }, // a plain user asking for the admin area
  { who: 'admin', path: '/admin' },
  { who: 'admin', path: '/admin?status=needs_reauth' },
  { who: 'admin', path: '/admin/webhooks' },
  { who: 'admin', path: '/admin/api-keys' },
  { who: 'admin', path: '/admin/sessions' },
  { who: 'anonymous', path: '/signed-out' },
  { who: 'anonymous', path: '/problem/cancelled?product=jira' },
  { who: 'user', path: '/problem/link-used' },
  { who: 'user', path: '/problem/link-wrong-user' },
  { who: 'anonymous', path: '/problem/no-such-code' },
  { who: 'anonymous', path: '/problem/unsubscribe-not-valid' },
  { who: 'user', path: '/unavailable?from=%2F' }, // the database-outage page (503)
  { who: 'anonymous', path: '/docs/api' }, // last: the longest page, the slowest to scan
];

const MODES = [
  { name: 'desktop light', viewport: DESKTOP, colorScheme: 'light' },
  { name: 'phone light', viewport: PHONE, colorScheme: 'light' },
  { name: 'desktop dark', viewport: DESKTOP, colorScheme: 'dark' },
] as const;

const HOOK_URL = 'https://hooks.example.com/reconnect-a11y';

async function scanEveryWay(page: Page, path: string): Promise<void> {
  for (const mode of MODES) {
    await page.setViewportSize(mode.viewport);
    await page.emulateMedia({ colorScheme: mode.colorScheme });
    await page.goto(path);
    await expect(page.locator('main')).toBeVisible(); // not h1: a page's heading is its own business
    expect(await seriousViolations(page), `${path} at ${mode.name}`).toEqual([]);
    if (mode.viewport === PHONE) await expectNoHorizontalScroll(page);
  }
  await page.emulateMedia({ colorScheme: 'light' });
}

/** An admin with a webhook endpoint; its deliveries come from the user's connect and a test message. */
async function adminWithWebhook(browser: Browser): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signInAs(page, 'Ada Admin');
  await page.goto('/admin/webhooks');
  await page.getByRole('region', { name: 'Add an endpoint' }).getByLabel('URL').fill(HOOK_URL);
  await page.getByRole('button', { name: 'Create endpoint' }).click();
  await expect(page.getByRole('button', { name: 'Copy signing secret' })).toBeVisible();
  const endpoint = page.getByTestId('webhook-endpoint').filter({ hasText: HOOK_URL });
  await endpoint.getByRole('button', { name: 'Send test' }).click();
  await expect(page.getByTestId('toast').filter({ hasText: 'queued' })).toBeVisible();
  return page;
}

test.describe('every page: no serious accessibility violation, light and dark; no sideways scroll on a phone', () => {
  const sql = e2eSql();
  let pages: Record<Who, Page>;
  let jiraId: string;

  test.beforeAll(async ({ browser }) => {
    test.setTimeout(120_000);
    await retireConnectionsOf(sql, 'alice@example.com');
    await sql`delete from webhook_endpoints where url = ${HOOK_URL}`;
    const admin = await adminWithWebhook(browser);
    const user = await userWithConnection(browser, 'Alice Jones', 'Jira');
    jiraId = user.id;
    await admin.reload();
    await expect(admin.getByTestId('webhook-delivery').first()).toBeVisible();
    pages = { anonymous: await (await browser.newContext()).newPage(), user: user.page, admin };
  });

  test.afterAll(async () => {
    await sql`delete from webhook_endpoints where url = ${HOOK_URL}`;
    await sql.end();
  });

  for (const { who, path } of PAGES) {
    test(`${path} as ${who}`, async () => {
      test.setTimeout(420_000); // axe on the long API reference is slow on a busy machine
      await scanEveryWay(pages[who], path.replace('{jira}', jiraId));
    });
  }
});

test('the keyboard reaches the skip link, the navigation and "Connect Jira" in order, each visibly focused', async ({ page }) => {
  await signInAs(page, 'Bob Smith');
  await page.goto('/');
  const expected = ['Skip to content', 'Connections', 'API', 'Sandbox', 'Connect Jira'];
  const seen: string[] = [];
  for (let i = 0; i < 30 && !seen.includes('Connect Jira'); i++) {
    await page.keyboard.press('Tab');
    const focused = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement;
      const name = (el.getAttribute('aria-label') ?? el.innerText ?? '').trim();
      return { name, outline: getComputedStyle(el).outlineStyle, width: getComputedStyle(el).outlineWidth };
    });
    expect(focused.outline, `focus on "${focused.name}" is not visible`).not.toBe('none');
    expect(focused.width, `focus on "${focused.name}" has no outline width`).not.toBe('0px');
    seen.push(focused.name);
  }
  const positions = expected.map((name) => seen.indexOf(name));
  expect(positions.every((p) => p >= 0), `focus order: ${seen.join(' → ')}`).toBe(true);
  expect(positions, `focus order: ${seen.join(' → ')}`).toEqual([...positions].sort((a, b) => a - b));
  expect(seen[0]).toBe('Skip to content');
});

test('the navigation marks the current section, also on a connection’s own page and in the admin tabs', async ({ browser }) => {
  const { page, id } = await userWithConnection(browser, 'Alice Jones', 'Jira');
  const main = page.getByRole('navigation', { name: 'Main' });
  await page.goto(`/connections/${id}`);
  await expect(main.getByRole('link', { name: 'Connections' })).toHaveAttribute('aria-current', 'page');
  await expect(main.getByRole('link', { name: 'API' })).not.toHaveAttribute('aria-current', 'page');
  await page.goto('/docs/api');
  await expect(main.getByRole('link', { name: 'API' })).toHaveAttribute('aria-current', 'page');
  await expect(main.getByRole('link', { name: 'Connections' })).not.toHaveAttribute('aria-current', 'page');
  const admin = await (await browser.newContext()).newPage();
  await signInAs(admin, 'Ada Admin');
  await admin.goto('/admin/sessions');
  const tabs = admin.getByRole('navigation', { name: 'Admin' });
  await expect(tabs.getByRole('link', { name: 'Sessions' })).toHaveAttribute('aria-current', 'page');
  await expect(tabs.getByRole('link', { name: 'Overview' })).not.toHaveAttribute('aria-current', 'page');
});
