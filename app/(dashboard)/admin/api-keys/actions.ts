'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { validatedActionWithAdmin, type ActionState } from '@/lib/actions/validated';
import { createApiKey, revokeApiKey } from '@/lib/api-keys';
import { getDb } from '@/lib/db';

export interface ApiKeyActionState extends ActionState {
  /** The new key, in this one answer only. */
  key?: string;
}

export const createApiKeyAction = validatedActionWithAdmin(
  z.object({ name: z.string().trim().min(1, 'Give the key a name.').max(100, 'The name is too long (100 characters at most).') }),
  async ({ name }): Promise<ApiKeyActionState> => {
    const created = await createApiKey(getDb(), name);
    revalidatePath('/admin/api-keys');
    return { ok: true, message: `Created "${created.name}". Copy the key now: it is shown only once.`, key: created.key };
  },
);

export const revokeApiKeyAction = validatedActionWithAdmin(z.object({ id: z.string().uuid('Unknown API key.') }), async ({ id }) => {
  const revoked = await revokeApiKey(getDb(), id);
  revalidatePath('/admin/api-keys');
  return revoked ? { ok: true, message: 'Revoked. Requests with this key now get 401.' } : { error: 'That key is unknown or already revoked.' };
});
