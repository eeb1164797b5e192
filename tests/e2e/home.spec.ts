import { expect, test } from '@playwright/test';

test('home page asks to sign in and shows the sandbox banner', async ({ page }) => {
  await page.goto('/');
  await expect(page).toHaveURL(/\/signin/);
  const banner = page.getByRole('note', { name: 'Sandbox' });
  await expect(banner).toBeVisible();
  await expect(banner).toContainText('Atlassian simulator');
  await expect(page.getByRole('button', { name: 'Sign in with Atlassian' })).toBeVisible();
  await page.screenshot({ path: 'test-results/e2e/signin.png', fullPage: true });
});

test('health endpoint checks the database', async ({ request }) => {
  const res = await request.get('/api/health');
  expect(res.status()).toBe(200);
  expect(await res.json()).toEqual({ status: 'ok', database: 'ok' });
});
