// Webhook endpoints: a consumer URL, its signing secret (encrypted at rest, shown on creation and
// rotation only) and the message types it subscribes to. Used by the service API and the admin page.
import type { Sql } from 'postgres';
import { z } from 'zod';
import { encryptSecret, type KeyRing } from '../tokens/crypto';
import { enqueueMessage, WEBHOOK_TYPES, type WebhookType } from './outbox';
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
  sql: Sql;
  keys: KeyRing;
  /** WEBHOOK_ALLOW_PRIVATE: accept private, loopback and link-local targets. */
  allowPrivate: boolean;
  now?: Date;
  /** Host resolution for the SSRF check (default node:dns). */
  lookup?: HostLookup;
}

export interface WebhookEndpointView {
  id: string;
  url: string;
  events: WebhookType[];
  status: EndpointStatus;
  disabled_reason: string | null;
  /** While a rotated-out secret still signs too (24 h after a rotation), until when; else null. */
  previous_secret_expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
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

type EndpointRow = WebhookEndpointView;

const VIEW_COLUMNS = (sql: Sql, at: Date) => sql`id, url, events, status, disabled_reason, created_at, updated_at,
  case when previous_secret_expires_at > ${at} then previous_secret_expires_at end as previous_secret_expires_at`;

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
  const [row] = await ctx.sql<EndpointRow[]>`
    insert into webhook_endpoints (url, events, secret_enc, created_at, updated_at)
    values (${data.url}, ${data.events}, ${encryptSecret(secret, ctx.keys)}, ${at}, ${at})
    returning ${VIEW_COLUMNS(ctx.sql, at)}`;
  return { ...row, secret };
}

/** Every endpoint, oldest first; never a secret. */
export async function listEndpoints(sql: Sql, at = new Date()): Promise<WebhookEndpointView[]> {
  return sql<EndpointRow[]>`select ${VIEW_COLUMNS(sql, at)} from webhook_endpoints order by created_at, id`;
}

export async function getEndpoint(sql: Sql, id: string, at = new Date()): Promise<WebhookEndpointView | undefined> {
  if (!isEndpointId(id)) return undefined;
  const [row] = await sql<EndpointRow[]>`select ${VIEW_COLUMNS(sql, at)} from webhook_endpoints where id = ${id}`;
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
  const { sql } = ctx;
  const secret = data.rotate_secret ? newWebhookSecret() : undefined;
  const sets = [sql`updated_at = ${at}`];
  if (data.url !== undefined) sets.push(sql`url = ${data.url}`);
  if (data.events !== undefined) sets.push(sql`events = ${data.events}`);
  if (data.status === 'active') sets.push(sql`status = 'active'`, sql`disabled_reason = null`);
  if (data.status === 'disabled') {
    sets.push(sql`status = 'disabled'`, sql`disabled_reason = case when status = 'disabled' then disabled_reason else 'Disabled manually.' end`);
  }
  if (secret) {
    // Right-hand sides read the row as it was: the current secret becomes the previous one.
    sets.push(
      sql`previous_secret_enc = secret_enc`,
      sql`secret_enc = ${encryptSecret(secret, ctx.keys)}`,
      sql`previous_secret_expires_at = ${new Date(at.getTime() + PREVIOUS_SECRET_TTL_MS)}`,
    );
  }
  const assignments = sets.reduce((all, s) => sql`${all}, ${s}`);
  const [row] = await sql<EndpointRow[]>`
    update webhook_endpoints set ${assignments} where id = ${id} returning ${VIEW_COLUMNS(sql, at)}`;
  if (!row) return undefined;
  return secret ? { ...row, secret } : row;
}

/** Deletes the endpoint and its deliveries. False when there was none. */
export async function deleteEndpoint(sql: Sql, id: string): Promise<boolean> {
  if (!isEndpointId(id)) return false;
  const rows = await sql`delete from webhook_endpoints where id = ${id} returning 1`;
  return rows.length > 0;
}

/**
 * Enqueues a `webhook.test` message for this endpoint only (whatever its event filter), sent by the
 * worker like any other. Its `data` has the usual fields (no connection: nulls) plus `endpoint_id`.
 * Returns the message id, or undefined when no such endpoint.
 */
export async function sendTestWebhook(sql: Sql, id: string, at = new Date()): Promise<string | undefined> {
  if (!isEndpointId(id)) return undefined;
  return sql.begin(async (tx) => {
    const [endpoint] = await tx<{ status: EndpointStatus }[]>`select status from webhook_endpoints where id = ${id} for update`;
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
        occurred_at: timestamp,
        endpoint_id: id,
        message: 'A test delivery from Reconnect: the endpoint is reachable and verifies signatures.',
      },
    };
    return enqueueMessage(tx, 'webhook.test', payload, null, id);
  });
}

/**
 * Sends a delivery again: back to pending, due now, with a fresh retry schedule (attempts 0). Not while
 * a worker holds it (in flight). False when no such delivery or it is in flight.
 */
export async function replayDelivery(sql: Sql, deliveryId: string, at = new Date()): Promise<boolean> {
  const id = String(deliveryId);
  if (!/^[1-9]\d{0,17}$/.test(id)) return false;
  const rows = await sql`
    update webhook_deliveries set status = 'pending', attempts = 0, next_attempt_at = ${at}, delivered_at = null,
      lease_token = null, updated_at = ${at}
    where id = ${id} and not (status = 'pending' and lease_token is not null and next_attempt_at > ${at})
    returning 1`;
  return rows.length > 0;
}

export interface DeliveryView {
  /** A bigint, as a string. */
  id: string;
  message_id: string;
  endpoint_id: string;
  endpoint_url: string;
  type: string;
  connection_id: string | null;
  status: DeliveryStatus;
  attempts: number;
  last_response_code: number | null;
  last_error: string | null;
  next_attempt_at: Date | null;
  delivered_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

export interface DeliveryFilter {
  endpointId?: string;
  status?: DeliveryStatus;
  /** Deliveries with an id below this (keyset pagination, newest first). */
  before?: string;
  limit?: number;
}

/** Deliveries newest first, with their message type and connection; never a payload or secret. */
export async function listDeliveries(sql: Sql, f: DeliveryFilter = {}): Promise<DeliveryView[]> {
  const limit = Math.min(Math.max(f.limit ?? 50, 1), 200);
  if (f.endpointId !== undefined && !isEndpointId(f.endpointId)) return [];
  return sql<DeliveryView[]>`
    select d.id::text as id, d.message_id, d.endpoint_id, e.url as endpoint_url, m.type, m.connection_id, d.status,
      d.attempts, d.last_response_code, d.last_error,
      case when d.status = 'pending' then d.next_attempt_at end as next_attempt_at,
      d.delivered_at, d.created_at, d.updated_at
    from webhook_deliveries d
      join webhook_messages m on m.id = d.message_id
      join webhook_endpoints e on e.id = d.endpoint_id
    where true
      ${f.endpointId ? sql`and d.endpoint_id = ${f.endpointId}` : sql``}
      ${f.status ? sql`and d.status = ${f.status}` : sql``}
      ${f.before && /^\d{1,18}$/.test(f.before) ? sql`and d.id < ${f.before}::bigint` : sql``}
    order by d.id desc
    limit ${limit}`;
}
