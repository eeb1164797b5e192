import type { TransactionSql as Sql } from 'postgres';

export type ConnectionEventType =
  | 'connected'
  | 'reconnected'
  | 'refreshed'
  | 'refresh_failed'
  | 'degraded'
  | 'recovered'
  | 'needs_reauth'
  | 'configuration_error'
  | 'api_unauthorized'
  | 'test'
  | 'disconnected'
  | 'notification_sent'
  | 'notification_failed'
  | 'notification_suppressed';

export interface ConnectionEvent {
  type: ConnectionEventType;
  code?: string | null;
  message?: string | null;
  tokenGeneration?: number | null;
  data?: Record<string, unknown>;
}

/** Appends to the connection's timeline. Callers pass codes and plain messages, never tokens. */
export async function recordEvent(tx: Sql, connectionId: string, event: ConnectionEvent, at = new Date()): Promise<void> {
  await tx`insert into connection_events (connection_id, type, code, message, token_generation, data, created_at)
           values (${connectionId}, ${event.type}, ${event.code ?? null}, ${event.message ?? null},
                   ${event.tokenGeneration ?? null}, ${event.data ? tx.json(event.data as never) : null}, ${at})`;
}
