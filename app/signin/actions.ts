'use server';

import { headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { browserFlowNonce } from '@/lib/auth/flow-nonce';
import { getDb } from '@/lib/db';
import { appFlowContext } from '@/lib/flows/app-context';
import { safeRedirect } from '@/lib/auth/redirect';
import { startFlow } from '@/lib/flows/start';
import { clientAddress } from '@/lib/client-address';
import { RateLimiter } from '@/lib/rate-limit';

// Each start writes an OAuth state row: 30 a minute from one client is plenty for people.
const signInStarts = new RateLimiter('signin_starts', 30, 60);

export async function startSignIn(formData: FormData) {
  const client = clientAddress(await headers());
  if (signInStarts.knownWait(client) > 0 || (await signInStarts.hit(getDb(), client)).refused) redirect('/signin?error=rate_limited');
  const ctx = appFlowContext();
  const next = safeRedirect(formData.get('next'), ctx.appUrl);
  redirect(await startFlow(ctx, { purpose: 'signin', redirectTo: next }, await browserFlowNonce()));
}
