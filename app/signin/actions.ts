'use server';

import { redirect } from 'next/navigation';
import { appFlowContext } from '@/lib/flows/app-context';
import { safeRedirect } from '@/lib/flows/callback';
import { startFlow } from '@/lib/flows/start';

export async function startSignIn(formData: FormData) {
  const next = safeRedirect(String(formData.get('next') ?? '/'));
  redirect(await startFlow(appFlowContext(), { purpose: 'signin', redirectTo: next }));
}
