// The access-token call's read in one round trip: one prepared statement answers whether the API key is
// active, whether the connection is live, its sites and its token row. The engine then serves the token
// from that row (SPEC section 4's first read), or refreshes under the row lock as always.
import { and, eq, getTableColumns, isNull, sql } from 'drizzle-orm';
import { isApiKeyShaped, noteApiKeyUse, verifyApiKey, type ApiKeyIdentity } from '../api-keys';
import type { Db } from '../db';
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

function prepare(db: Db) {
  return db
    .select({
      key: { id: apiKeys.id, name: apiKeys.name, lastUsedAt: apiKeys.lastUsedAt },
      row: getTableColumns(connections),
      sites: sitesJson,
    })
    .from(apiKeys)
    .leftJoin(connections, eq(connections.id, sql.placeholder('id')))
    .where(and(eq(apiKeys.keyHash, sql.placeholder('hash')), isNull(apiKeys.revokedAt)))
    .prepare('access_token_call');
}

const prepared = new WeakMap<Db, ReturnType<typeof prepare>>();

/** The key behind `bearer` with the connection `id`, or undefined when the key is not an active one. */
export async function loadAccessTokenCall(db: Db, bearer: string, id: string): Promise<AccessTokenCall | undefined> {
  if (!isApiKeyShaped(bearer)) return undefined;
  if (!isUuid(id)) {
    const apiKey = await verifyApiKey(db, bearer);
    return apiKey && { apiKey };
  }
  let statement = prepared.get(db);
  if (!statement) prepared.set(db, (statement = prepare(db)));
  const [found] = await statement.execute({ id, hash: hashSecret(bearer) });
  if (!found) return undefined;
  noteApiKeyUse(db, found.key.id, found.key.lastUsedAt);
  const apiKey = { id: found.key.id, name: found.key.name };
  const live = found.row && found.row.status !== 'disconnected';
  return { apiKey, connection: live ? { row: found.row!, sites: found.sites } : undefined };
}
