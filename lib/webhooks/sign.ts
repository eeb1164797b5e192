// Standard Webhooks signing (https://www.standardwebhooks.com/), with the `standardwebhooks` library
// that consumers verify with: `v1,<base64 HMAC-SHA256 of "id.timestamp.body">`.
import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';

export const WEBHOOK_SECRET_PREFIX = 'whsec_';
const SECRET_BYTES = 32;
const SECRET_PATTERN = /^whsec_[A-Za-z0-9+/]{32,}={0,2}$/;

export interface WebhookHeaders {
  'webhook-id': string;
  'webhook-timestamp': string;
  'webhook-signature': string;
}

/** A new signing secret: `whsec_` + base64 of 32 random bytes. */
export function newWebhookSecret(): string {
  return WEBHOOK_SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64');
}

export function isWebhookSecret(value: string): boolean {
  return SECRET_PATTERN.test(value);
}

/**
 * The three Standard Webhooks headers for `body`. `msgId` is the message id (stable across retries);
 * with several secrets (during rotation: current first, then the previous one) the signature header
 * lists one `v1,…` signature per secret, space-separated, so a consumer holding either verifies.
 */
export function signWebhook(msgId: string, body: string, secrets: readonly string[], at: Date = new Date()): WebhookHeaders {
  if (secrets.length === 0) throw new Error('signWebhook needs at least one secret');
  const seconds = Math.floor(at.getTime() / 1000);
  const signatures = secrets.map((secret) => new Webhook(secret).sign(msgId, at, body));
  return {
    'webhook-id': msgId,
    'webhook-timestamp': String(seconds),
    'webhook-signature': signatures.join(' '),
  };
}
