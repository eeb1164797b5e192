import { redirect } from 'next/navigation';
import { cache } from 'react';
import { eq } from 'drizzle-orm';
import { getDb } from '../db';
import { users } from '../db/schema';
import { auth } from './next-auth';

export type SessionUser = Pick<typeof users.$inferSelect, 'id' | 'email' | 'name' | 'role'>;

/**
 * The signed-in user, once per request: the session row (auth(), database strategy), then the user with the role
 * ADMIN_EMAILS gives them now, so role changes apply on the next request.
 */
export const currentUser = cache(async (): Promise<SessionUser | null> => {
  const session = await auth();
  const id = session?.user?.id;
  if (!id) return null;
  const [user] = await getDb()
    .select({ id: users.id, email: users.email, name: users.name, role: users.role })
    .from(users)
    .where(eq(users.id, id));
  return user ?? null;
});

export async function requireUser(next = '/'): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect(`/signin?next=${encodeURIComponent(safeRedirectPath(next, getConfig().appUrl))}`);
  return user;
}

export async function requireAdmin(): Promise<SessionUser> {
  const user = await requireUser('/admin');
  if (user.role !== 'admin') redirect('/');
  return user;
}
