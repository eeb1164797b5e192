import { randomUUID } from 'node:crypto';
import type { TransactionSql as Sql } from 'postgres';

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

interface ConnectionWebhookRow {
  id: string;
  product: string;
  status: string;
  reason: string | null;
  user_email: string;
  sites: { cloud_id: string; name: string; url: string }[];
}

// Never a token: the body is built from health columns and sites only.
async function connectionData(tx: Sql, connectionId: string, appUrl: string, occurredAt: Date) {
  const [row] = await tx<ConnectionWebhookRow[]>`
    select c.id, c.product, c.status, c.reason, u.email as user_email,
      coalesce((select json_agg(json_build_object('cloud_id', s.cloud_id, 'name', s.name, 'url', s.url) order by s.name)
                from connection_sites s where s.connection_id = c.id), '[]') as sites
    from connections c join users u on u.id = c.user_id where c.id = ${connectionId}`;
  return {
    connection_id: row.id,
    product: row.product,
    status: row.status,
    reason: row.reason,
    user_email: row.user_email,
    sites: row.sites,
    reconnect_url: `${appUrl}/connections/${row.id}/reconnect`,
    occurred_at: occurredAt.toISOString(),
  };
}

/**
 * Writes the webhook message and one pending delivery per subscribed endpoint, inside the
 * caller's transaction (the outbox): it exists if and only if the state change commits.
 */
export async function enqueueConnectionWebhook(
  tx: Sql,
  type: WebhookType,
  connectionId: string,
  appUrl: string,
  occurredAt = new Date(),
): Promise<string> {
  const data = await connectionData(tx, connectionId, appUrl, occurredAt);
  return enqueueMessage(tx, type, { type, timestamp: occurredAt.toISOString(), data }, connectionId);
}

export async function enqueueMessage(
  tx: Sql,
  type: WebhookType,
  payload: Record<string, unknown>,
  connectionId: string | null,
  endpointId?: string,
): Promise<string> {
  const id = `msg_${randomUUID().replaceAll('-', '')}`;
  await tx`insert into webhook_messages (id, connection_id, type, payload)
           values (${id}, ${connectionId}, ${type}, ${tx.json(payload as never)})`;
  await tx`insert into webhook_deliveries (message_id, endpoint_id, connection_id, message_created_at)
           select m.id, e.id, m.connection_id, m.created_at from webhook_messages m, webhook_endpoints e
           where m.id = ${id} and e.status <> 'disabled'
             and ${endpointId ? tx`e.id = ${endpointId}` : tx`${type} = any(e.events)`}`;
  return id;
}
