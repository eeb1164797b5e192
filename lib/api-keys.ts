import { and, asc, desc, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Executor } from './db';
import { apiKeys } from './db/schema';
import { hashSecret, newSecret } from './secrets';
import { isUuid } from './ids';
import { hasControlChars } from './input';

export const API_KEY_PREFIX = 'rk_live_';
// What the admin list shows to tell keys apart: the fixed prefix and four random characters.
const DISPLAY_PREFIX_LENGTH = API_KEY_PREFIX.length + 4;
const LAST_USED_RESOLUTION_MS = 60_000;
// rk_live_ + 43 base64url characters; anything much longer is not ours and is not worth a query.
const MAX_KEY_LENGTH = 128;

export interface CreatedApiKey {
  id: string;
  name: string;
  /** The secret itself: shown once, never stored. */
  key: string;
}


export type ApiKeyIdentity = Pick<typeof apiKeys.$inferSelect, 'id' | 'name'>;

/** A new key: only its SHA-256 and a short display prefix are stored. */
export async function createApiKey(db: Executor, name: string): Promise<CreatedApiKey> {
  const trimmed = name.trim();
  if (!trimmed) throw new Error('An API key needs a name');
  if (hasControlChars(trimmed)) throw new Error('An API key name must not contain control characters');
  const key = API_KEY_PREFIX + newSecret();
  const [row] = await db
    .insert(apiKeys)
    .values({ name: trimmed, prefix: key.slice(0, DISPLAY_PREFIX_LENGTH), keyHash: hashSecret(key) })
    .returning({ id: apiKeys.id, name: apiKeys.name });
  return { id: row!.id, name: row!.name, key };
}

/** True when an active key was revoked now; false for an unknown or already revoked one. */
export async function revokeApiKey(db: Executor, id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  const rows = await db
    .update(apiKeys)
    .set({ revokedAt: sql`now()` })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning({ id: apiKeys.id });
  return rows.length === 1;
}

/** Every key, newest first, revoked ones included (with `revoked_at`); never a hash. */
export async function listApiKeys(db: Executor) {
  return db
    .select({
      id: apiKeys.id,
      name: apiKeys.name,
      prefix: apiKeys.prefix,
      created_at: apiKeys.createdAt,
      last_used_at: apiKeys.lastUsedAt,
      revoked_at: apiKeys.revokedAt,
    })
    .from(apiKeys)
    .orderBy(desc(apiKeys.createdAt), asc(apiKeys.id));
}

export type ApiKeyView = Awaited<ReturnType<typeof listApiKeys>>[number];

/** Whether `bearer` can be one of our keys at all (not worth a query otherwise). */
export function isApiKeyShaped(bearer: string | null | undefined): bearer is string {
  return !!bearer && bearer.startsWith(API_KEY_PREFIX) && bearer.length <= MAX_KEY_LENGTH;
}

/**
 * The active key behind a bearer secret, or undefined. One indexed read; `last_used_at` is written
 * at most once a minute per key (the SQL guard holds across processes) and never awaited.
 */
export async function verifyApiKey(db: Executor, bearer: string | null | undefined): Promise<ApiKeyIdentity | undefined> {
  if (!isApiKeyShaped(bearer)) return undefined;
  const [row] = await db
    .select({ id: apiKeys.id, name: apiKeys.name, lastUsedAt: apiKeys.lastUsedAt })
    .from(apiKeys)
    .where(and(eq(apiKeys.keyHash, hashSecret(bearer)), isNull(apiKeys.revokedAt)));
  if (!row) return undefined;
  noteApiKeyUse(db, row.id, row.lastUsedAt);
  return { id: row.id, name: row.name };
}

// Keys whose last_used_at write from this process is under way: concurrent requests add none.
const writing = new Set<string>();

/**
 * Records a use of key `id` off the caller's path: nothing when `lastUsedAt` (as the request just read
 * it) is less than a minute old, else one write per key at a time from this process, never awaited.
 */
export function noteApiKeyUse(db: Executor, id: string, lastUsedAt: Date | null): void {
  if (lastUsedAt && Date.now() - lastUsedAt.getTime() < LAST_USED_RESOLUTION_MS) return;
  if (writing.has(id)) return;
  writing.add(id);
  setImmediate(() => void recordApiKeyUse(db, id).finally(() => writing.delete(id)));
}

/**
 * Sets `last_used_at` unless it was set less than a minute ago (checked in SQL, so it holds across
 * processes); true when it wrote. Never throws: a failed write must not fail the request.
 */
export async function recordApiKeyUse(db: Executor, id: string): Promise<boolean> {
  try {
    const rows = await db
      .update(apiKeys)
      .set({ lastUsedAt: sql`now()` })
      .where(and(eq(apiKeys.id, id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, sql`now() - interval '1 minute'`))))
      .returning({ id: apiKeys.id });
    return rows.length === 1;
  } catch {
    return false;
  }
}
