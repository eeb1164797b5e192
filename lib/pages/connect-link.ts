// What a connect link is for, told on the sign-in page before the person signs in: the product, whether it
// reconnects an existing connection, and whom it was made for, masked (the holder of a link learns no full address).
import { and, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Product } from '../providers/registry';
import type { Executor } from '../db';
import { connectSessions } from '../db/schema';
import { hashSecret } from '../secrets';
import { connectLinkToken } from '../auth/redirect';

export interface ConnectLinkPurpose {
  product: Product;
  reconnect: boolean;
  /** e.g. "a…@example.com". */
  maskedEmail: string;
}

/** "alice@example.com" → "a…@example.com": enough to recognise one's own address, not to learn someone else's. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '…';
  return `${email[0]}…${email.slice(at)}`;
}

/** The purpose of the live (unused, unexpired) connect link that `next` points at, if it is one. */
export async function connectLinkPurpose(db: Executor, next: string | undefined, appUrl: string): Promise<ConnectLinkPurpose | undefined> {
  const token = connectLinkToken(next, appUrl);
  if (!token) return undefined;
  const [row] = await db
    .select({ product: connectSessions.product, connectionId: connectSessions.connectionId, userEmail: connectSessions.userEmail })
    .from(connectSessions)
    .where(and(eq(connectSessions.tokenHash, hashSecret(token)), isNull(connectSessions.usedAt), gt(connectSessions.expiresAt, sql`now()`)));
  if (!row) return undefined;
  return { product: row.product, reconnect: row.connectionId !== null, maskedEmail: maskEmail(row.userEmail) };
}
