// The one check for every redirect target that comes from outside (`next`, callbackUrl, return paths).
// Browsers strip tabs and newlines from URLs and read `\` as `/`, so `/\t/evil.example` or `/\evil.example`
// would leave the site even though it "starts with one slash": such characters are refused outright.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\s\\]/u;

/**
 * An absolute URL on `appUrl` for `target` when it is a same-origin path (or same-origin absolute URL),
 * else `appUrl` + `fallback`. Never throws.
 */
export function safeRedirect(target: unknown, appUrl: string, fallback = '/'): string {
  const base = new URL(appUrl);
  const home = new URL(fallback, base).href;
  if (typeof target !== 'string' || target === '' || UNSAFE.test(target)) return home;
  let url: URL;
  try {
    url = new URL(target, base);
  } catch {
    return home;
  }
  return url.origin === base.origin && (url.protocol === 'http:' || url.protocol === 'https:') ? url.href : home;
}

// A connect link's path: /connect/{token} (lib/connect-sessions.ts makes them).
const CONNECT_LINK_PATH = /^\/connect\/([A-Za-z0-9_-]{1,128})$/;

/** The token of the connect link a (safe, same-site) target points at, if it is one. */
export function connectLinkToken(target: unknown, appUrl: string): string | undefined {
  if (typeof target !== 'string') return undefined;
  return CONNECT_LINK_PATH.exec(new URL(safeRedirect(target, appUrl)).pathname)?.[1];
}

/** The path part of a safe target (for a `next=` parameter or a hidden form field). */
export function safeRedirectPath(target: unknown, appUrl: string, fallback = '/'): string {
  const url = new URL(safeRedirect(target, appUrl, fallback));
  return `${url.pathname}${url.search}${url.hash}`;
}
