'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { PRODUCTS } from '@/lib/atlassian/products';
import { validatedActionWithUser, type ActionState } from '@/lib/actions/validated';
import { signOut } from '@/lib/auth/next-auth';
import { findActionableConnection } from '@/lib/connections/access';
import { disconnectConnection, testConnection } from '@/lib/connections/manage';
import { getConfig } from '@/lib/config';
import { getSql } from '@/lib/db';
import { appFlowContext } from '@/lib/flows/app-context';
import { startFlow } from '@/lib/flows/start';
import { appProductApi } from '@/lib/tokens/app-api';

const connectionInput = z.object({ connectionId: z.string().min(1, 'connectionId is required') });
const NOT_FOUND: ActionState = { error: 'That connection was not found.' };

export const connectProduct = validatedActionWithUser(
  z.object({ product: z.enum(PRODUCTS, 'product must be jira or confluence') }),
  async ({ product }, user) => {
    redirect(await startFlow(appFlowContext(), { purpose: 'connect', userId: user.id, product }));
  },
);

export const reconnectConnection = validatedActionWithUser(connectionInput, async ({ connectionId }, user) => {
  const conn = await findActionableConnection(getSql(), user, connectionId);
  if (!conn) return NOT_FOUND;
  if (conn.user_id !== user.id) return { error: 'Only the owner can reconnect this connection: it needs their Atlassian consent.' };
  redirect(await startFlow(appFlowContext(), { purpose: 'reconnect', userId: conn.user_id, product: conn.product, connectionId: conn.id }));
});

export const testConnectionAction = validatedActionWithUser(connectionInput, async ({ connectionId }, user) => {
  const conn = await findActionableConnection(getSql(), user, connectionId);
  if (!conn) return NOT_FOUND;
  const result = await testConnection(getSql(), appProductApi(), conn.id);
  revalidatePath('/');
  return result.ok ? { ok: true, message: result.message } : { error: result.message };
});

export const disconnectAction = validatedActionWithUser(connectionInput, async ({ connectionId }, user) => {
  const conn = await findActionableConnection(getSql(), user, connectionId);
  if (!conn) return NOT_FOUND;
  await disconnectConnection(getSql(), getConfig().appUrl, conn.id, user.email);
  revalidatePath('/');
  return { ok: true, message: 'Disconnected. Its tokens were deleted.' };
});

export async function signOutAction() {
  await signOut({ redirectTo: '/signin' });
}
