// The access-token call's read in one round trip: one statement answers whether the API key is active,
// whether the connection is live, its sites and its token row. The engine then serves the token from that
// row (its first read), or refreshes under the row lock as always.
// On a direct connection it is a named prepared statement; behind a transaction pooler, where a name does
// not survive from one transaction to the next, it is an unnamed statement with its two values inlined.
import { and, eq, getTableColumns, isNull, sql, type SQLWrapper } from 'drizzle-orm';
import { isApiKeyShaped, noteApiKeyUse, verifyApiKey, type ApiKeyIdentity } from '../api-keys';
import { namesStatements, type Db } from '../db';
import { apiKeys, connections } from '../db/schema';
import { sitesJson, type SiteView } from '../connections/queries';
import { isUuid } from '../ids';
import { hashSecret } from '../secrets';
import type { TokenRow } from '../tokens/engine';

export interface AccessTokenCall {
  apiKey: ApiKeyIdentity;
  /** The live connection's row (tokens included) and sites; undefined when there is none, or it is disconnected. */
  connection?: { row: TokenRow; sites: SiteView[] };
}

function query(db: Db, id: SQLWrapper, hash: SQLWrapper) {
  return db
    .select({
      key: { id: apiKeys.id, name: apiKeys.name, lastUsedAt: apiKeys.lastUsedAt },
      row: getTableColumns(connections),
      sites: sitesJson,
    })
    .from(apiKeys)
    .leftJoin(connections, eq(connections.id, id))
    .where(and(eq(apiKeys.keyHash, hash), isNull(apiKeys.revokedAt)));
}

const prepare = (db: Db) => query(db, sql.placeholder('id'), sql.placeholder('hash')).prepare('access_token_call');
const prepared = new WeakMap<Db, ReturnType<typeof prepare>>();

const HEX_64 = /^[0-9a-f]{64}$/;

/**
 * Unnamed and without parameters, so that postgres-js sends it in one round trip (with a parameter it would
 * describe the statement first and wait: two). Both values are inlined as literals, which is safe only
 * because they are checked here to be a UUID and a hex SHA-256, whatever the callers checked.
 */
function readUnnamed(db: Db, id: string, hash: string) {
  if (!isUuid(id) || !HEX_64.test(hash)) throw new Error('access-token read: not a UUID and a hex hash');
  return query(db, sql.raw(`'${id}'::uuid`), sql.raw(`'${hash}'`));
}

function read(db: Db, id: string, hash: string) {
  if (!namesStatements(db)) return readUnnamed(db, id, hash);
  let statement = prepared.get(db);
  if (!statement) prepared.set(db, (statement = prepare(db)));
  return statement.execute({ id, hash });
}

/** The key behind `bearer` with the connection `id`, or undefined when the key is not an active one. */
export async function loadAccessTokenCall(db: Db, bearer: string, id: string): Promise<AccessTokenCall | undefined> {
  if (!isApiKeyShaped(bearer)) return undefined;
  if (!isUuid(id)) {
    const apiKey = await verifyApiKey(db, bearer);
    return apiKey && { apiKey };
  }
  const [found] = await read(db, id, hashSecret(bearer));
  if (!found) return undefined;
  noteApiKeyUse(db, found.key.id, found.key.lastUsedAt);
  const apiKey = { id: found.key.id, name: found.key.name };
  const live = found.row && found.row.status !== 'disconnected';
  return { apiKey, connection: live ? { row: found.row!, sites: found.sites } : undefined };
}
