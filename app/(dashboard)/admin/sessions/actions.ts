'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { validatedActionWithAdmin } from '@/lib/actions/validated';
import { endAllSessions, endSession } from '@/lib/auth/sessions';
import { getDb } from '@/lib/db';

const userId = z.string().uuid('Unknown user.');

export const endSessionAction = validatedActionWithAdmin(z.object({ userId, sessionId: z.string().uuid('Unknown session.') }), async ({ userId, sessionId }) => {
  const ended = await endSession(getDb(), userId, sessionId);
  revalidatePath('/admin/sessions');
  return ended ? { ok: true, message: 'Session ended: its next request is signed out.' } : { error: 'That session has already ended.' };
});

export const endAllSessionsAction = validatedActionWithAdmin(z.object({ userId }), async ({ userId }) => {
  const ended = await endAllSessions(getDb(), userId);
  revalidatePath('/admin/sessions');
  return ended ? { ok: true, message: `Ended ${ended} session${ended === 1 ? '' : 's'}.` } : { error: 'This user has no session left.' };
});
