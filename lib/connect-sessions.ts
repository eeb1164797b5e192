// Connect sessions: single-use, 30-minute links that start the consent flow for a given user and
// product, or reconnect a given connection. Only the link token's SHA-256 is stored.
import { and, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import type { Executor } from './db';
import { connections, connectSessions, users } from './db/schema';
import { z } from 'zod';
import { isProduct, PUBLIC_PRODUCTS, type Product } from './providers/registry';
import type { FlowContext } from './flows/context';
import { startFlow } from './flows/start';
import { hashSecret, newSecret } from './secrets';
import { isUuid } from './ids';
import { linkWithdrawn } from './connections/links';
import { normalizeEmail } from './users';

export const CONNECT_SESSION_TTL_MINUTES = 30;
// newSecret() gives 43 base64url characters; a longer "token" cannot be one of ours.
const MAX_TOKEN_LENGTH = 128;

export type ConnectSessionInput = { user_email: string; product: Product } | { connection_id: string };

export interface CreatedConnectSession {
  url: string;
  expires_at: string;
}

/** The connection named by a link request does not exist or is disconnected (the API answers 404). */
export class ConnectionNotFoundError extends Error {
  readonly code = 'not_found';
  constructor(readonly connectionId: string) {
    super(`No connection ${connectionId} (or it is disconnected).`);
  }
}

const ONE_SHAPE = 'send {user_email, product} or {connection_id}';

/**
 * The API body: `{user_email, product}` or `{connection_id}`, exactly one of the two shapes, no other
 * field. The email is normalised (normalizeEmail: NFKC, trimmed, lower-cased). Every error names the field it is about.
 */
export const connectSessionInput = z
  .strictObject(
    {
      user_email: z
        .string('must be a string')
        .overwrite(normalizeEmail)
        .max(254, 'must be at most 254 characters')
        .pipe(z.email('must be an email address'))
        .optional(),
      product: z.enum(PUBLIC_PRODUCTS, `must be one of: ${PUBLIC_PRODUCTS.join(', ')}`).optional(),
      connection_id: z.string('must be a string').pipe(z.guid('must be a connection id (a UUID)')).optional(),
    },
    { error: (issue) => (issue.code === 'unrecognized_keys' ? `is not a known field: ${ONE_SHAPE}` : undefined) },
  )
  .superRefine((body, ctx) => {
    if (body.connection_id !== undefined) {
      const extra = (['user_email', 'product'] as const).find((k) => body[k] !== undefined);
      if (extra) ctx.addIssue({ code: 'custom', path: [extra], message: `cannot be combined with connection_id: ${ONE_SHAPE}` });
    } else if (body.user_email === undefined) {
      ctx.addIssue({ code: 'custom', path: ['user_email'], message: `is required: ${ONE_SHAPE}` });
    } else if (body.product === undefined) {
      ctx.addIssue({ code: 'custom', path: ['product'], message: `is required (one of: ${PUBLIC_PRODUCTS.join(', ')})` });
    }
  })
  .transform((body): ConnectSessionInput =>
    body.connection_id !== undefined ? { connection_id: body.connection_id } : { user_email: body.user_email!, product: body.product! },
  );

const linkUrl = (appUrl: string, token: string) => `${appUrl.replace(/\/+$/, '')}/connect/${token}`;

/**
 * Writes one link and returns it with its expiry. For a connection, its product and its owner's
 * email are copied from it (one insert … select: nothing is written when it is missing).
 */
export async function createConnectSession(db: Executor, appUrl: string, input: ConnectSessionInput): Promise<CreatedConnectSession> {
  const token = newSecret();
  const tokenHash = hashSecret(token);
  const expiresAt = sql<Date>`now() + make_interval(mins => ${CONNECT_SESSION_TTL_MINUTES})`;
  let rows: { expiresAt: Date }[];
  if ('connection_id' in input) {
    if (!isUuid(input.connection_id)) throw new ConnectionNotFoundError(input.connection_id);
    // Its owner's email and its product, copied from the connection; nothing is written when it is missing.
    const [source] = await db
      .select({ userEmail: users.email, product: connections.product, connectionId: connections.id })
      .from(connections)
      .innerJoin(users, eq(users.id, connections.userId))
      .where(and(eq(connections.id, input.connection_id), ne(connections.status, 'disconnected')));
    if (!source) throw new ConnectionNotFoundError(input.connection_id);
    rows = await db
      .insert(connectSessions)
      .values({ tokenHash, ...source, expiresAt })
      .returning({ expiresAt: connectSessions.expiresAt });
  } else {
    if (!isProduct(input.product)) throw new TypeError(`Unknown product: ${String(input.product)}`);
    rows = await db
      .insert(connectSessions)
      .values({ tokenHash, userEmail: normalizeEmail(input.user_email), product: input.product, expiresAt })
      .returning({ expiresAt: connectSessions.expiresAt });
  }
  return { url: linkUrl(appUrl, token), expires_at: rows[0]!.expiresAt.toISOString() };
}

export type OpenConnectSessionResult =
  | { kind: 'signin'; next: string }
  | { kind: 'redirect'; url: string }
  | { kind: 'error'; status: number; code: string; message: string };

const ASK_AGAIN = 'Ask for a new link.';
const error = (status: number, code: string, message: string): OpenConnectSessionResult => ({ kind: 'error', status, code, message });
const NOT_FOUND = error(404, 'not_found', `This link is not valid. ${ASK_AGAIN}`);
const USED = error(410, 'used', `This link was already used. ${ASK_AGAIN}`);
// API links last 30 minutes, the Reconnect links of notification mails 7 days.
const EXPIRED = error(410, 'expired', `This link expired. ${ASK_AGAIN}`);
// Its connection was reconnected, or works again, since the link was made (lib/connections/links.ts).
const WITHDRAWN = error(410, 'withdrawn', 'This link is no longer valid: the connection it was for was reconnected, or works again, since it was sent.');

/** Which link: by its token's hash (a link opened), or by its id (a link resumed after the sign-in it led to). */
type LinkKey = { tokenHash: string } | { id: string };
const byKey = (key: LinkKey) => ('id' in key ? eq(connectSessions.id, key.id) : eq(connectSessions.tokenHash, key.tokenHash));

async function readSession(db: Executor, key: LinkKey) {
  const [row] = await db
    .select({
      id: connectSessions.id,
      user_email: connectSessions.userEmail,
      product: connectSessions.product,
      connection_id: connectSessions.connectionId,
      used: sql<boolean>`${connectSessions.usedAt} is not null`,
      withdrawn: linkWithdrawn,
      expired: sql<boolean>`${connectSessions.expiresAt} <= now()`,
      connection_user_id: connections.userId,
      connection_status: connections.status,
    })
    .from(connectSessions)
    .leftJoin(connections, eq(connections.id, connectSessions.connectionId))
    .where(byKey(key));
  return row;
}

type SessionRow = NonNullable<Awaited<ReturnType<typeof readSession>>>;

/** Why a link read from the database cannot be used, whoever opens it; undefined when it can. */
const unusable = (row: SessionRow | undefined): OpenConnectSessionResult | undefined =>
  !row ? NOT_FOUND : row.withdrawn ? WITHDRAWN : row.used ? USED : row.expired ? EXPIRED : undefined;

/**
 * Opens a link. An unknown, used, expired or withdrawn link is refused at once; someone not signed in is sent
 * to sign in first, and someone signed in as another email is refused, both leaving the link unused.
 * Otherwise the link is consumed (once, atomically) in the same transaction that stores the OAuth
 * state, and the answer is the provider's consent URL: connect for the signed-in user, or reconnect of
 * the link's connection, which must still be theirs.
 */
export async function openConnectSession(
  ctx: FlowContext,
  token: string,
  signedInUser: { id: string; email: string } | null,
  browserNonce: string,
): Promise<OpenConnectSessionResult> {
  if (!token || token.length > MAX_TOKEN_LENGTH) return NOT_FOUND;
  const key = { tokenHash: hashSecret(token) };
  const row = await readSession(ctx.db, key);
  const refused = unusable(row);
  if (refused) return refused;
  // The sign-in stores the link's id with its state (lib/flows/start.ts), never this token: resumeConnectSession follows.
  if (!signedInUser) return { kind: 'signin', next: `/connect/${token}` };
  return consumeLink(ctx, key, row!, signedInUser, browserNonce);
}

/**
 * Opens the link a sign-in was a detour for, named by its id (stored with the sign-in's state, bound to the
 * browser that opened the link), for the user who just signed in: the same checks and answers as opening it.
 */
export async function resumeConnectSession(
  ctx: FlowContext,
  connectSessionId: string,
  signedInUser: { id: string; email: string },
  browserNonce: string,
): Promise<OpenConnectSessionResult> {
  if (!isUuid(connectSessionId)) return NOT_FOUND;
  const key = { id: connectSessionId };
  const row = await readSession(ctx.db, key);
  return unusable(row) ?? consumeLink(ctx, key, row!, signedInUser, browserNonce);
}

async function consumeLink(
  ctx: FlowContext,
  key: LinkKey,
  row: SessionRow,
  signedInUser: { id: string; email: string },
  browserNonce: string,
): Promise<OpenConnectSessionResult> {
  const you = normalizeEmail(signedInUser.email);
  if (you !== row.user_email) {
    // Neutral on purpose: whoever holds the link must not learn whom it was made for.
    return error(403, 'wrong_user', `This link belongs to someone else, not to ${you}. If it was meant for you under another account, sign out, open the link again and sign in with that account.`);
  }
  if (row.connection_id) {
    if (!row.connection_status || row.connection_status === 'disconnected') {
      return error(404, 'connection_not_found', `The connection this link would reconnect no longer exists. ${ASK_AGAIN}`);
    }
    if (row.connection_user_id !== signedInUser.id) {
      return error(403, 'not_owner', 'The connection this link would reconnect belongs to another user: only its owner can reconnect it.');
    }
  }
  if (!ctx.apps(row.product)) {
    return error(400, 'product_not_configured', `${row.product} is not configured on this server any more. Ask an admin.`);
  }
  return ctx.db.transaction(async (tx) => {
    // The OAuth state is written in the transaction that consumes the link: if that fails, the link stays unused.
    const flowCtx: FlowContext = { ...ctx, db: tx };
    const consumed = await tx
      .update(connectSessions)
      .set({ usedAt: sql`now()` })
      .where(and(byKey(key), isNull(connectSessions.usedAt), gt(connectSessions.expiresAt, sql`now()`)))
      .returning({ id: connectSessions.id });
    if (consumed.length === 0) {
      // Another tab won the race, or the link expired or was withdrawn since it was read.
      return unusable(await readSession(tx, key)) ?? EXPIRED;
    }
    const url = row.connection_id
      ? await startFlow(flowCtx, { purpose: 'reconnect', userId: signedInUser.id, product: row.product, connectionId: row.connection_id, connectSessionId: row.id }, browserNonce)
      : await startFlow(flowCtx, { purpose: 'connect', userId: signedInUser.id, product: row.product, connectSessionId: row.id }, browserNonce);
    return { kind: 'redirect', url } as const;
  });
}
