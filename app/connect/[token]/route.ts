import { browserFlowNonce } from '@/lib/auth/flow-nonce';
import { currentUser } from '@/lib/auth/session';
import { openConnectSession } from '@/lib/connect-sessions';
import { appFlowContext } from '@/lib/flows/app-context';
import { safeRedirect } from '@/lib/auth/redirect';
import { linkProblemPath } from '@/lib/pages/dead-ends';
import { databaseRoute } from '@/lib/pages/database-page';

export const dynamic = 'force-dynamic';

function redirectTo(location: string): Response {
  return new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store' } });
}

// A connect-session link: sign in first if needed (the sign-in page says what the link is for), then on to
// Atlassian's consent screen. A link that cannot be used leads to its page (/problem/link-…), never naming whom it is for.
export const GET = databaseRoute(async function GET(_request: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const ctx = appFlowContext();
  const user = await currentUser();
  const result = await openConnectSession(ctx, token, user ? { id: user.id, email: user.email } : null, user ? await browserFlowNonce() : '');
  if (result.kind === 'signin') return redirectTo(safeRedirect(`/signin?next=${encodeURIComponent(result.next)}`, ctx.appUrl));
  if (result.kind === 'redirect') return redirectTo(result.url);
  return redirectTo(safeRedirect(linkProblemPath(result), ctx.appUrl));
});
