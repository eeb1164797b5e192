import type { NextRequest } from 'next/server';
import { handlers } from '@/lib/auth/next-auth';
import { getConfig } from '@/lib/config';
import { safeRedirect } from '@/lib/auth/redirect';

// GET /api/auth/signout, /error and /signin redirect to the app's own pages (pages in lib/auth/next-auth.ts).
export const { GET } = handlers;

/**
 * A sign-out posted here ends the session as next-auth does, but always lands on /signed-out: next-auth would
 * otherwise follow its remembered callback-URL cookie, which can be an old, already-used link.
 */
export async function POST(request: NextRequest): Promise<Response> {
  const response = await handlers.POST(request);
  if (!request.nextUrl.pathname.endsWith('/signout')) return response;
  const signedOut = safeRedirect('/signed-out', getConfig().appUrl);
  const headers = new Headers(response.headers);
  if (response.status >= 300 && response.status < 400) {
    headers.set('location', signedOut);
    return new Response(null, { status: response.status, headers });
  }
  if (!response.headers.get('content-type')?.includes('json')) return response;
  // The JSON form ({ url }) that next-auth's client asks for.
  const body: unknown = await response.json();
  headers.delete('content-length');
  if (typeof body !== 'object' || body === null || !('url' in body)) return Response.json(body, { status: response.status, headers });
  return Response.json({ ...body, url: signedOut }, { status: response.status, headers });
}
