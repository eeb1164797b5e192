import { browserFlowNonce } from '@/lib/auth/flow-nonce';
import { currentUser } from '@/lib/auth/session';
import { openConnectSession } from '@/lib/connect-sessions';
import { appFlowContext } from '@/lib/flows/app-context';
import { safeRedirect } from '@/lib/flows/redirect';
import { messagePage } from '@/lib/pages/message-page';

export const dynamic = 'force-dynamic';

const TITLES: Record<number, string> = { 403: 'Wrong account', 404: 'Link not valid', 410: 'Link no longer valid' };

function redirectTo(location: string): Response {
  return new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store' } });
}

// A connect-session link: sign in first if needed, then on to Atlassian's consent screen.
export async function GET(_request: Request, { params }: { params: Promise<{ token: string }> }) {
  const { token } = await params;
  const ctx = appFlowContext();
  const user = await currentUser();
  const result = await openConnectSession(ctx, token, user ? { id: user.id, email: user.email } : null, user ? await browserFlowNonce() : '');
  if (result.kind === 'signin') return redirectTo(safeRedirect(`/signin?next=${encodeURIComponent(result.next)}`, ctx.appUrl));
  if (result.kind === 'redirect') return redirectTo(result.url);
  const link = result.code === 'wrong_user' ? { href: '/api/auth/signout', label: 'Sign out' } : undefined;
  return messagePage(TITLES[result.status] ?? 'Link not valid', result.message, result.status, link);
}
