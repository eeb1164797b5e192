'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { validatedActionWithUser, type ActionState } from '@/lib/actions/validated';
import { normalizeEmail } from '@/lib/users';
import { bitbucketSimulator, isSandbox, simulatorProblem } from './simulator';

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

// The simulated Bitbucket's own events: a user revoking the app, or the OAuth consumer's permissions edited.
export async function bitbucketEventAction(prev: ActionState, formData: FormData): Promise<ActionState> {
  if (!isSandbox()) return { error: 'The sandbox controls work only in sandbox mode.' };
  return handle(prev, formData);
}

const handle = validatedActionWithUser(
  z.object({
    event: z.enum(['revoke', 'permissions'], 'Choose what happens in Bitbucket.'),
    email: z.string().optional(),
  }),
  async ({ event, email }, user) => {
    // The same rule as the Atlassian panel: users act on their own grants, admins on everyone's; editing the
    // consumer revokes every user's tokens, so only an admin may.
    if (event === 'permissions' && user.role !== 'admin') {
      return { error: "Only an admin can change the consumer's permissions: it revokes every user's Bitbucket tokens." };
    }
    try {
      const sim = bitbucketSimulator();
      let message: string;
      if (event === 'revoke') {
        const parsed = z.email().safeParse(email);
        if (!parsed.success) return { error: 'Choose a simulator user.' };
        if (user.role !== 'admin' && normalizeEmail(parsed.data) !== user.email) {
          return { error: 'You can only do this for your own Bitbucket account. An admin can do it for anyone.' };
        }
        const { revoked_grants } = await sim.revokeApp(parsed.data);
        message = `${parsed.data} revoked Reconnect's access in Bitbucket (${plural(revoked_grants, 'token family')} now dead). Bitbucket sends no notice: press Test connection to see it now.`;
      } else {
        const { revoked_grants } = await sim.changePermissions();
        message = `The Bitbucket OAuth consumer's permissions were edited: every token it issued is revoked (${plural(revoked_grants, 'token family')}). Refreshes now answer "Invalid refresh_token".`;
      }
      revalidatePath('/sandbox');
      revalidatePath('/');
      return { ok: true, message };
    } catch (err) {
      return { error: simulatorProblem(err) };
    }
  },
);
