// A connection's state changes: the vocabulary, and the one function that records one.
//
// recordTransition writes, in the caller's transaction, the transition's timeline event and what its
// consumers need: the webhook message with its deliveries, the owner's mail (or its withdrawal) and, once the
// connection works again, the withdrawal of its open connect links. They
// exist if and only if the state change commits; the worker sends them later (lib/webhooks/deliver.ts,
// lib/notifications/send.ts). The table below is the whole mapping, one line per transition.
import { eq } from 'drizzle-orm';
import type { Executor } from '../db';
import { connections, users } from '../db/schema';
import { cancelPendingMails, queueOwnerMail, type OwnerMailKind } from '../outbox/mail';
import { enqueueWebhookMessage } from '../outbox/webhook-messages';
import { recordEvent, type ConnectionEvent, type ConnectionEventType } from './events';
import { withdrawOpenLinks } from './links';
import { RECONNECT_LINK_DAYS, storeReconnectLink } from './reconnect-link';
import { sitesJson } from './queries';

export const TRANSITION_TYPES = ['created', 'reconnected', 'needs_reauth', 'degraded', 'recovered', 'expiring', 'deleted'] as const;
export type TransitionType = (typeof TRANSITION_TYPES)[number];

/** The webhook event type that announces a transition. */
export type TransitionWebhookType = `connection.${TransitionType}`;
export const transitionWebhookType = (type: TransitionType): TransitionWebhookType => `connection.${type}`;

interface Consumers {
  /** The timeline event (its wording: lib/connections/timeline.ts). */
  event: ConnectionEventType;
  /** The owner's mail it queues: needs_reauth and expiring at once, degraded only if it lasts (the worker waits). */
  mail?: OwnerMailKind;
  /** Pending mails it withdraws: the spell they were about is over, or superseded. */
  cancels: readonly OwnerMailKind[];
  /** The connection's open connect links it withdraws (lib/connections/links.ts): 'all', or all but while renewing. */
  withdrawsLinks?: 'all' | 'unless-renewing';
}

const BOTH = ['degraded', 'needs_reauth'] as const;
// A renewal reminder not yet sent is moot once its family is replaced, gone or dead (not when it recovers).
const ALL = ['degraded', 'needs_reauth', 'expiring'] as const;
const CONSUMERS: Record<TransitionType, Consumers> = {
  created: { event: 'connected', cancels: [] },
  reconnected: { event: 'reconnected', cancels: ALL, withdrawsLinks: 'all' },
  needs_reauth: { event: 'needs_reauth', mail: 'needs_reauth', cancels: ['degraded', 'expiring'] },
  degraded: { event: 'degraded', mail: 'degraded', cancels: [] },
  recovered: { event: 'recovered', cancels: BOTH, withdrawsLinks: 'unless-renewing' },
  expiring: { event: 'expiring', mail: 'expiring', cancels: [] },
  deleted: { event: 'disconnected', cancels: ALL },
};

export interface Transition {
  type: TransitionType;
  connectionId: string;
  /** The app's public URL: the webhook's reconnect_url (a connect link) starts with it. */
  appUrl: string;
  at?: Date;
  /** What the timeline shows beside the type: codes and plain messages, never tokens. */
  event?: Omit<ConnectionEvent, 'type'>;
}

/** Records one state change of a connection; call it inside the transaction that makes the change. */
export async function recordTransition(tx: Executor, t: Transition): Promise<void> {
  const at = t.at ?? new Date();
  const consumers = CONSUMERS[t.type];
  await recordEvent(tx, t.connectionId, { ...t.event, type: consumers.event }, at);
  const webhookType = transitionWebhookType(t.type);
  await enqueueWebhookMessage(tx, webhookType, await transitionPayload(tx, webhookType, t.connectionId, t.appUrl, at), t.connectionId);
  await cancelPendingMails(tx, t.connectionId, consumers.cancels, at);
  if (consumers.mail) await queueOwnerMail(tx, t.connectionId, consumers.mail, at);
  if (consumers.withdrawsLinks) await withdrawOpenLinks(tx, t.connectionId, { keepWhileRenewing: consumers.withdrawsLinks === 'unless-renewing' });
}

/**
 * The webhooks that ask for the user: they carry a Reconnect link, the same kind as the owner's mail (single use,
 * for the owner, valid 7 days; a renewal's until renew_by).
 */
const LINK_UNTIL: Partial<Record<string, (at: Date, renewBy: Date | null) => Date>> = {
  [transitionWebhookType('needs_reauth')]: (at) => new Date(at.getTime() + RECONNECT_LINK_DAYS * 86_400_000),
  [transitionWebhookType('expiring')]: (at, renewBy) => renewBy ?? new Date(at.getTime() + RECONNECT_LINK_DAYS * 86_400_000),
};

/**
 * A webhook's body about a connection: health columns and sites only, never a token. Its Reconnect link (see
 * LINK_UNTIL; null for the other types) is stored in the caller's transaction, with the message.
 */
export async function transitionPayload(tx: Executor, type: string, connectionId: string, appUrl: string, at: Date): Promise<Record<string, unknown>> {
  const [row] = await tx
    .select({
      id: connections.id,
      product: connections.product,
      status: connections.status,
      reason: connections.reason,
      renew_by: connections.renewBy,
      user_email: users.email,
      sites: sitesJson,
    })
    .from(connections)
    .innerJoin(users, eq(users.id, connections.userId))
    .where(eq(connections.id, connectionId));
  const until = LINK_UNTIL[type];
  const link = { connectionId: row!.id, userEmail: row!.user_email, product: row!.product };
  const data = {
    connection_id: row!.id,
    product: row!.product,
    status: row!.status,
    reason: row!.reason,
    user_email: row!.user_email,
    sites: row!.sites.map((s) => ({ cloud_id: s.cloud_id, name: s.name, url: s.url })),
    reconnect_url: until ? await storeReconnectLink(tx, appUrl, { ...link, expiresAt: until(at, row!.renew_by) }) : null,
    renew_by: row!.renew_by?.toISOString() ?? null,
    occurred_at: at.toISOString(),
  };
  return { type, timestamp: at.toISOString(), data };
}
