import { getConfig } from '../config';
import { getDb, getMarkerDb } from '../db';
import { recordRefresh } from '../metrics';
import { productApps } from '../providers/apps';
import { createTokenEngine, type TokenEngine } from './engine';

// Kept on globalThis: Next.js may bundle this module more than once (routes, instrumentation), and a graceful
// stop must drain the one engine that every token call of the process goes through.
const ENGINE_KEY = Symbol.for('reconnect.tokenEngine');
type WithEngine = typeof globalThis & { [ENGINE_KEY]?: TokenEngine };

/** The process-wide token engine on the app's pool, created on first use. */
export function getTokenEngine(): TokenEngine {
  const g = globalThis as WithEngine;
  if (g[ENGINE_KEY]) return g[ENGINE_KEY];
  const config = getConfig();
  const engine = createTokenEngine({
    db: getDb(),
    markerDb: getMarkerDb(),
    apps: productApps(config),
    keys: config.encryptionKeys,
    appUrl: config.appUrl,
    refreshMarginSeconds: config.refreshMarginSeconds,
    keepaliveIdleDays: config.keepaliveIdleDays,
    onRefresh: recordRefresh,
  });
  g[ENGINE_KEY] = engine;
  return engine;
}

export type { AccessToken, GetAccessTokenOptions } from './engine';
export { ConnectionUnavailableError } from '../connections/errors';
