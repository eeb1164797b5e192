// The security headers of every answer, chosen per request (proxy.ts) so that they follow APP_URL as
// the app RUNS, not as it was built: HSTS only when the public URL is https, and a CSP whose scripts
// must carry this request's nonce (Next.js puts it on its own scripts), so injected HTML runs nothing.

/** A fresh, unguessable nonce for one response (base64 of 16 random bytes). */
export function newNonce(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
}

export interface HeaderOptions {
  appUrl: string;
  nonce: string;
  /** `next dev`: React needs eval there for its debugging aids. */
  dev: boolean;
}

export function contentSecurityPolicy({ appUrl, nonce, dev }: HeaderOptions): string {
  return [
    "default-src 'self'",
    // 'strict-dynamic': the chunks Next's nonce'd scripts load are trusted; nothing inline without the nonce.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ''}`,
    // React and the charts set style attributes, which a nonce cannot cover; styles cannot run code.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: https:",
    "connect-src 'self'",
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    // Forms may end at Atlassian's consent screen (or the local simulator in sandbox mode).
    "form-action 'self' https: http://localhost:* http://127.0.0.1:*",
    "frame-ancestors 'none'",
    ...(isHttps(appUrl) ? ['upgrade-insecure-requests'] : []),
  ].join('; ');
}

function isHttps(appUrl: string): boolean {
  return appUrl.startsWith('https://');
}

/** The headers that depend on the request or on APP_URL (the fixed ones are in next.config.mjs). */
export function securityHeaders(options: HeaderOptions): Record<string, string> {
  return {
    'content-security-policy': contentSecurityPolicy(options),
    ...(isHttps(options.appUrl) ? { 'strict-transport-security': 'max-age=63072000; includeSubDomains' } : {}),
  };
}
