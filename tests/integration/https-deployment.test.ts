// What changes when the public URL (APP_URL) is https: Secure cookies, HSTS and the CSP's upgrade.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { newNonce, securityHeaders } from '../../lib/security-headers';

/** Runs `script` (an ES module body that prints one JSON line last) in a fresh process with APP_URL set. */
function runWithAppUrl(appUrl: string, script: string): unknown {
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    // Sandbox mode on a public https URL: opted in (docs/configuration.md, SANDBOX_ALLOW_PUBLIC).
    env: { ...process.env, APP_URL: appUrl, AUTH_SECRET: 'test-secret-test-secret-test-secret', NODE_ENV: 'production', SANDBOX_ALLOW_PUBLIC: 'true' },
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

/** The headers proxy.ts sets on a response, for the APP_URL the app runs with. */
const headersFor = (appUrl: string) => securityHeaders({ appUrl, nonce: newNonce(), dev: false });

describe('HSTS', () => {
  it('is sent for two years, subdomains included, when APP_URL is https', () => {
    expect(headersFor('https://reconnect.example.com')['strict-transport-security']).toBe('max-age=63072000; includeSubDomains');
  });

  it('is not sent on a plain-http URL (a browser ignores it there; localhost must stay reachable)', () => {
    const headers = headersFor('http://localhost:3000');
    expect(headers['strict-transport-security']).toBeUndefined();
    expect(headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('is not decided by next.config.mjs, which is read when the app is built (see tests/e2e/headers.spec.ts for one build run twice)', () => {
    const script = `
      const config = (await import('./next.config.mjs')).default;
      const rules = await config.headers();
      console.log(JSON.stringify(rules.map((r) => [r.source, r.headers.map((h) => h.key.toLowerCase())])));`;
    const rules = runWithAppUrl('https://reconnect.example.com', script) as [string, string[]][];
    for (const [, keys] of rules) expect(keys).not.toContain('strict-transport-security');
    // The pages' CSP comes from proxy.ts (with its nonce); only the JSON service API has a fixed one.
    expect(rules.filter(([, keys]) => keys.includes('content-security-policy')).map(([source]) => source)).toEqual(['/api/v1/:path*']);
  });
});

describe('the CSP', () => {
  it("allows scripts only with this response's nonce, never 'unsafe-inline' (nor 'unsafe-eval' outside next dev)", () => {
    const nonce = newNonce();
    const csp = securityHeaders({ appUrl: 'https://reconnect.example.com', nonce, dev: false })['content-security-policy']!;
    const scripts = csp.split('; ').find((d) => d.startsWith('script-src'))!;
    expect(scripts).toBe(`script-src 'self' 'nonce-${nonce}' 'strict-dynamic'`);
    expect(newNonce()).not.toBe(nonce);
    expect(newNonce()).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  });
});
