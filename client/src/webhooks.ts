// Webhook verification (Standard Webhooks), kept apart from the main entry so that only consumers of
// webhooks need the `standardwebhooks` library (an optional peer dependency).
import { Webhook, WebhookVerificationError } from 'standardwebhooks';
import { ReconnectError } from './errors.js';
import type { components } from './types.js';

export type WebhookEvent = components['schemas']['WebhookEvent'];
export type WebhookEventType = components['schemas']['WebhookEventType'];

/** Headers as fetch's `Headers`, or a plain object such as Node's `req.headers`. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

/** The signature, timestamp (over 5 minutes off) or body did not check out: answer 400 and ignore the body. */
export class InvalidWebhookError extends ReconnectError {
  constructor(message: string) {
    super(400, { code: 'invalid_webhook', message });
    this.name = 'InvalidWebhookError';
  }
}

const NAMES = ['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const;

function pick(headers: WebhookHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of NAMES) {
    const value =
      headers instanceof Headers ? headers.get(name) : (Object.entries(headers).find(([key]) => key.toLowerCase() === name)?.[1] ?? null);
    if (typeof value === 'string') out[name] = value;
    else if (Array.isArray(value) && typeof value[0] === 'string') out[name] = value[0];
  }
  return out;
}

/**
 * Verifies a delivery with its endpoint's secret (`whsec_…`) and returns the event. `body` must be the
 * raw request body, exactly as received. Throws `InvalidWebhookError` when it does not verify.
 */
export function verifyWebhook(headers: WebhookHeaders, body: string | Uint8Array, secret: string): WebhookEvent {
  const text = typeof body === 'string' ? body : new TextDecoder().decode(body);
  let event: unknown;
  try {
    event = new Webhook(secret).verify(text, pick(headers) as never);
  } catch (err) {
    if (err instanceof WebhookVerificationError) throw new InvalidWebhookError(err.message);
    throw err;
  }
  const shaped = event as Partial<WebhookEvent> | null;
  if (typeof shaped?.type !== 'string' || typeof shaped.data !== 'object' || shaped.data === null) {
    throw new InvalidWebhookError('The body is not a Reconnect webhook event.');
  }
  return event as WebhookEvent;
}
