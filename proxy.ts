// Runs before every request that is not a static file or the service API: sets the per-request CSP nonce and the headers
// that follow APP_URL at run time (lib/security-headers.ts).
import { NextResponse, type NextRequest } from 'next/server';
import { deadEndStatus } from './lib/pages/dead-ends';
import { newNonce, securityHeaders } from './lib/security-headers';

export function proxy(request: NextRequest) {
  const nonce = newNonce();
  const headers = securityHeaders({ appUrl: process.env.APP_URL ?? '', nonce, dev: process.env.NODE_ENV === 'development' });
  // Next reads the nonce from the request's CSP header and puts it on the scripts it renders.
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('content-security-policy', headers['content-security-policy']!);
  // A dead end's page (/problem/{code}) answers its own status (404, 410…): a page cannot set it itself.
  const response = NextResponse.next({ request: { headers: requestHeaders }, status: deadEndStatus(request.nextUrl.pathname) });
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

// Not the service API (/api/v1): its callers are backend services, its answers JSON with a fixed CSP
// (next.config.mjs), and its hot path (access tokens) stays as short as it was.
export const config = {
  matcher: ['/((?!_next/static|_next/image|favicon.ico|api/v1/).*)'],
};
