// Key rotation: re-encrypt every secret at rest under the current key (`npm run cli -- keys rotate`).
//
// Safe while the app serves traffic: each batch is one transaction that locks its rows
// (`FOR UPDATE`, the lock the token engine holds while it refreshes), re-reads them under the
// lock and rewrites only the ciphertext of the value stored at that moment, so a rotation can
// never put back a token that a refresh has just replaced. Plaintext never leaves this module
// and never reaches an error message.
import { asc, eq, getTableName, gt, inArray } from 'drizzle-orm';
import type { PgColumn } from 'drizzle-orm/pg-core';
import type { Executor, Tx } from '../db';
import { connections, webhookEndpoints } from '../db/schema';
import { CryptoError, decryptSecret, encryptSecret, needsReencryption, type KeyRing } from '../crypto';

export interface ReencryptOptions {
  /** Rows per transaction (default 500). */
  batchSize?: number;
}

export interface ReencryptResult {
  /** Encrypted values (non-null cells) examined. */
  scanned: number;
  /** Encrypted values rewritten under the current key. */
  reencrypted: number;
}

type EncryptedTable = typeof connections | typeof webhookEndpoints;

// Every encrypted column in the schema (lib/db/schema.ts), by table. Each table has a uuid primary key `id`.
export const ENCRYPTED_COLUMNS: readonly { table: EncryptedTable; columns: Record<string, PgColumn> }[] = [
  { table: connections, columns: { accessTokenEnc: connections.accessTokenEnc, refreshTokenEnc: connections.refreshTokenEnc } },
  { table: webhookEndpoints, columns: { secretEnc: webhookEndpoints.secretEnc, previousSecretEnc: webhookEndpoints.previousSecretEnc } },
];

type Spec = (typeof ENCRYPTED_COLUMNS)[number];

const DEFAULT_BATCH_SIZE = 500;

/** A stored secret that no key of the ring can decrypt. Names the row, never the secret. */
export class KeyRotationError extends Error {
  constructor(
    readonly table: string,
    readonly column: string,
    readonly rowId: string,
    readonly reason: string,
  ) {
    super(
      `Cannot re-encrypt ${table}.${column} of row ${rowId}: ${reason}. ` +
        'Add the key it was encrypted with to TOKEN_ENCRYPTION_KEY_PREVIOUS and run again; nothing in this batch was written.',
    );
    this.name = 'KeyRotationError';
  }
}

type Row = Record<string, string | null> & { id: string };

export async function reencryptAll(db: Executor, keys: KeyRing, opts: ReencryptOptions = {}): Promise<ReencryptResult> {
  const batchSize = opts.batchSize ?? DEFAULT_BATCH_SIZE;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be a positive integer');
  const total: ReencryptResult = { scanned: 0, reencrypted: 0 };
  for (const spec of ENCRYPTED_COLUMNS) {
    let after: string | null = null;
    for (;;) {
      // Keyset pagination by id; the page is read without locks, then locked and re-read below.
      const page: { id: string }[] = await db
        .select({ id: spec.table.id })
        .from(spec.table)
        .where(after === null ? undefined : gt(spec.table.id, after))
        .orderBy(asc(spec.table.id))
        .limit(batchSize);
      if (page.length === 0) break;
      after = page[page.length - 1].id;
      const ids = page.map((r) => r.id);
      const batch = await db.transaction((tx) => reencryptBatch(tx, spec, ids, keys));
      total.scanned += batch.scanned;
      total.reencrypted += batch.reencrypted;
      if (page.length < batchSize) break;
    }
  }
  return total;
}

async function reencryptBatch(tx: Tx, spec: Spec, ids: string[], keys: KeyRing): Promise<ReencryptResult> {
  const table = getTableName(spec.table);
  const rows = (await tx
    .select({ id: spec.table.id, ...spec.columns })
    .from(spec.table)
    .where(inArray(spec.table.id, ids))
    .orderBy(asc(spec.table.id))
    .for('update')) as Row[];
  const result: ReencryptResult = { scanned: 0, reencrypted: 0 };
  const updates: { id: string; changes: Record<string, string> }[] = [];
  for (const row of rows) {
    const changes: Record<string, string> = {};
    for (const [key, column] of Object.entries(spec.columns)) {
      const stored = row[key];
      if (stored === null || stored === undefined) continue;
      result.scanned += 1;
      const fresh = reencrypt(stored, keys, table, column.name, row.id);
      if (fresh !== undefined) changes[key] = fresh;
    }
    if (Object.keys(changes).length > 0) updates.push({ id: row.id, changes });
  }
  // Every value of the batch is decrypted before anything is written: one bad row writes nothing.
  const written = await Promise.all(
    updates.map(({ id, changes }) => tx.update(spec.table).set(changes).where(eq(spec.table.id, id)).returning({ id: spec.table.id })),
  );
  for (const [i, res] of written.entries()) {
    if (res.length !== 1) throw new Error(`Re-encryption of ${table} row ${updates[i].id} updated ${res.length} rows`);
    result.reencrypted += Object.keys(updates[i].changes).length;
  }
  return result;
}

/** The value's ciphertext under the current key, or undefined when it already is. */
function reencrypt(stored: string, keys: KeyRing, table: string, column: string, rowId: string): string | undefined {
  try {
    if (!needsReencryption(stored, keys)) return undefined;
    const plaintext = decryptSecret(stored, keys);
    const fresh = encryptSecret(plaintext, keys);
    if (decryptSecret(fresh, { current: keys.current, previous: [] }) !== plaintext) {
      throw new CryptoError('tampered', 'the new ciphertext did not decrypt to the stored value');
    }
    return fresh;
  } catch (err) {
    // Only CryptoError messages are passed on: they describe the ciphertext's shape or key id, never its content.
    const reason = err instanceof CryptoError ? `${err.message} (${err.code})` : 'encryption failed';
    throw new KeyRotationError(table, column, rowId, reason);
  }
}
