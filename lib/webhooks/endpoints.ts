// Webhook endpoints: a consumer URL, its signing secret (encrypted at rest, shown on creation and
// rotation only) and the message types it subscribes to. Used by the service API and the admin page.
import { and, desc, eq, lt, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db';
import { webhookDeliveries, webhookEndpoints as endpoints, webhookMessages } from '../db/schema';
import { z } from 'zod';
import { encryptSecret, type KeyRing } from '../crypto';
import { enqueueWebhookMessage } from '../outbox/webhook-messages';
import { WEBHOOK_TYPES, type WebhookType } from './outbox';
import { newWebhookSecret } from './sign';
import { checkWebhookUrl, MAX_WEBHOOK_URL_LENGTH, type HostLookup } from './ssrf';
import { isUuid } from '../ids';

export const ENDPOINT_STATUSES = ['active', 'failing', 'disabled'] as const;
export type EndpointStatus = (typeof ENDPOINT_STATUSES)[number];
export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** How long the previous secret still signs (alongside the new one) after a rotation. */
export const PREVIOUS_SECRET_TTL_MS = 24 * 3600 * 1000;

const urlField = z
  .string({ error: 'must be a string (the https URL that receives the webhooks)' })
  .trim()
  .min(1, 'must not be empty')
  .max(MAX_WEBHOOK_URL_LENGTH, `must be at most ${MAX_WEBHOOK_URL_LENGTH} characters`);

const eventsField = z
  .array(z.enum(WEBHOOK_TYPES, { error: `must be one of ${WEBHOOK_TYPES.join(', ')}` }), {
    error: `must be an array of event types (${WEBHOOK_TYPES.join(', ')})`,
  })
  .min(1, 'must list at least one event type')
  .transform((events) => WEBHOOK_TYPES.filter((t) => events.includes(t)));

export const createEndpointInput = z.strictObject({ url: urlField, events: eventsField });
export type CreateEndpointInput = z.infer<typeof createEndpointInput>;

export const updateEndpointInput = z.strictObject({
  url: urlField.optional(),
  events: eventsField.optional(),
  status: z.enum(['active', 'disabled'], { error: 'must be "active" or "disabled"' }).optional(),
  rotate_secret: z.literal(true, { error: 'must be true (to rotate the secret) or left out' }).optional(),
});
export type UpdateEndpointInput = z.infer<typeof updateEndpointInput>;

export interface EndpointContext {
  db: Executor;
  keys: KeyRing;
  /** WEBHOOK_ALLOW_PRIVATE: accept private, loopback and link-local targets. */
  allowPrivate: boolean;
  now?: Date;
  /** Host resolution for the SSRF check (default node:dns). */
  lookup?: HostLookup;
}

export type WebhookEndpointWithSecret = WebhookEndpointView & { secret: string };

/** Bad input that only the server can judge (the URL's target): names the field. */
export class WebhookEndpointInputError extends Error {
  constructor(
    readonly field: string,
    readonly detail: string,
  ) {
    super(`Invalid field "${field}": ${detail}`);
    this.name = 'WebhookEndpointInputError';
  }
}

/** Sending a test to an endpoint that is disabled (it would never leave). */
export class WebhookEndpointDisabledError extends Error {
  constructor(readonly endpointId: string) {
    super('The endpoint is disabled: enable it before sending a test.');
    this.name = 'WebhookEndpointDisabledError';
  }
}

/** An endpoint as the API and the admin page show it: never a secret. */
const viewColumns = (at: Date) => ({
  id: endpoints.id,
  url: endpoints.url,
  events: sql<WebhookType[]>`${endpoints.events}`,
  status: endpoints.status,
  disabled_reason: endpoints.disabledReason,
  /** While a rotated-out secret still signs too (24 h after a rotation), until when; else null. */
  previous_secret_expires_at: sql<Date | null>`case when ${endpoints.previousSecretExpiresAt} > ${at.toISOString()}::timestamptz
    then ${endpoints.previousSecretExpiresAt} end`.mapWith(endpoints.previousSecretExpiresAt),
  created_at: endpoints.createdAt,
  updated_at: endpoints.updatedAt,
});

async function assertUrlAllowed(ctx: EndpointContext, url: string): Promise<void> {
  const check = await checkWebhookUrl(url, { allowPrivate: ctx.allowPrivate, lookup: ctx.lookup });
  if (!check.ok) throw new WebhookEndpointInputError('url', `the URL ${check.reason}.`);
}

export function isEndpointId(id: string): boolean {
  return isUuid(id);
}

/** A new endpoint with a new secret; the secret is in the answer and nowhere else in clear. */
export async function createEndpoint(ctx: EndpointContext, input: CreateEndpointInput): Promise<WebhookEndpointWithSecret> {
  const data = createEndpointInput.parse(input);
  await assertUrlAllowed(ctx, data.url);
  const at = ctx.now ?? new Date();
  const secret = newWebhookSecret();
  const [row] = await ctx.db
    .insert(endpoints)
    .values({ url: data.url, events: data.events, secretEnc: encryptSecret(secret, ctx.keys), createdAt: at, updatedAt: at })
    .returning(viewColumns(at));
  return { ...row!, secret };
}

/** Every endpoint, oldest first; never a secret. */
export async function listEndpoints(db: Executor, at = new Date()) {
  return db.select(viewColumns(at)).from(endpoints).orderBy(endpoints.createdAt, endpoints.id);
}

export type WebhookEndpointView = Awaited<ReturnType<typeof listEndpoints>>[number];

export async function getEndpoint(db: Executor, id: string, at = new Date()): Promise<WebhookEndpointView | undefined> {
  if (!isEndpointId(id)) return undefined;
  const [row] = await db.select(viewColumns(at)).from(endpoints).where(eq(endpoints.id, id));
  return row;
}

/**
 * Changes url / events / status and rotates the secret (`rotate_secret`), in one statement. A rotation
 * keeps the old secret for 24 h: meanwhile every delivery carries both signatures. Enabling clears the
 * `failing` mark and the disabled reason; pending deliveries then resume in order. Undefined when no
 * such endpoint.
 */
export async function updateEndpoint(
  ctx: EndpointContext,
  id: string,
  input: UpdateEndpointInput,
): Promise<(WebhookEndpointView & { secret?: string }) | undefined> {
  if (!isEndpointId(id)) return undefined;
  const data = updateEndpointInput.parse(input);
  if (data.url !== undefined) await assertUrlAllowed(ctx, data.url);
  const at = ctx.now ?? new Date();
  const secret = data.rotate_secret ? newWebhookSecret() : undefined;
  const sets: Partial<Record<keyof typeof endpoints.$inferInsert, unknown>> = { updatedAt: at };
  if (data.url !== undefined) sets.url = data.url;
  if (data.events !== undefined) sets.events = data.events;
  if (data.status === 'active') Object.assign(sets, { status: 'active', disabledReason: null });
  if (data.status === 'disabled') {
    sets.status = 'disabled';
    sets.disabledReason = sql`case when ${endpoints.status} = 'disabled' then ${endpoints.disabledReason} else 'Disabled manually.' end`;
  }
  if (secret) {
    // Right-hand sides read the row as it was: the current secret becomes the previous one.
    sets.previousSecretEnc = sql`${endpoints.secretEnc}`;
    sets.secretEnc = encryptSecret(secret, ctx.keys);
    sets.previousSecretExpiresAt = new Date(at.getTime() + PREVIOUS_SECRET_TTL_MS);
  }
  const [row] = await ctx.db
    .update(endpoints)
    .set(sets as Partial<typeof endpoints.$inferInsert>)
    .where(eq(endpoints.id, id))
    .returning(viewColumns(at));
  if (!row) return undefined;
  return secret ? { ...row, secret } : row;
}

/** Deletes the endpoint and its deliveries. False when there was none. */
export async function deleteEndpoint(db: Executor, id: string): Promise<boolean> {
  if (!isEndpointId(id)) return false;
  const rows = await db.delete(endpoints).where(eq(endpoints.id, id)).returning({ id: endpoints.id });
  return rows.length > 0;
}

/**
 * Enqueues a `webhook.test` message for this endpoint only (whatever its event filter), sent by the
 * worker like any other. Its `data` has the usual fields (no connection: nulls) plus `endpoint_id`.
 * Returns the message id, or undefined when no such endpoint.
 */
export async function sendTestWebhook(db: Executor, id: string, at = new Date()): Promise<string | undefined> {
  if (!isEndpointId(id)) return undefined;
  return db.transaction(async (tx) => {
    const [endpoint] = await tx.select({ status: endpoints.status }).from(endpoints).where(eq(endpoints.id, id)).for('update');
    if (!endpoint) return undefined;
    if (endpoint.status === 'disabled') throw new WebhookEndpointDisabledError(id);
    const timestamp = at.toISOString();
    const payload = {
      type: 'webhook.test',
      timestamp,
      data: {
        connection_id: null,
        product: null,
        status: null,
        reason: null,
        user_email: null,
        sites: [],
        reconnect_url: null,
        renew_by: null,
        occurred_at: timestamp,
        endpoint_id: id,
        message: 'A test delivery from Reconnect: the endpoint is reachable and verifies signatures.',
      },
    };
    return enqueueWebhookMessage(tx, 'webhook.test', payload, null, id);
  });
}

/**
 * Sends a delivery again: back to pending, due now, with a fresh retry schedule (attempts 0). Not while
 * a worker holds it (in flight). False when no such delivery or it is in flight.
 */
export async function replayDelivery(db: Executor, deliveryId: string, at = new Date()): Promise<boolean> {
  const id = String(deliveryId);
  if (!/^[1-9]\d{0,17}$/.test(id)) return false;
  const d = webhookDeliveries;
  const rows = await db
    .update(d)
    .set({ status: 'pending', attempts: 0, nextAttemptAt: at, deliveredAt: null, leaseToken: null, updatedAt: at })
    .where(
      and(
        eq(d.id, sql<number>`${id}::bigint`),
        sql`not (${d.status} = 'pending' and ${d.leaseToken} is not null and ${d.nextAttemptAt} > ${at.toISOString()}::timestamptz)`,
      ),
    )
    .returning({ id: d.id });
  return rows.length > 0;
}

export interface DeliveryFilter {
  endpointId?: string;
  status?: DeliveryStatus;
  /** Deliveries with an id below this (keyset pagination, newest first). */
  before?: string;
  limit?: number;
}

/** Deliveries newest first, with their message type and connection; never a payload or secret. */
export async function listDeliveries(db: Executor, f: DeliveryFilter = {}) {
  const limit = Math.min(Math.max(f.limit ?? 50, 1), 200);
  if (f.endpointId !== undefined && !isEndpointId(f.endpointId)) return [];
  const d = webhookDeliveries;
  const conditions: (SQL | undefined)[] = [
    f.endpointId ? eq(d.endpointId, f.endpointId) : undefined,
    f.status ? eq(d.status, f.status) : undefined,
    f.before && /^\d{1,18}$/.test(f.before) ? lt(d.id, sql<number>`${f.before}::bigint`) : undefined,
  ];
  return db
    .select({
      /** A bigint, as a string. */
      id: sql<string>`${d.id}::text`,
      message_id: d.messageId,
      endpoint_id: d.endpointId,
      endpoint_url: endpoints.url,
      type: webhookMessages.type,
      connection_id: webhookMessages.connectionId,
      status: d.status,
      attempts: d.attempts,
      last_response_code: d.lastResponseCode,
      last_error: d.lastError,
      next_attempt_at: sql<Date | null>`case when ${d.status} = 'pending' then ${d.nextAttemptAt} end`.mapWith(d.nextAttemptAt),
      delivered_at: d.deliveredAt,
      created_at: d.createdAt,
      updated_at: d.updatedAt,
    })
    .from(d)
    .innerJoin(webhookMessages, eq(webhookMessages.id, d.messageId))
    .innerJoin(endpoints, eq(endpoints.id, d.endpointId))
    .where(and(...conditions))
    .orderBy(desc(d.id))
    .limit(limit);
}

export type DeliveryView = Awaited<ReturnType<typeof listDeliveries>>[number];
