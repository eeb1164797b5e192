import type { Sql } from 'postgres';

export interface UserRow {
  id: string;
  email: string;
  name: string | null;
  role: 'user' | 'admin';
}

/** Finds or creates the user by email; the role follows ADMIN_EMAILS at every sign-in. */
export async function upsertUser(sql: Sql, email: string, name: string | null, adminEmails: string[]): Promise<UserRow> {
  const normalized = email.trim().toLowerCase();
  const role = adminEmails.includes(normalized) ? 'admin' : 'user';
  const [user] = await sql<UserRow[]>`
    insert into users (email, name, role) values (${normalized}, ${name}, ${role})
    on conflict (email) do update set name = coalesce(excluded.name, users.name), role = excluded.role, updated_at = now()
    returning id, email, name, role`;
  return user;
}
