// Cookie names and flags follow APP_URL at run time: https → Secure and `__Host-` (no Domain, path /),
// so neither a plain-http hop nor a sibling subdomain can set or read them.
export interface CookieOptions {
  httpOnly: true;
  sameSite: 'lax';
  path: '/';
  secure: boolean;
  maxAge?: number;
}

/** How long an OAuth flow may take: its state row and the browser's flow-nonce cookie both last this long. */
export const FLOW_TTL_SECONDS = 10 * 60;

const secureFor = (appUrl: string) => appUrl.startsWith('https://');
const prefixed = (appUrl: string, name: string) => `${secureFor(appUrl) ? '__Host-' : ''}${name}`;

export function cookieOptions(appUrl: string, maxAgeSeconds?: number): CookieOptions {
  return { httpOnly: true, sameSite: 'lax', path: '/', secure: secureFor(appUrl), ...(maxAgeSeconds ? { maxAge: maxAgeSeconds } : {}) };
}

/** Auth.js's database-session cookie (its value is the session token). */
export const sessionCookieName = (appUrl: string) => prefixed(appUrl, 'authjs.session-token');

/** The browser's OAuth-flow nonce: every state it starts is bound to it. SameSite=Lax still reaches the callback (a top-level GET). */
export const flowCookieName = (appUrl: string) => prefixed(appUrl, 'reconnect.flow-nonce');

/** A Set-Cookie header value, for responses built by hand in route handlers. */
export function serializeCookie(name: string, value: string, options: CookieOptions & { expires?: Date }): string {
  const parts = [`${name}=${value}`, `Path=${options.path}`, 'HttpOnly', 'SameSite=Lax'];
  if (options.secure) parts.push('Secure');
  if (options.maxAge !== undefined) parts.push(`Max-Age=${options.maxAge}`);
  if (options.expires) parts.push(`Expires=${options.expires.toUTCString()}`);
  return parts.join('; ');
}
