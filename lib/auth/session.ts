import { cookies } from 'next/headers';
import { forbidden, redirect } from 'next/navigation';
import { cache } from 'react';
import { getConfig } from '../config';
import { getDb } from '../db';
import { isDatabaseUnavailable } from '../db/unavailable';
import { safeRedirectPath } from './redirect';
import { sessionUser } from '../users';
import { sessionCookieName } from './cookies';
import { readSession } from './sessions';

export interface SessionUser {
  id: string;
  email: string;
  name: string | null;
  role: 'user' | 'admin';
}

/**
 * The signed-in user, once per request: the session row (read through the same adapter as Auth.js's auth(), database
 * strategy), then the user with the role ADMIN_EMAILS gives them now, so role changes apply on the next request.
 * Read directly rather than through auth(), which answers "signed out" when the database is away: a database
 * outage must show as one (lib/pages/database-page.ts), never as a sign-out.
 */
export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const token = (await cookies()).get(sessionCookieName(getConfig().appUrl))?.value;
  const session = token ? await readSession(getDb(), token) : null;
  if (!session) return null;
  return sessionUser(getDb(), session.userId, getConfig().adminEmails);
});

/** currentUser, or null while the database is away: for the header and pages that only adapt to who is there. */
export async function currentUserIfReachable(): Promise<SessionUser | null> {
  try {
    return await currentUser();
  } catch (err) {
    if (isDatabaseUnavailable(err)) return null;
    throw err;
  }
}

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
