// The service API reference at /docs/api: rendered on the server from the OpenAPI document, public,
// an entry with curl and TypeScript-client examples per operation, the webhooks section, and no
// script of its own (so the strict CSP holds).
import { readFileSync } from 'node:fs';
import { expect, test } from '@playwright/test';
import { shotEveryWay } from './helpers';

interface Doc {
  paths: Record<string, Record<string, { operationId: string; summary: string }>>;
  components: { schemas: Record<string, { enum?: string[] }> };
}

const doc = JSON.parse(readFileSync('docs/openapi.json', 'utf8')) as Doc;
const operations = Object.values(doc.paths).flatMap((item) => Object.values(item));

test('the API reference shows every operation with its examples, the error codes and the webhooks', async ({ page }) => {
  const violations: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy|Refused to/i.test(message.text())) violations.push(message.text());
  });
  const res = await page.goto('/docs/api');
  expect(res?.status()).toBe(200);
  await expect(page.getByRole('heading', { level: 1, name: 'Reconnect service API' })).toBeVisible();

  expect(operations.length).toBeGreaterThan(10);
  for (const op of operations) {
    const section = page.locator(`#op-${op.operationId}`);
    await expect(section.getByRole('heading', { name: op.summary, exact: true })).toBeVisible();
    await expect(section.getByText('curl', { exact: true })).toBeVisible();
    await expect(section.getByText('TypeScript client', { exact: true })).toBeVisible();
  }
  const token = page.locator('#op-getAccessToken');
  for (const code of ['needs_reauth', 'temporarily_unavailable', 'rate_limited', 'invalid_request', 'unauthorized', 'not_found']) {
    await expect(token.getByText(code, { exact: true }).first()).toBeVisible();
  }
  await expect(token).toContainText('Retry-After header');
  await expect(token).toContainText('reconnect.withToken(');

  const webhooks = page.getByRole('region', { name: 'Webhooks' });
  for (const type of doc.components.schemas.WebhookEventType!.enum!) await expect(webhooks.getByRole('list', { name: 'Event types' }).getByText(type, { exact: true })).toBeVisible();
  await expect(webhooks).toContainText('verifyWebhook(request.headers, body');
  await expect(webhooks).toContainText('reconnect_url');

  // Server-rendered and script-free: the page's own markup carries no inline script of ours.
  const inlineScripts = await page.locator('script:not([src])').evaluateAll((nodes) => nodes.map((n) => n.textContent ?? ''));
  expect(inlineScripts.filter((text) => /reconnect|openapi/i.test(text) && !text.includes('self.__next'))).toEqual([]);
  await shotEveryWay(page, 'api-docs');
  expect(violations).toEqual([]);
});
