// What changes when the public URL (APP_URL) is https: Secure cookies and HSTS.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

/** Runs `script` (an ES module body that prints one JSON line last) in a fresh process with APP_URL set. */
function runWithAppUrl(appUrl: string, script: string): unknown {
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, APP_URL: appUrl, AUTH_SECRET: 'test-secret-test-secret-test-secret', NODE_ENV: 'production' },
    encoding: 'utf8',
  });
  expect(run.status, run.stderr).toBe(0);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!);
}

/**
 * Set-Cookie headers of next-auth's /api/auth/csrf, from a fresh process configured with `appUrl`, for a
 * request that reached the app as plain http (as from a TLS-terminating proxy that sets no X-Forwarded-Proto).
 */
function csrfCookies(appUrl: string): string[] {
  const script = `
    const { handlers } = await import('./lib/auth/next-auth.ts');
    const { NextRequest } = await import('next/server');
    const res = await handlers.GET(new NextRequest('http://127.0.0.1:3000/api/auth/csrf'));
    console.log(JSON.stringify(res.headers.getSetCookie()));`;
  return runWithAppUrl(appUrl, script) as string[];
}

describe('auth cookies', () => {
  it('are Secure, HttpOnly, SameSite=Lax and __Host- prefixed when APP_URL is https', () => {
    const [cookie] = csrfCookies('https://reconnect.example.com');
    expect(cookie).toMatch(/^__Host-authjs\.csrf-token=/);
    expect(cookie).toMatch(/; Secure/i);
    expect(cookie).toMatch(/; HttpOnly/i);
    expect(cookie).toMatch(/; SameSite=Lax/i);
  });

  it('are not Secure on a plain-http local URL (where a browser would drop them)', () => {
    const [cookie] = csrfCookies('http://localhost:3000');
    expect(cookie).toMatch(/^authjs\.csrf-token=/);
    expect(cookie).not.toMatch(/; Secure/i);
  });
});

/** The response headers next.config.mjs sets on every path, for `appUrl`. */
function configuredHeaders(appUrl: string): Record<string, string> {
  const script = `
    const config = (await import('./next.config.mjs')).default;
    const [rule] = await config.headers();
    console.log(JSON.stringify(Object.fromEntries(rule.headers.map((h) => [h.key.toLowerCase(), h.value]))));`;
  return runWithAppUrl(appUrl, script) as Record<string, string>;
}

describe('HSTS', () => {
  it('is sent for two years, subdomains included, when APP_URL is https', () => {
    expect(configuredHeaders('https://reconnect.example.com')['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
  });

  it('is not sent on a plain-http URL (a browser ignores it there; localhost must stay reachable)', () => {
    const headers = configuredHeaders('http://localhost:3000');
    expect(headers['strict-transport-security']).toBeUndefined();
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });
});
