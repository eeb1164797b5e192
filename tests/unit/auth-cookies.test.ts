import { describe, expect, it } from 'vitest';
import { cookieOptions, flowCookieName, serializeCookie, sessionCookieName } from '../../lib/auth/cookies';

describe('auth cookies follow APP_URL at run time', () => {
  it('are __Host- prefixed, Secure and HttpOnly under https', () => {
    const app = 'https://reconnect.example.com';
    expect(flowCookieName(app)).toBe('__Host-reconnect.flow-nonce');
    expect(sessionCookieName(app)).toBe('__Host-authjs.session-token');
    const header = serializeCookie(flowCookieName(app), 'v', cookieOptions(app, 600));
    expect(header).toBe('__Host-reconnect.flow-nonce=v; Path=/; HttpOnly; SameSite=Lax; Secure; Max-Age=600');
  });

  it('are plain and not Secure on a local http URL (a browser would drop them)', () => {
    const app = 'http://localhost:3000';
    expect(flowCookieName(app)).toBe('reconnect.flow-nonce');
    expect(sessionCookieName(app)).toBe('authjs.session-token');
    expect(serializeCookie(flowCookieName(app), 'v', cookieOptions(app))).not.toMatch(/Secure/);
  });
});
