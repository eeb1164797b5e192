import type { Sql } from 'postgres';
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

export interface ApiKeyView {
  id: string;
  name: string;
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export interface ApiKeyIdentity {
  id: string;
  name: string;
}

/** A new key: only its SHA-256 and a short display prefix are stored. */
export async function createApiKey(sql: Sql, name: string): Promise<CreatedApiKey> {
  const trimmed = name.trim();
  if (!trimmed) throw new Error('An API key needs a name');
  if (hasControlChars(trimmed)) throw new Error('An API key name must not contain control characters');
  const key = API_KEY_PREFIX + newSecret();
  const [row] = await sql<{ id: string; name: string }[]>`
    insert into api_keys (name, prefix, key_hash)
    values (${trimmed}, ${key.slice(0, DISPLAY_PREFIX_LENGTH)}, ${hashSecret(key)})
    returning id, name`;
  return { id: row.id, name: row.name, key };
}

/** True when an active key was revoked now; false for an unknown or already revoked one. */
export async function revokeApiKey(sql: Sql, id: string): Promise<boolean> {
  if (!isUuid(id)) return false;
  const rows = await sql`update api_keys set revoked_at = now() where id = ${id} and revoked_at is null returning 1`;
  return rows.length === 1;
}

/** Every key, newest first, revoked ones included (with `revoked_at`); never a hash. */
export async function listApiKeys(sql: Sql): Promise<ApiKeyView[]> {
  return sql<ApiKeyView[]>`select id, name, prefix, created_at, last_used_at, revoked_at
    from api_keys order by created_at desc, id`;
}

/**
 * The active key behind a bearer secret, or undefined. One indexed read; `last_used_at` is written
 * at most once a minute per key (the SQL guard holds across processes) and never awaited.
 */
export async function verifyApiKey(sql: Sql, bearer: string | null | undefined): Promise<ApiKeyIdentity | undefined> {
  if (!bearer || !bearer.startsWith(API_KEY_PREFIX) || bearer.length > MAX_KEY_LENGTH) return undefined;
  const [row] = await sql<{ id: string; name: string; last_used_at: Date | null }[]>`
    select id, name, last_used_at from api_keys where key_hash = ${hashSecret(bearer)} and revoked_at is null`;
  if (!row) return undefined;
  if (!row.last_used_at || Date.now() - row.last_used_at.getTime() >= LAST_USED_RESOLUTION_MS) {
    void recordApiKeyUse(sql, row.id);
  }
  return { id: row.id, name: row.name };
}

/**
 * Sets `last_used_at` unless it was set less than a minute ago (checked in SQL, so it holds across
 * processes); true when it wrote. Never throws: a failed write must not fail the request.
 */
export async function recordApiKeyUse(sql: Sql, id: string): Promise<boolean> {
  try {
    const rows = await sql`update api_keys set last_used_at = now()
      where id = ${id} and (last_used_at is null or last_used_at < now() - interval '1 minute') returning 1`;
    return rows.length === 1;
  } catch {
    return false;
  }
}
