import { randomUUID } from 'node:crypto';
import { and, arrayContains, eq, ne, sql } from 'drizzle-orm';
import type { Executor } from '../db';
import { connections, users, webhookDeliveries, webhookEndpoints, webhookMessages } from '../db/schema';
import { sitesJson } from '../connections/queries';

export const WEBHOOK_TYPES = [
  'connection.created',
  'connection.reconnected',
  'connection.needs_reauth',
  'connection.degraded',
  'connection.recovered',
  'connection.deleted',
  'webhook.test',
] as const;
export type WebhookType = (typeof WEBHOOK_TYPES)[number];

// Never a token: the body is built from health columns and sites only.
async function connectionData(tx: Executor, connectionId: string, appUrl: string, occurredAt: Date) {
  const [row] = await tx
    .select({
      id: connections.id,
      product: connections.product,
      status: connections.status,
      reason: connections.reason,
      user_email: users.email,
      sites: sitesJson,
    })
    .from(connections)
    .innerJoin(users, eq(users.id, connections.userId))
    .where(eq(connections.id, connectionId));
  return {
    connection_id: row!.id,
    product: row!.product,
    status: row!.status,
    reason: row!.reason,
    user_email: row!.user_email,
    sites: row!.sites.map((s) => ({ cloud_id: s.cloud_id, name: s.name, url: s.url })),
    reconnect_url: `${appUrl}/connections/${row!.id}/reconnect`,
    occurred_at: occurredAt.toISOString(),
  };
}

/**
 * Writes the webhook message and one pending delivery per subscribed endpoint, inside the
 * caller's transaction (the outbox): it exists if and only if the state change commits.
 */
export async function enqueueConnectionWebhook(
  tx: Executor,
  type: WebhookType,
  connectionId: string,
  appUrl: string,
  occurredAt = new Date(),
): Promise<string> {
  const data = await connectionData(tx, connectionId, appUrl, occurredAt);
  return enqueueMessage(tx, type, { type, timestamp: occurredAt.toISOString(), data }, connectionId);
}

export async function enqueueMessage(
  tx: Executor,
  type: WebhookType,
  payload: Record<string, unknown>,
  connectionId: string | null,
  endpointId?: string,
): Promise<string> {
  const id = `msg_${randomUUID().replaceAll('-', '')}`;
  await tx.insert(webhookMessages).values({ id, connectionId, type, payload });
  const subscribed = endpointId ? eq(webhookEndpoints.id, endpointId) : arrayContains(webhookEndpoints.events, [type]);
  const endpoints = await tx
    .select({ id: webhookEndpoints.id })
    .from(webhookEndpoints)
    .where(and(ne(webhookEndpoints.status, 'disabled'), subscribed));
  if (endpoints.length === 0) return id;
  // The message's own time, to the microsecond: the per-connection order of deliveries follows it.
  const messageCreatedAt = sql`(select ${webhookMessages.createdAt} from ${webhookMessages} where ${webhookMessages.id} = ${id})`;
  await tx
    .insert(webhookDeliveries)
    .values(endpoints.map((e) => ({ messageId: id, endpointId: e.id, connectionId, messageCreatedAt })));
  return id;
}
