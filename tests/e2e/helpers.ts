import { expect, type Page } from '@playwright/test';

export const SIMULATOR_URL = process.env.SIMULATOR_URL!;

export async function simControl(path: string, body?: unknown): Promise<unknown> {
  const res = await fetch(`${SIMULATOR_URL}/_control${path}`, {
    method: body === undefined ? 'POST' : 'POST',
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
