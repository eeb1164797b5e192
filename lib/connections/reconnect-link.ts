// Reconnect links: single-use connect sessions that reconnect one connection for its owner. One kind of link
// everywhere a person is sent to fix a connection: the Reconnect button of the owner's mail, the webhook's
// reconnect_url and the API's 409 (lib/connect-sessions.ts opens them all). Only the token's SHA-256 is stored.
import type { Executor } from '../db';
import { connectSessions } from '../db/schema';
import type { Product } from '../providers/registry';
import { hashSecret, newSecret } from '../secrets';

/** How long the Reconnect link of a needs_reauth mail or webhook works (a renewal's: until renew_by). */
export const RECONNECT_LINK_DAYS = 7;

export const connectLinkUrl = (appUrl: string, token: string) => `${appUrl.replace(/\/+$/, '')}/connect/${token}`;

export interface ReconnectLinkFor {
  connectionId: string;
  /** The owner's email: only they can open it. */
  userEmail: string;
  product: Product;
  expiresAt: Date;
}

/**
 * Stores the link in the caller's transaction and returns its URL. `token`: a token derived by the caller (a mail's
 * resend carries the same link; storing it again does nothing); a fresh random one when absent.
 */
export async function storeReconnectLink(db: Executor, appUrl: string, link: ReconnectLinkFor, token = newSecret()): Promise<string> {
  await db
    .insert(connectSessions)
    .values({ tokenHash: hashSecret(token), ...link })
    .onConflictDoNothing({ target: connectSessions.tokenHash });
  return connectLinkUrl(appUrl, token);
}
