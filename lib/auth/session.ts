import { redirect } from 'next/navigation';
import { cache } from 'react';
import { getSql } from '../db';
import { auth } from './next-auth';

export interface SessionUser {
  id: string;
  email: string;
  name: string | null;
  role: 'user' | 'admin';
}

/** The signed-in user, re-read from the database once per request (role changes apply at once). */
export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const session = await auth();
  const id = session?.user?.id;
  if (!id) return null;
  const [user] = await getSql()<SessionUser[]>`select id, email, name, role from users where id = ${id}`;
  return user ?? null;
});

export async function requireUser(next = '/'): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect(`/signin?next=${encodeURIComponent(next)}`);
  return user;
}

export async function requireAdmin(): Promise<SessionUser> {
  const user = await requireUser('/admin');
  if (user.role !== 'admin') redirect('/');
  return user;
}
