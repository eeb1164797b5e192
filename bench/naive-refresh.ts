// What most integrations do, for comparison with the token engine: read the row, and if the
// access token has expired call the token endpoint and write the new tokens back.
// No row lock, no single flight: concurrent callers all refresh with the same refresh token.
import type { Sql } from 'postgres';
import { refreshTokens } from '../lib/providers/atlassian/oauth';
import { type OAuthClientConfig } from '../lib/oauth/types';
import { decryptSecret, encryptSecret, type KeyRing } from '../lib/crypto';

interface NaiveRow {
  access_token_enc: string;
  refresh_token_enc: string;
  access_expires_at: Date;
}

export interface NaiveOptions {
  sql: Sql;
  oauth: OAuthClientConfig;
  keys: KeyRing;
  minValiditySeconds?: number;
}

export function createNaiveTokenSource({ sql, oauth, keys, minValiditySeconds = 60 }: NaiveOptions) {
  async function getAccessToken(id: string): Promise<string> {
    const [row] = await sql<NaiveRow[]>`
      select access_token_enc, refresh_token_enc, access_expires_at from connections where id = ${id}`;
    if (!row) throw new Error('connection not found');
    const secondsLeft = (row.access_expires_at.getTime() - Date.now()) / 1000;
    if (secondsLeft > minValiditySeconds) return decryptSecret(row.access_token_enc, keys);
    return refreshAndStore(id, decryptSecret(row.refresh_token_enc, keys));
  }

  async function refreshAndStore(id: string, refreshToken: string): Promise<string> {
    const tokens = await refreshTokens(oauth, refreshToken);
    const expiresAt = new Date(Date.now() + tokens.expiresIn * 1000);
    await sql`
      update connections set access_token_enc = ${encryptSecret(tokens.accessToken, keys)},
        refresh_token_enc = ${encryptSecret(tokens.refreshToken ?? refreshToken, keys)},
        access_expires_at = ${expiresAt}, token_generation = token_generation + 1
      where id = ${id}`;
    return tokens.accessToken;
  }

  return { getAccessToken };
}
