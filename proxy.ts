// Runs before every request that is not a static file or the service API: sets the per-request CSP nonce and the headers
// that follow APP_URL at run time (lib/security-headers.ts).
import { NextResponse, type NextRequest } from 'next/server';
import { DATABASE_RETRY_AFTER_SECONDS, databaseRecentlyUnavailable } from './lib/db/unavailable';
import { deadEndStatus } from './lib/pages/dead-ends';
import { REQUEST_PATH_HEADER, UNAVAILABLE_PATH, unavailablePath } from './lib/pages/unavailable';
import { newNonce, securityHeaders } from './lib/security-headers';

export function proxy(request: NextRequest) {
  const nonce = newNonce();
  const headers = securityHeaders({ appUrl: process.env.APP_URL ?? '', nonce, dev: process.env.NODE_ENV === 'development' });
  // Next reads the nonce from the request's CSP header and puts it on the scripts it renders.
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('content-security-policy', headers['content-security-policy']!);
  const { pathname, search } = request.nextUrl;
  requestHeaders.set(REQUEST_PATH_HEADER, pathname + search);
  const response = databaseAway(request)
    ? NextResponse.rewrite(new URL(unavailablePath(pathname + search), request.url), { request: { headers: requestHeaders }, status: 503 })
    : // A dead end's page (/problem/{code}) answers its own status (404, 410…): a page cannot set it itself.
      NextResponse.next({ request: { headers: requestHeaders }, status: pathname === UNAVAILABLE_PATH ? 503 : deadEndStatus(pathname) });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  if (response.status === 503) response.headers.set('retry-after', String(DATABASE_RETRY_AFTER_SECONDS));
  return response;
}

// A page seen failing on the database a moment ago (lib/pages/database-page.ts): other page views get the unavailable
// page straight away, with its 503, until the moment passes and a page tries the database again.
function databaseAway(request: NextRequest): boolean {
  const { pathname } = request.nextUrl;
  if (request.method !== 'GET' || pathname === UNAVAILABLE_PATH || pathname.startsWith('/api/')) return false;
  return databaseRecentlyUnavailable();
}

// Not the service API (/api/v1): its callers are backend services, its answers JSON with a fixed CSP
// (next.config.mjs), and its hot path (access tokens) stays as short as it was.
export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico|api/v1/).*)'],
};
