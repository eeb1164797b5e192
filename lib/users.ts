import { eq, sql } from 'drizzle-orm';
import type { Executor } from './db';
import { users } from './db/schema';

export type UserRow = Pick<typeof users.$inferSelect, 'id' | 'email' | 'name' | 'role'>;

/** The role ADMIN_EMAILS gives this email now. */
export const roleFor = (email: string, adminEmails: string[]): UserRow['role'] => (adminEmails.includes(email.trim().toLowerCase()) ? 'admin' : 'user');

/** Finds or creates the user by email; the role follows ADMIN_EMAILS at every sign-in. */
export async function upsertUser(db: Executor, email: string, name: string | null, adminEmails: string[]): Promise<UserRow> {
  const normalized = email.trim().toLowerCase();
  const role = roleFor(normalized, adminEmails);
  const [user] = await db
    .insert(users)
    .values({ email: normalized, name, role })
    .onConflictDoUpdate({
      target: users.email,
      set: { name: sql`coalesce(excluded.name, ${users.name})`, role: sql`excluded.role`, updatedAt: sql`now()` },
    })
    .returning({ id: users.id, email: users.email, name: users.name, role: users.role });
  return user!;
}

/**
 * The user behind a session, with the role ADMIN_EMAILS gives them on this request (not the one they signed in
 * with): removing an admin takes effect at once. The stored role is brought up to date when it differs.
 */
export async function sessionUser(db: Executor, userId: string, adminEmails: string[]): Promise<UserRow | null> {
  const [row] = await db.select({ id: users.id, email: users.email, name: users.name, role: users.role }).from(users).where(eq(users.id, userId));
  if (!row) return null;
  const role = roleFor(row.email, adminEmails);
  if (role !== row.role) await db.update(users).set({ role, updatedAt: new Date() }).where(eq(users.id, userId));
  return { ...row, role };
}
