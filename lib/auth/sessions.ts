// Server-side sessions: Auth.js's database strategy through @auth/drizzle-adapter. Reconnect's sign-in is its own
// 3LO callback (Auth.js refuses Credentials with database sessions), so the callback creates the row through the
// same adapter that Auth.js's auth() and signOut() read and delete. Tokens are hashed on the way in, always.
import { DrizzleAdapter } from '@auth/drizzle-adapter';
import type { Adapter } from '@auth/core/adapters';
import { and, asc, eq, gt, lt } from 'drizzle-orm';
import type { Db, Executor } from '../db';
import * as schema from '../db/schema';
import { hashSecret, newSecret } from '../secrets';

/** A session lasts 8 hours from sign-in, then the user signs in again (not extended by use). */
export const SESSION_MAX_AGE_SECONDS = 8 * 60 * 60;

/** The Drizzle adapter, with every session token replaced by its hash before it reaches the database. */
export function sessionAdapter(db: Executor): Adapter {
  // Only the session methods are ever called (no OAuth accounts or email tokens go through Auth.js): the adapter
  // fills in its own definitions for the account and verification tables, which therefore need not exist.
  const tables = { usersTable: schema.users, sessionsTable: schema.sessions } as unknown as NonNullable<Parameters<typeof DrizzleAdapter<Db>>[1]>;
  const inner = DrizzleAdapter(db as Db, tables);
  return {
    ...inner,
    createSession: async (s) => ({ ...(await inner.createSession!({ ...s, sessionToken: hashSecret(s.sessionToken) })), sessionToken: s.sessionToken }),
    getSessionAndUser: (token) => inner.getSessionAndUser!(hashSecret(token)),
    updateSession: (s) => inner.updateSession!({ ...s, sessionToken: hashSecret(s.sessionToken) }),
    deleteSession: (token) => inner.deleteSession!(hashSecret(token)),
  };
}

/** Signs a user in: a new session row; the caller puts `token` in the session cookie. */
export async function createSession(db: Executor, userId: string, now = new Date()): Promise<{ token: string; expires: Date }> {
  const token = newSecret();
  const expires = new Date(now.getTime() + SESSION_MAX_AGE_SECONDS * 1000);
  await sessionAdapter(db).createSession!({ sessionToken: token, userId, expires });
  return { token, expires };
}

/** The live session of this cookie value, with its user id (what auth() reads), or null. */
export async function readSession(db: Executor, token: string, now = new Date()): Promise<{ userId: string; expires: Date } | null> {
  const found = await sessionAdapter(db).getSessionAndUser!(token);
  return found && found.session.expires > now ? { userId: found.user.id, expires: found.session.expires } : null;
}

export interface SessionView {
  id: string;
  createdAt: Date;
  expires: Date;
}

/** A user's live sessions, oldest first (for the admin page). */
export function listSessions(db: Executor, userId: string, now = new Date()): Promise<SessionView[]> {
  const s = schema.sessions;
  return db
    .select({ id: s.id, createdAt: s.createdAt, expires: s.expires })
    .from(s)
    .where(and(eq(s.userId, userId), gt(s.expires, now)))
    .orderBy(asc(s.createdAt));
}

export interface LiveSession extends SessionView {
  userId: string;
  email: string;
  name: string | null;
}

/** Every live session with its user, by user email then age (the admin's Sessions page). */
export function listLiveSessions(db: Executor, now = new Date()): Promise<LiveSession[]> {
  const s = schema.sessions;
  const u = schema.users;
  return db
    .select({ id: s.id, createdAt: s.createdAt, expires: s.expires, userId: u.id, email: u.email, name: u.name })
    .from(s)
    .innerJoin(u, eq(u.id, s.userId))
    .where(gt(s.expires, now))
    .orderBy(asc(u.email), asc(s.createdAt))
    .limit(1000);
}

/** Ends one session of a user (by its public id); returns how many ended (0 or 1). */
export async function endSession(db: Executor, userId: string, sessionId: string): Promise<number> {
  const rows = await db
    .delete(schema.sessions)
    .where(and(eq(schema.sessions.userId, userId), eq(schema.sessions.id, sessionId)))
    .returning({ id: schema.sessions.id });
  return rows.length;
}

/** Ends every session of a user; returns how many ended. */
export async function endAllSessions(db: Executor, userId: string): Promise<number> {
  const rows = await db.delete(schema.sessions).where(eq(schema.sessions.userId, userId)).returning({ id: schema.sessions.id });
  return rows.length;
}

/** Cleanup: sessions past their end. */
export async function deleteExpiredSessions(db: Executor, now = new Date()): Promise<number> {
  const rows = await db.delete(schema.sessions).where(lt(schema.sessions.expires, now)).returning({ id: schema.sessions.id });
  return rows.length;
}
