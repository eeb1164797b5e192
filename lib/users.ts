import { eq } from 'drizzle-orm';
import type { Sql } from 'postgres';
import type { Db } from './db';
import { users } from './db/schema';

export interface UserRow {
  id: string;
  email: string;
  name: string | null;
  role: 'user' | 'admin';
}

/** The role ADMIN_EMAILS gives this email now. */
export const roleFor = (email: string, adminEmails: string[]): UserRow['role'] => (adminEmails.includes(email.trim().toLowerCase()) ? 'admin' : 'user');

/** Finds or creates the user by email; the role follows ADMIN_EMAILS at every sign-in. */
export async function upsertUser(sql: Sql, email: string, name: string | null, adminEmails: string[]): Promise<UserRow> {
  const normalized = email.trim().toLowerCase();
  const role = roleFor(normalized, adminEmails);
  const [user] = await sql<UserRow[]>`
    insert into users (email, name, role) values (${normalized}, ${name}, ${role})
    on conflict (email) do update set name = coalesce(excluded.name, users.name), role = excluded.role, updated_at = now()
    returning id, email, name, role`;
  return user;
}

/**
 * The user behind a session, with the role ADMIN_EMAILS gives them on this request (not the one they signed in
 * with): removing an admin takes effect at once. The stored role is brought up to date when it differs.
 */
export async function sessionUser(db: Db, userId: string, adminEmails: string[]): Promise<UserRow | null> {
  const [row] = await db.select({ id: users.id, email: users.email, name: users.name, role: users.role }).from(users).where(eq(users.id, userId));
  if (!row) return null;
  const role = roleFor(row.email, adminEmails);
  if (role !== row.role) await db.update(users).set({ role, updatedAt: new Date() }).where(eq(users.id, userId));
  return { ...row, role };
}
