// The webhook outbox's write side: a message and one pending delivery per subscribed endpoint, inside the
// caller's transaction, so that they exist if and only if what they announce commits.
import { randomUUID } from 'node:crypto';
import { and, arrayContains, eq, ne, sql } from 'drizzle-orm';
import type { Executor } from '../db';
import { webhookDeliveries, webhookEndpoints, webhookMessages } from '../db/schema';

/**
 * Writes the message (its id is the webhook-id every attempt carries) and its deliveries: to `endpointId`
 * alone, or to every enabled endpoint subscribed to `type`. Returns the message id.
 */
export async function enqueueWebhookMessage(
  tx: Executor,
  type: string,
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
