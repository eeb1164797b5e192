import type { NextRequest } from 'next/server';
import { signIn } from '@/lib/auth/next-auth';
import { currentUser } from '@/lib/auth/session';
import { appFlowContext } from '@/lib/flows/app-context';
import { handleOAuthCallback } from '@/lib/flows/callback';
import { messagePage } from '@/lib/pages/message-page';

export const dynamic = 'force-dynamic';

export async function GET(request: NextRequest) {
  const user = await currentUser();
  const result = await handleOAuthCallback(appFlowContext(), request.nextUrl.searchParams, user?.id ?? null);
  if (!result.ok) {
    const title = result.code === 'access_denied' ? 'Cancelled' : 'Connection not changed';
    const link = user ? undefined : { href: '/signin', label: 'Sign in' };
    return messagePage(title, result.message, result.status, link);
  }
  if (result.kind === 'signin') return signIn('atlassian-ticket', { ticket: result.ticket, redirectTo: result.redirectTo });
  const base = appFlowContext().appUrl;
  return Response.redirect(`${base}/?${result.kind}=${result.product}&connection=${result.connectionId}`, 303);
}
