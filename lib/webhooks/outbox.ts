// The webhook event types: one per connection transition (the vocabulary is lib/connections/transitions.ts),
// and the admin's test message.
import type { Executor } from '../db';
import { transitionPayload, transitionWebhookType, TRANSITION_TYPES, type TransitionWebhookType } from '../connections/transitions';
import { enqueueWebhookMessage } from '../outbox/webhook-messages';

export type WebhookType = TransitionWebhookType | 'webhook.test';
export const WEBHOOK_TYPES: readonly WebhookType[] = [...TRANSITION_TYPES.map(transitionWebhookType), 'webhook.test'];

/** Queues a webhook about a connection as it is now, inside the caller's transaction (recordTransition does it for state changes). */
export async function enqueueConnectionWebhook(
  tx: Executor,
  type: WebhookType,
  connectionId: string,
  appUrl: string,
  occurredAt = new Date(),
): Promise<string> {
  return enqueueWebhookMessage(tx, type, await transitionPayload(tx, type, connectionId, appUrl, occurredAt), connectionId);
}
