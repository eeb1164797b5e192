// The one place a connection's state change reaches its consumers: the webhook outbox and the mail
// outbox, both written inside the caller's transaction (so they exist if and only if the change commits).
// The token engine, the store and manage call this; they import neither webhooks nor notifications.
import type { Executor } from '../db';
import { enqueueTransitionNotification } from '../notifications/outbox';
import { enqueueConnectionWebhook, type WebhookType } from '../webhooks/outbox';

export type TransitionType = Exclude<WebhookType, 'webhook.test'>;

export async function recordTransition(
  tx: Executor,
  type: TransitionType,
  connectionId: string,
  appUrl: string,
  occurredAt = new Date(),
): Promise<void> {
  await enqueueConnectionWebhook(tx, type, connectionId, appUrl, occurredAt);
  await enqueueTransitionNotification(tx, type, connectionId, occurredAt);
}
