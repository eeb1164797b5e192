import { expect, test, type APIResponse } from '@playwright/test';
import { connectProduct, e2eSql, retireConnectionsOf, signInAs } from './helpers';

function expectSecurityHeaders(res: APIResponse, what: string): void {
  const h = res.headers();
  const csp = h['content-security-policy'] ?? '';
  expect(csp, `${what}: Content-Security-Policy`).toMatch(/(^|;)\s*frame-ancestors 'none'\s*(;|$)/);
  expect(csp, `${what}: Content-Security-Policy`).toMatch(/(^|;)\s*object-src 'none'\s*(;|$)/);
  expect(h['x-frame-options'], `${what}: X-Frame-Options`).toBe('DENY');
  expect(h['x-content-type-options'], `${what}: X-Content-Type-Options`).toBe('nosniff');
  expect(h['referrer-policy'], `${what}: Referrer-Policy`).toBeTruthy();
  expect(h['x-powered-by'], `${what}: X-Powered-By`).toBeUndefined();
}

test('pages, redirects and the API carry the security headers', async ({ request }) => {
  for (const path of ['/signin', '/', '/api/health']) {
    // The first answer as sent (a signed-out "/" redirects to sign in), then where it leads.
    const first = await request.get(path, { maxRedirects: 0 });
    expect(first.status(), path).toBeLessThan(500);
    expectSecurityHeaders(first, `${path} (${first.status()})`);
    const final = await request.get(path);
    expect(final.ok(), path).toBe(true);
    expectSecurityHeaders(final, `${path} → ${final.url()}`);
  }
});

test('the session cookie is HttpOnly and SameSite=Lax, and the signed-in page carries the headers', async ({ page, context }) => {
  await signInAs(page, 'Alice Jones');
  const session = (await context.cookies()).filter((c) => /session-token/.test(c.name));
  expect(session.length, 'a session cookie is set').toBeGreaterThan(0);
  for (const c of session) {
    expect(c.httpOnly, `${c.name} httpOnly`).toBe(true);
    expect(c.sameSite, `${c.name} sameSite`).toBe('Lax');
    expect(c.path, `${c.name} path`).toBe('/');
  }
  const home = await page.goto('/');
  const h = await home!.allHeaders();
  expect(h['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(h['x-frame-options']).toBe('DENY');
});

test('GET /api/auth/session tells who is signed in and until when, nothing more (no session row, no token hash)', async ({ page }) => {
  await signInAs(page, 'Alice Jones');
  const res = await page.request.get('/api/auth/session');
  expect(res.status()).toBe(200);
  const body = await res.json();
  expect(Object.keys(body).sort()).toEqual(['expires', 'user']);
  expect(Object.keys(body.user).sort()).toEqual(['email', 'id', 'name']);
  expect(body.user.email).toBe('alice@example.com');
  expect(JSON.stringify(body)).not.toMatch(/sessionToken|session_token|userId|role|emailVerified/);
});

test('a server action replayed with a foreign Origin is refused and records nothing', async ({ page, context }) => {
  const sql = e2eSql();
  try {
    await retireConnectionsOf(sql, 'alice@example.com'); // specs share one database
    await signInAs(page, 'Alice Jones');
    const id = await connectProduct(page, 'Jira');
    const tests = async () => (await sql<{ n: number }[]>`select count(*)::int as n from connection_events where connection_id = ${id} and type = 'test'`)[0].n;

    // Capture a real "Test connection" action request (it records one test event).
    const card = page.getByRole('listitem', { name: 'Jira connection' });
    const [action] = await Promise.all([
      page.waitForRequest((r) => r.method() === 'POST' && r.headers()['next-action'] !== undefined),
      card.getByRole('button', { name: 'Test connection' }).click(),
    ]);
    await expect.poll(tests).toBe(1);
    const headers = await action.allHeaders();
    const body = action.postDataBuffer() ?? Buffer.alloc(0);
    // Header names the client sets itself (cookies come from the context's jar, which holds the session).
    const replayHeaders = Object.fromEntries(
      Object.entries(headers).filter(([k]) => !k.startsWith(':') && !['cookie', 'content-length', 'host', 'connection', 'accept-encoding'].includes(k)),
    );
    expect(replayHeaders.origin).toBeTruthy();

    const forged = await context.request.post(action.url(), { headers: { ...replayHeaders, origin: 'https://evil.example' }, data: body, maxRedirects: 0 });
    expect(forged.ok(), `foreign Origin answered ${forged.status()}`).toBe(false);
    // Give a (wrongly) accepted action time to write, then check nothing was recorded.
    await page.waitForTimeout(1000);
    expect(await tests()).toBe(1);

    // Control: the same replay from the app's own origin is accepted, so the refusal above is the Origin check.
    const same = await context.request.post(action.url(), { headers: replayHeaders, data: body, maxRedirects: 0 });
    expect(same.ok(), `same-origin replay answered ${same.status()}`).toBe(true);
    await expect.poll(tests).toBe(2);
  } finally {
    await sql.end();
  }
});
