import type { NextRequest } from 'next/server';
import { currentUser } from '@/lib/auth/session';
import { findActionableConnection } from '@/lib/connections/access';
import { getSql } from '@/lib/db';
import { appFlowContext } from '@/lib/flows/app-context';
import { startFlow } from '@/lib/flows/start';
import { messagePage } from '@/lib/pages/message-page';

export const dynamic = 'force-dynamic';

// The stable "reconnect_url" of webhooks: sign in as the owner, then straight to Atlassian's consent.
export async function GET(_request: NextRequest, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const path = `/connections/${id}/reconnect`;
  const user = await currentUser();
  if (!user) return Response.redirect(new URL(`/signin?next=${encodeURIComponent(path)}`, appFlowContext().appUrl), 303);
  const conn = await findActionableConnection(getSql(), user, id);
  if (!conn || conn.user_id !== user.id) {
    return messagePage('Connection not found', 'This reconnect link is for a connection you do not own, or it no longer exists.', 404);
  }
  const url = await startFlow(appFlowContext(), { purpose: 'reconnect', userId: user.id, product: conn.product, connectionId: conn.id });
  return Response.redirect(url, 303);
}
