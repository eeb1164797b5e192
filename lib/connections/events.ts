import type { Executor } from '../db';
import { connectionEvents } from '../db/schema';

/** Every type the timeline holds; the timeline (lib/connections/timeline.ts) words each one. */
export const CONNECTION_EVENT_TYPES = [
  'connected',
  'reconnected',
  'expiring',
  'refreshed',
  'refresh_failed',
  'degraded',
  'recovered',
  'needs_reauth',
  'configuration_error',
  'api_unauthorized',
  'test',
  'disconnected',
  'notification_sent',
  'notification_failed',
  'notification_suppressed',
] as const;

export type ConnectionEventType = (typeof CONNECTION_EVENT_TYPES)[number];

export interface ConnectionEvent {
  type: ConnectionEventType;
  code?: string | null;
  message?: string | null;
  tokenGeneration?: number | null;
  data?: Record<string, unknown>;
}

/** Appends to the connection's timeline. Callers pass codes and plain messages, never tokens. */
export async function recordEvent(tx: Executor, connectionId: string, event: ConnectionEvent, at = new Date()): Promise<void> {
  await tx.insert(connectionEvents).values({
    connectionId,
    type: event.type,
    code: event.code ?? null,
    message: event.message ?? null,
    tokenGeneration: event.tokenGeneration ?? null,
    data: event.data ?? null,
    createdAt: at,
  });
}
