import AxeBuilder from '@axe-core/playwright';
import { expect, type Browser, type Page } from '@playwright/test';
import postgres, { type Sql } from 'postgres';
import { SimulatorControl } from '../../lib/providers/atlassian/simulator/client';

export const SIMULATOR_URL = process.env.SIMULATOR_URL!;

export async function simControl(path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${SIMULATOR_URL}/_control${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  if (!res.ok) throw new Error(`simulator control ${path}: ${res.status}`);
  return res.json();
}

/** Signs in through the simulator's Atlassian sign-in and consent, as a person would. */
export async function signInAs(page: Page, name: string): Promise<void> {
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign in with Atlassian' }).click();
  await page.getByRole('button', { name: `Sign in as ${name}` }).click();
  await page.getByRole('button', { name: 'Accept' }).click();
  await expect(page.getByRole('heading', { name: 'My connections' })).toBeVisible();
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `test-results/e2e/${name}.png`, fullPage: true });
}

// ---- Added for the page, sandbox and no-token-leak specs -------------------------------------------

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };

/** The e2e app's database (one connection is plenty for a test). Call `.end()` when done. */
export function e2eSql(): Sql {
  return postgres(process.env.E2E_DATABASE_URL!, { max: 1, onnotice: () => {} });
}

/** Typed access to the simulator's control API (counters, faults, clock, grants…). */
export const sim = new SimulatorControl(SIMULATOR_URL);

/**
 * Starts a spec from a known state: the user's earlier connections (left by other specs in this run) are
 * marked disconnected, tokens dropped, so that the user's `/` lists only what this spec creates.
 */
export async function retireConnectionsOf(sql: Sql, email: string): Promise<void> {
  await sql`update connections set status = 'disconnected', access_token_enc = null, refresh_token_enc = null,
      next_refresh_at = null, disconnected_at = now(), updated_at = now()
    where status <> 'disconnected' and user_id in (select id from users where email = ${email})`;
}

/** Presses "Connect {product}", accepts on the simulator's consent screen; returns the new connection's id. */
export async function connectProduct(page: Page, product: 'Jira' | 'Confluence'): Promise<string> {
  await page.getByRole('button', { name: `Connect ${product}`, exact: true }).click();
  await page.getByRole('button', { name: 'Accept' }).click();
  await expect(page.getByRole('status')).toHaveText(`${product} connected.`);
  const card = page.getByRole('listitem', { name: `${product} connection` });
  await expect(card.getByTestId('status-badge')).toHaveText('Healthy');
  const href = await card.getByRole('link', { name: product, exact: true }).getAttribute('href');
  return href!.split('/').pop()!;
}

/** Waits until none of these connections is due for a refresh by the in-app worker, so it cannot race the test. */
export async function waitForWorkerRefresh(sql: Sql, ids: string[]): Promise<void> {
  await expect
    .poll(async () => {
      const rows = await sql`select 1 from connections where id in ${sql(ids)} and next_refresh_at > now()`;
      return rows.length;
    }, { timeout: 15_000 })
    .toBe(ids.length);
}

/** Makes the stored access tokens look expired, so that the next use refreshes them. */
export async function expireAccessTokens(sql: Sql, ids: string[]): Promise<void> {
  await sql`update connections set access_expires_at = now() - interval '1 minute' where id in ${sql(ids)}`;
}

export async function expectNoHorizontalScroll(page: Page): Promise<void> {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  expect(scrollWidth, `page is ${scrollWidth}px wide in a ${innerWidth}px window`).toBeLessThanOrEqual(innerWidth);
}

/** Screenshots at desktop and phone widths (no horizontal scroll) and in dark mode; leaves the page at desktop, light. */
export async function shotEveryWay(page: Page, name: string): Promise<void> {
  await page.setViewportSize(DESKTOP);
  await expectNoHorizontalScroll(page);
  await shot(page, `${name}-desktop`);
  await page.setViewportSize(PHONE);
  await expectNoHorizontalScroll(page);
  await shot(page, `${name}-phone`);
  await page.emulateMedia({ colorScheme: 'dark' });
  await shot(page, `${name}-phone-dark`);
  await page.setViewportSize(DESKTOP);
  await shot(page, `${name}-desktop-dark`);
  await page.emulateMedia({ colorScheme: 'light' });
}

/** A user in their own browser context (own cookies, own Atlassian session) with one new healthy connection. */
export async function userWithConnection(browser: Browser, name: string, product: 'Jira' | 'Confluence') {
  const context = await browser.newContext();
  const page = await context.newPage();
  await signInAs(page, name);
  await page.getByRole('button', { name: `Connect ${product}`, exact: true }).click();
  await page.getByRole('button', { name: 'Accept' }).click();
  const card = page.getByRole('listitem', { name: `${product} connection` });
  await expect(card.getByTestId('status-badge')).toHaveText('Healthy');
  const href = (await card.getByRole('link', { name: product, exact: true }).getAttribute('href'))!;
  return { page, card, id: href.split('/').pop()! };
}

/** The serious and critical violations on the page as it is now, one line each with the elements concerned. */
export async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']).analyze();
  return violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}
