import { eq, sql } from 'drizzle-orm';
import type { Executor } from './db';
import { users } from './db/schema';
import { PROVIDERS, type ProviderId } from './providers/registry';

export type UserRow = Pick<typeof users.$inferSelect, 'id' | 'email' | 'name' | 'role'>;

/**
 * The one form of an email address that is stored and compared: NFKC (so that "é" written as one character or
 * two, or a full-width letter, is one address), trimmed, lower-cased. Every lookup or write of a user, or of
 * a connect link's user, goes through it.
 */
export function normalizeEmail(email: string): string {
  return email.normalize('NFKC').trim().toLowerCase().normalize('NFKC');
}

/** Plain printable ASCII, nothing else: the only addresses an ADMIN_EMAILS entry may match. */
export const isAsciiEmail = (email: string): boolean => /^[\x21-\x7e]+$/.test(email);

/**
 * An address NFKC turns from something else into plain ASCII ("ａdmin@example.com" → "admin@example.com"):
 * it would sign in as the plain address's user, so sign-in refuses it.
 */
export const isLookAlikeEmail = (email: string): boolean => {
  const raw = email.trim().toLowerCase();
  return !isAsciiEmail(raw) && isAsciiEmail(normalizeEmail(email));
};

/** The role ADMIN_EMAILS gives this email now: only a plain ASCII address matches an entry (never a look-alike). */
export const roleFor = (email: string, adminEmails: string[]): UserRow['role'] => {
  // Judged as written, before NFKC: "ａdmin@example.com" is not plain ASCII, whatever NFKC makes of it.
  const address = email.trim().toLowerCase();
  return isAsciiEmail(address) && adminEmails.some((entry) => entry.trim().toLowerCase() === address) ? 'admin' : 'user';
};

/** Finds or creates the user by (normalised) email; the role follows ADMIN_EMAILS at every sign-in. */
export async function upsertUser(db: Executor, email: string, name: string | null, adminEmails: string[]): Promise<UserRow> {
  const normalized = normalizeEmail(email);
  const role = roleFor(email, adminEmails);
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

// ---- The account a user signs in with -------------------------------------------------------------------------
// A user is bound, at their first sign-in, to the provider account that signed them in, stored as
// "<provider id>:<account id>" (rows written before hold a bare account id of the first provider's). A later
// sign-in with the same email from another account of that provider is refused: the email alone never decides.

const LEGACY_PROVIDER: ProviderId = PROVIDERS[0]!.id;

function parseBinding(stored: string): { provider: string; accountId: string } {
  const colon = stored.indexOf(':');
  const prefix = colon > 0 ? stored.slice(0, colon) : '';
  return PROVIDERS.some((p) => p.id === prefix) ? { provider: prefix, accountId: stored.slice(colon + 1) } : { provider: LEGACY_PROVIDER, accountId: stored };
}

export type SignInAccountCheck = 'bound' | 'same' | 'other_account';

/**
 * Binds the user to `provider`'s account `accountId` if nothing binds them to an account of that provider, and
 * answers 'other_account', writing nothing, if another account of it is bound. Call it in the sign-in's
 * transaction, after the user row is locked (upsertUser locks it). A binding to another provider (the server's
 * sign-in provider changed) is replaced: sign-in is only ever offered through one provider at a time.
 */
export async function bindSignInAccount(tx: Executor, userId: string, provider: ProviderId, accountId: string): Promise<SignInAccountCheck> {
  const [row] = await tx.select({ stored: users.signInAccount }).from(users).where(eq(users.id, userId)).for('update');
  const wanted = `${provider}:${accountId}`;
  if (row?.stored === wanted) return 'same';
  const bound = row?.stored ? parseBinding(row.stored) : null;
  if (bound?.provider === provider && bound.accountId !== accountId) return 'other_account';
  await tx.update(users).set({ signInAccount: wanted }).where(eq(users.id, userId));
  // The same account written the old way ('same'), or a first binding for this provider ('bound').
  return bound?.provider === provider ? 'same' : 'bound';
}

/** Releases a user's binding (`npm run cli -- user unbind EMAIL`): their next sign-in binds them again. */
export async function releaseSignInAccount(db: Executor, email: string): Promise<boolean> {
  const rows = await db.update(users).set({ signInAccount: null, updatedAt: new Date() }).where(eq(users.email, normalizeEmail(email))).returning({ id: users.id });
  return rows.length > 0;
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
