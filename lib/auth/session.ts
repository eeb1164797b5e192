import { forbidden, redirect } from 'next/navigation';
import { cache } from 'react';
import { getConfig } from '../config';
import { getDb } from '../db';
import { safeRedirectPath } from './redirect';
import { sessionUser } from '../users';
import { auth } from './next-auth';

export interface SessionUser {
  id: string;
  email: string;
  name: string | null;
  role: 'user' | 'admin';
}

/**
 * The signed-in user, once per request: the session row (auth(), database strategy), then the user with the role
 * ADMIN_EMAILS gives them now, so role changes apply on the next request.
 */
export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const session = await auth();
  const id = session?.user?.id;
  if (!id) return null;
  return sessionUser(getDb(), id, getConfig().adminEmails);
});

export async function requireUser(next = '/'): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect(`/signin?next=${encodeURIComponent(safeRedirectPath(next, getConfig().appUrl))}`);
  return user;
}

/** Signed out: to sign-in. Signed in but not an admin: 403, the "Admins only" page (app/forbidden.tsx). */
export async function requireAdmin(): Promise<SessionUser> {
  const user = await requireUser('/admin');
  if (user.role !== 'admin') forbidden();
  return user;
}
