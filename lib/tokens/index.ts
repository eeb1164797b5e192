import postgres, { type Sql } from 'postgres';
import { getConfig } from '../config';
import { getSql } from '../db';
import { recordRefresh } from '../metrics';
import { createTokenEngine, type TokenEngine } from './engine';

let engine: TokenEngine | undefined;
let markerSql: Sql | undefined;

/** The process-wide token engine on the app's pool, created on first use. */
export function getTokenEngine(): TokenEngine {
  if (engine) return engine;
  const config = getConfig();
  markerSql = postgres(process.env.DATABASE_URL!, { max: 2, onnotice: () => {} });
  engine = createTokenEngine({
    sql: getSql(),
    markerSql,
    oauth: { authUrl: config.atlassian.authUrl, clientId: config.atlassian.clientId, clientSecret: config.atlassian.clientSecret },
    keys: config.encryptionKeys,
    appUrl: config.appUrl,
    refreshMarginSeconds: config.refreshMarginSeconds,
    keepaliveIdleDays: config.keepaliveIdleDays,
    onRefresh: recordRefresh,
  });
  return engine;
}

export type { AccessToken, GetAccessTokenOptions } from './engine';
export { ConnectionUnavailableError } from './errors';
