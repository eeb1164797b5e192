// The access-token call's read in one round trip (lib/db/access-token-call.ts): whether the API key is active,
// whether the connection is live, its sites and its token row. The engine then serves the token from that
// row (its first read), or refreshes under the row lock as always.
import { isApiKeyShaped, noteApiKeyUse, verifyApiKey, type ApiKeyIdentity } from '../api-keys';
import type { Db } from '../db';
import { readAccessTokenCall } from '../db/access-token-call';
import type { SiteView } from '../connections/queries';
import { isUuid } from '../ids';
import { hashSecret } from '../secrets';
import type { TokenRow } from '../tokens/engine';

export interface AccessTokenCall {
  apiKey: ApiKeyIdentity;
  /** The live connection's row (tokens included) and sites; undefined when there is none, or it is disconnected. */
  connection?: { row: TokenRow; sites: SiteView[] };
}

/** The key behind `bearer` with the connection `id`, or undefined when the key is not an active one. */
export async function loadAccessTokenCall(db: Db, bearer: string, id: string): Promise<AccessTokenCall | undefined> {
  if (!isApiKeyShaped(bearer)) return undefined;
  if (!isUuid(id)) {
    const apiKey = await verifyApiKey(db, bearer);
    return apiKey && { apiKey };
  }
  const found = await readAccessTokenCall(db, id, hashSecret(bearer));
  if (!found) return undefined;
  noteApiKeyUse(db, found.key.id, found.key.lastUsedAt);
  const apiKey = { id: found.key.id, name: found.key.name };
  const live = found.row && found.row.status !== 'disconnected';
  return { apiKey, connection: live ? { row: found.row!, sites: found.sites } : undefined };
}
