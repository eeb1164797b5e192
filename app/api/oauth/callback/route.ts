import type { NextRequest } from 'next/server';
import { cookieOptions, serializeCookie, sessionCookieName } from '@/lib/auth/cookies';
import { sentFlowNonce } from '@/lib/auth/flow-nonce';
import { currentUser } from '@/lib/auth/session';
import { sessionAdapter } from '@/lib/auth/sessions';
import { getDb } from '@/lib/db';
import { appFlowContext } from '@/lib/flows/app-context';
import { handleOAuthCallback } from '@/lib/flows/callback';
import { safeRedirect } from '@/lib/auth/redirect';
import { callbackProblemPath, linkProblemPath } from '@/lib/pages/dead-ends';
import { resumeConnectSession } from '@/lib/connect-sessions';
import { databaseRoute } from '@/lib/pages/database-page';

export const dynamic = 'force-dynamic';

function redirectTo(location: string, cookie?: string): Response {
  const headers = new Headers({ location, 'cache-control': 'no-store' });
  if (cookie) headers.append('set-cookie', cookie);
  return new Response(null, { status: 303, headers });
}

export const GET = databaseRoute(async function GET(request: NextRequest) {
  const user = await currentUser();
  const ctx = appFlowContext();
  const caller = { sessionUserId: user?.id ?? null, browserNonce: await sentFlowNonce() };
  const result = await handleOAuthCallback(ctx, request.nextUrl.searchParams, caller);
  // A flow that stopped short: its page in the app (/problem/{code}), with no token or email in the URL.
  if (!result.ok) return redirectTo(safeRedirect(callbackProblemPath(result), ctx.appUrl));
  if (result.kind === 'signin') {
    // A sign-in over an existing session replaces it: the old row goes, not just the cookie.
    const previous = request.cookies.get(sessionCookieName(ctx.appUrl))?.value;
    if (previous) await sessionAdapter(getDb()).deleteSession!(previous);
    const cookie = serializeCookie(sessionCookieName(ctx.appUrl), result.sessionToken, { ...cookieOptions(ctx.appUrl), expires: result.expires });
    if (result.connectSessionId && caller.browserNonce) {
      // A sign-in on the way to a connect link: on to it, as the person who just signed in, in this browser.
      const link = await resumeConnectSession(ctx, result.connectSessionId, result.user, caller.browserNonce);
      const next = link.kind === 'redirect' ? link.url : safeRedirect(link.kind === 'error' ? linkProblemPath(link) : '/', ctx.appUrl);
      return redirectTo(next, cookie);
    }
    return redirectTo(result.redirectTo, cookie);
  }
  return redirectTo(safeRedirect(`/?${result.kind}=${result.product}&connection=${result.connectionId}`, ctx.appUrl));
});
