'use server';

import { revalidatePath } from 'next/cache';
import { redirect } from 'next/navigation';
import { z } from 'zod';
import { PRODUCTS, productLabel, PUBLIC_PRODUCTS } from '@/lib/providers/registry';
import { providerFor } from '@/lib/providers';
import { validatedActionWithAdmin, validatedActionWithUser, type ActionState } from '@/lib/actions/validated';
import { browserFlowNonce } from '@/lib/auth/flow-nonce';
import { signOut } from '@/lib/auth/next-auth';
import { findActionableConnection } from '@/lib/connections/access';
import { disconnectConnection, testConnection } from '@/lib/connections/manage';
import { getConfig } from '@/lib/config';
import { getDb } from '@/lib/db';
import { setAdminDigest, setConnectionNotifications, setUserNotifications } from '@/lib/notifications/preferences';
import { appFlowContext } from '@/lib/flows/app-context';
import { safeRedirect } from '@/lib/auth/redirect';
import { startFlow } from '@/lib/flows/start';
import { isUuid } from '@/lib/ids';
import { appProductApi } from '@/lib/tokens/app-api';

const connectionInput = z.object({ connectionId: z.string().min(1, 'connectionId is required') });
const NOT_FOUND: ActionState = { error: 'That connection was not found.' };

export const connectProduct = validatedActionWithUser(
  z.object({ product: z.enum(PRODUCTS, `product must be one of: ${PUBLIC_PRODUCTS.join(', ')}`) }),
  async ({ product }, user) => {
    if (!getConfig().products.includes(product)) return { error: `${productLabel(product)} is not configured on this server.` };
    redirect(await startFlow(appFlowContext(), { purpose: 'connect', userId: user.id, product }, await browserFlowNonce()));
  },
);

export const reconnectConnection = validatedActionWithUser(connectionInput, async ({ connectionId }, user) => {
  const conn = await findActionableConnection(getDb(), user, connectionId);
  if (!conn) return NOT_FOUND;
  if (conn.user_id !== user.id) return { error: `Only the owner can reconnect this connection: it needs their ${providerFor(conn.product).issuerName} consent.` };
  if (!getConfig().products.includes(conn.product)) return { error: `${productLabel(conn.product)} is not configured on this server any more. Ask an admin.` };
  const flow = { purpose: 'reconnect', userId: conn.user_id, product: conn.product, connectionId: conn.id } as const;
  redirect(await startFlow(appFlowContext(), flow, await browserFlowNonce()));
});

export const testConnectionAction = validatedActionWithUser(connectionInput, async ({ connectionId }, user) => {
  const conn = await findActionableConnection(getDb(), user, connectionId);
  if (!conn) return NOT_FOUND;
  const result = await testConnection(getDb(), appProductApi(), conn.id);
  revalidatePath('/');
  return result.ok ? { ok: true, message: result.message } : { error: result.message };
});

export const disconnectAction = validatedActionWithUser(connectionInput, async ({ connectionId }, user) => {
  const conn = await findActionableConnection(getDb(), user, connectionId);
  if (!conn) return NOT_FOUND;
  await disconnectConnection(getDb(), getConfig().appUrl, conn.id, user.email);
  revalidatePath('/');
  return { ok: true, message: 'Disconnected. Its tokens were deleted.' };
});

const onOff = z.enum(['on', 'off'], 'enabled must be on or off');

export const setConnectionEmailsAction = validatedActionWithUser(connectionInput.extend({ enabled: onOff }), async ({ connectionId, enabled }, user) => {
  // Only the owner decides about their own mail (an admin viewing it gets "not found").
  const changed = isUuid(connectionId) && (await setConnectionNotifications(getDb(), user.id, connectionId, enabled === 'on'));
  if (!changed) return NOT_FOUND;
  revalidatePath('/');
  revalidatePath(`/connections/${connectionId}`);
  return { ok: true, message: enabled === 'on' ? 'Emails about this connection are on.' : 'Emails about this connection are off.' };
});

export const setMyEmailsAction = validatedActionWithUser(z.object({ enabled: onOff }), async ({ enabled }, user) => {
  await setUserNotifications(getDb(), user.id, enabled === 'on');
  revalidatePath('/');
  return { ok: true, message: enabled === 'on' ? 'Notification emails are on.' : 'Notification emails are off for all your connections.' };
});

export const setAdminDigestAction = validatedActionWithAdmin(z.object({ enabled: onOff }), async ({ enabled }, user) => {
  await setAdminDigest(getDb(), user.id, enabled === 'on');
  revalidatePath('/admin');
  return { ok: true, message: enabled === 'on' ? 'You will get the daily digest when something is broken.' : 'The daily digest is off.' };
});

/**
 * Deletes the session row (database strategy), not just the cookie: a copied cookie stops working too. Always lands
 * on /signed-out, never on a remembered callback URL (which could be an old, used link).
 */
export async function signOutAction() {
  await signOut({ redirectTo: safeRedirect('/signed-out', getConfig().appUrl) });
}
