import type { NextRequest } from 'next/server';
import { browserFlowNonce } from '@/lib/auth/flow-nonce';
import { currentUser } from '@/lib/auth/session';
import { findActionableConnection } from '@/lib/connections/access';
import { getDb } from '@/lib/db';
import { appFlowContext } from '@/lib/flows/app-context';
import { safeRedirect } from '@/lib/auth/redirect';
import { startFlow } from '@/lib/flows/start';
import { databaseRoute } from '@/lib/pages/database-page';

export const dynamic = 'force-dynamic';

function redirectTo(location: string): Response {
  return new Response(null, { status: 303, headers: { location, 'cache-control': 'no-store' } });
}

// The Reconnect link of the dead-end pages (and of webhooks delivered before they carried connect links): sign
// in as the owner, then straight to the provider's consent.
export const GET = databaseRoute(async function GET(_request: NextRequest, { params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const ctx = appFlowContext();
  const user = await currentUser();
  if (!user) return redirectTo(safeRedirect(`/signin?next=${encodeURIComponent(`/connections/${encodeURIComponent(id)}/reconnect`)}`, ctx.appUrl));
  const conn = await findActionableConnection(getDb(), user, id);
  if (!conn || conn.user_id !== user.id) {
    return redirectTo(safeRedirect('/problem/connection-not-found', ctx.appUrl));
  }
  const flow = { purpose: 'reconnect', userId: user.id, product: conn.product, connectionId: conn.id } as const;
  return redirectTo(await startFlow(ctx, flow, await browserFlowNonce()));
});
