// The service API's shapes, in one place: the zod schemas that validate each /api/v1 request and
// describe each answer. lib/api/openapi.ts turns them into the OpenAPI document; routes import them.
import { z } from 'zod';
import { PUBLIC_PRODUCTS } from '../providers/registry';
import { connectSessionInput } from '../connect-sessions';
import { CONNECTION_STATUSES } from '../db/schema';
import { normalizeEmail } from '../users';
import { createEndpointInput, ENDPOINT_STATUSES, updateEndpointInput } from '../webhooks/endpoints';
import { WEBHOOK_TYPES } from '../webhooks/outbox';

// ---- Enums (the product list is lib/providers/registry.ts: a provider registered there adds its products here) ----

export const productSchema = z.enum(PUBLIC_PRODUCTS).meta({ id: 'Product',  description: 'The product of a connection: Jira and Confluence through Atlassian\'s 3LO app, Bitbucket through its OAuth consumer.' });
export const connectionStatusSchema = z.enum(CONNECTION_STATUSES).meta({ id: 'ConnectionStatus', 
  description:
    '`active`: refreshes work. `degraded`: a transient refresh failure, retried with backoff. `needs_reauth`: only a new consent fixes it. `error`: operator problem (app credentials). `disconnected`: removed.',
});
export const NEEDS_REAUTH_REASONS = ['revoked', 'inactivity_expired', 'scope_mismatch', 'token_lost'] as const;
export const webhookTypeSchema = z.enum(WEBHOOK_TYPES).meta({ id: 'WebhookEventType' });

const timestamp = z.iso.datetime({ offset: true });
const uuid = z.uuid();

// ---- Requests ----

export const connectionIdParams = z.object({ id: uuid.meta({ description: 'The connection id.' }) });
export const endpointIdParams = z.object({ id: uuid.meta({ description: 'The webhook endpoint id.' }) });

export const listConnectionsQuery = z
  .strictObject({
    status: connectionStatusSchema.optional().meta({ description: 'Only connections in this status (default: every status but `disconnected`).' }),
    product: productSchema.optional(),
    user_email: z.email().transform(normalizeEmail).optional().meta({ description: "Only this user's connections." }),
    renew_before: timestamp
      .optional()
      .meta({ description: 'ISO time: only connections whose `renew_by` is before it (what must be renewed by then). Connections without a `renew_by` (Bitbucket) are left out.' }),
    cursor: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,200}$/, 'not a cursor from a previous page')
      .optional()
      .meta({ description: '`next_cursor` of the previous page.' }),
    limit: z.coerce.number().int().min(1).max(200).default(50).meta({ description: 'Page size, 1 to 200.' }),
  })
  .meta({ id: 'ListConnectionsQuery' });
export type ListConnectionsQuery = z.infer<typeof listConnectionsQuery>;

export const accessTokenRequest = z
  .strictObject({
    min_validity_seconds: z.number().int().min(0).max(3600).optional().meta({
      description: 'The token stays valid at least this long (default 60). A stored token expiring sooner is refreshed first.',
    }),
    rejected_token: z.string().min(1).max(20_000).optional().meta({
      description:
        'A token that just got a 401 from Atlassian. The stored token is refreshed only if it is still this one; a newer stored token is returned as it is.',
    }),
  })
  .meta({ id: 'AccessTokenRequest',  description: 'May be sent empty (no body): defaults apply.' });
export type AccessTokenRequest = z.infer<typeof accessTokenRequest>;

export const connectSessionRequest = connectSessionInput.meta({ id: 'ConnectSessionRequest', 
  description: '`{user_email, product}` starts a new connection for that user; `{connection_id}` reconnects that connection. Exactly one of the two shapes.',
});
export const createWebhookEndpointRequest = createEndpointInput.meta({ id: 'CreateWebhookEndpointRequest' });
export const updateWebhookEndpointRequest = updateEndpointInput.meta({ id: 'UpdateWebhookEndpointRequest', 
  description: '`rotate_secret: true` issues a new secret (in the answer); the old one keeps signing alongside for 24 hours.',
});

// ---- Answers ----

export const siteSchema = z
  .object({
    cloud_id: z.string().meta({ description: 'The Atlassian cloud id of the site; for Bitbucket, the workspace uuid (`{…}`).' }),
    name: z.string(),
    url: z.url(),
  })
  .meta({ id: 'Site' });

/** The service API's connection object (docs/service-api.md): health and sites, never a token. */
export const connectionSchema = z
  .object({
    id: uuid,
    product: productSchema,
    status: connectionStatusSchema,
    reason: z.string().nullable().meta({ description: 'Why the connection is not `active` (for `needs_reauth`: `revoked`, `inactivity_expired`, `consent_expired`, `scope_mismatch` or `token_lost`), else null.' }),
    user_email: z.email(),
    account_id: z.string().nullable().meta({ description: 'The Atlassian account id of the grant.' }),
    scopes: z.array(z.string()),
    sites: z.array(siteSchema),
    access_expires_at: timestamp.nullable(),
    last_refreshed_at: timestamp.nullable(),
    last_used_at: timestamp.nullable(),
    consecutive_failures: z.number().int(),
    consented_at: timestamp.nullable().meta({ description: 'When the consent that started the current token family was exchanged (connect, reconnect, renew). A refresh never changes it.' }),
    renew_by: timestamp.nullable().meta({ description: '`consented_at` plus the provider\'s absolute lifetime (Atlassian: 365 days): the family ends then, however often it is refreshed, and only a renewal (a new consent) continues it. null for Bitbucket, which documents no such limit.' }),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'Connection' });
export type ConnectionJson = z.infer<typeof connectionSchema>;

export const connectionListSchema = z
  .object({
    data: z.array(connectionSchema),
    next_cursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next page; null on the last page.' }),
  })
  .meta({ id: 'ConnectionList' });

export const accessTokenSiteSchema = siteSchema
  .extend({
    api_base_url: z.url().meta({ description: 'Base URL for this site\'s API calls: `{API}/ex/{product}/{cloud_id}`; for Bitbucket, the workspace\'s repositories `{BB_API}/2.0/repositories/{workspace uuid}`.' }),
  })
  .meta({ id: 'AccessTokenSite' });

export const accessTokenSchema = z
  .object({
    access_token: z.string().meta({ description: 'Send it as `Authorization: Bearer …` to Atlassian. Treat it as opaque.' }),
    expires_at: timestamp,
    token_type: z.literal('Bearer'),
    sites: z.array(accessTokenSiteSchema),
  })
  .meta({ id: 'AccessToken' });
export type AccessTokenJson = z.infer<typeof accessTokenSchema>;

export const connectionTestSchema = z
  .object({
    ok: z.boolean().meta({ description: "Whether the product's identity endpoint answered with the connection's token." }),
    message: z.string(),
  })
  .meta({ id: 'ConnectionTestResult' });
export type ConnectionTestJson = z.infer<typeof connectionTestSchema>;

export const connectSessionSchema = z
  .object({
    url: z.url().meta({ description: 'A single-use link to send the user to: it starts the consent flow.' }),
    expires_at: timestamp,
  })
  .meta({ id: 'ConnectSession' });
export type ConnectSessionJson = z.infer<typeof connectSessionSchema>;

export const webhookEndpointSchema = z
  .object({
    id: uuid,
    url: z.string(),
    events: z.array(webhookTypeSchema),
    status: z.enum(ENDPOINT_STATUSES).meta({ description: '`failing` after persistent delivery failures; `disabled` by hand or after a 410.' }),
    disabled_reason: z.string().nullable(),
    previous_secret_expires_at: timestamp.nullable().meta({ description: 'After a rotation, until when the previous secret still signs too.' }),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'WebhookEndpoint' });

export const webhookEndpointWithSecretSchema = webhookEndpointSchema
  .extend({
    secret: z.string().regex(/^whsec_/).meta({ description: 'The signing secret (`whsec_…`): shown on creation and rotation only.' }),
  })
  .meta({ id: 'WebhookEndpointWithSecret' });

export const webhookEndpointUpdatedSchema = webhookEndpointSchema
  .extend({ secret: z.string().regex(/^whsec_/).optional().meta({ description: 'Present only when `rotate_secret` was sent.' }) })
  .meta({ id: 'WebhookEndpointUpdated' });

export const webhookEndpointListSchema = z
  .object({ data: z.array(webhookEndpointSchema), next_cursor: z.null() })
  .meta({ id: 'WebhookEndpointList' });

// ---- Errors: {"error": {"code", "message", ...}} ----

const errorBody = <C extends readonly [string, ...string[]], E extends z.ZodRawShape>(name: string, codes: C, extra: E, description: string) =>
  z
    .object({
      error: z.object({ code: z.enum(codes), message: z.string().meta({ description: 'A sentence for people; match on `code`.' }), ...extra }),
    })
    .meta({ id: name,  description });

export const validationErrorSchema = errorBody(
  'ValidationError',
  ['invalid_request'],
  { field: z.string().optional().meta({ description: 'The first bad field or query parameter, e.g. `min_validity_seconds`.' }) },
  'Bad input: the field is named in `field` and in the message. Nothing was written.',
);
export const connectSessionErrorSchema = errorBody(
  'ConnectSessionError',
  ['invalid_request', 'product_not_configured'],
  { field: z.string().optional().meta({ description: 'The first bad field, e.g. `user_email` or `product`.' }) },
  '`invalid_request`: bad input, the field is named. `product_not_configured`: the product\'s OAuth app (Atlassian 3LO app or Bitbucket consumer) has no credentials on this server. Nothing was written.',
);
export const unauthorizedErrorSchema = errorBody('UnauthorizedError', ['unauthorized'], {}, 'The API key is missing, invalid or revoked.');
export const notFoundErrorSchema = errorBody(
  'NotFoundError',
  ['not_found', 'site_not_found'],
  { field: z.string().optional() },
  '`not_found`: no such connection (or endpoint), or it is disconnected. `site_not_found`: the connection does not cover that cloud id.',
);
export const needsReauthErrorSchema = errorBody(
  'NeedsReauthError',
  ['needs_reauth'],
  {
    reason: z.enum(NEEDS_REAUTH_REASONS).nullable().meta({
      description:
        '`revoked`: the user revoked the app or changed password (invalid_grant / unauthorized_client). `inactivity_expired`: 90 days unused. `scope_mismatch`: the grant lacks a needed scope. `token_lost`: a refresh outcome was unknown and the old token was then refused.',
    }),
    reconnect_url: z.url().meta({ description: 'An absolute, single-use link (30 minutes) that reconnects this connection: send the user there.' }),
  },
  'Only a new consent by the user fixes the connection. Do not retry: send the user to `reconnect_url`, then wait for `connection.reconnected`.',
);
export const unavailableErrorSchema = errorBody(
  'UnavailableError',
  ['temporarily_unavailable', 'configuration_error', 'database_unavailable'],
  { reason: z.string().nullable().optional().meta({ description: 'e.g. `timeout`, `server_error`, `rate_limited`, `network`; `invalid_client` for configuration_error.' }) },
  '`temporarily_unavailable`: Atlassian failed transiently; retry after `Retry-After` seconds. `configuration_error`: Atlassian refused the app credentials; an admin must fix them. `database_unavailable`: Reconnect\'s database is restarting or unreachable; nothing changed; retry after `Retry-After` seconds.',
);
export const rateLimitedErrorSchema = errorBody('RateLimitedError', ['rate_limited'], {}, 'Too many requests with a wrong API key from this client (or from all clients); retry after `Retry-After` seconds.');
export const payloadTooLargeErrorSchema = errorBody('PayloadTooLargeError', ['payload_too_large'], {}, 'The request body is over the limit (64 KiB; 10 MiB through the proxy).');
export const unsupportedMediaTypeErrorSchema = errorBody('UnsupportedMediaTypeError', ['unsupported_media_type'], {}, 'Send JSON with `Content-Type: application/json`.');
export const upstreamErrorSchema = errorBody('UpstreamUnavailableError', ['upstream_unavailable'], {}, 'The product API could not be reached through the proxy; retry after `Retry-After` seconds.');
export const internalErrorSchema = errorBody('InternalError', ['internal_error'], {}, 'An unexpected failure; nothing is known to have changed. Retry.');

/** Every error code the API answers with. */
export const ERROR_CODES = [
  validationErrorSchema,
  connectSessionErrorSchema,
  unauthorizedErrorSchema,
  notFoundErrorSchema,
  needsReauthErrorSchema,
  unavailableErrorSchema,
  rateLimitedErrorSchema,
  payloadTooLargeErrorSchema,
  unsupportedMediaTypeErrorSchema,
  upstreamErrorSchema,
  internalErrorSchema,
].flatMap((s) => s.shape.error.shape.code.options);

// ---- Webhooks (Standard Webhooks; the body of every delivery) ----

export const webhookEventSchema = z
  .object({
    type: webhookTypeSchema,
    timestamp,
    data: z.object({
      connection_id: uuid.nullable().meta({ description: 'null for `webhook.test`.' }),
      // Inline enums: a registered (referenced) schema would lose its null in the generated document.
      product: z.enum(PUBLIC_PRODUCTS).nullable(),
      status: z.enum(CONNECTION_STATUSES).nullable(),
      reason: z.string().nullable(),
      user_email: z.email().nullable(),
      sites: z.array(siteSchema),
      reconnect_url: z.url().nullable().meta({
        description:
          '`connection.needs_reauth` and `connection.expiring`: an absolute, single-use link that reconnects this connection (the one kind of link the owner\'s mail and the API\'s 409 also give), valid 7 days (`connection.expiring`: until `renew_by`); only the connection\'s owner can use it. null for the other types.',
      }),
      renew_by: timestamp.nullable().meta({ description: 'When the provider ends the connection\'s token family (its consent time plus the absolute lifetime: 365 days for Atlassian); renew before it. null for Bitbucket and `webhook.test`. `connection.expiring` fires once per family when this comes within `RENEW_WARNING_DAYS`.' }),
      occurred_at: timestamp,
      endpoint_id: uuid.optional().meta({ description: '`webhook.test` only: the endpoint tested.' }),
      message: z.string().optional().meta({ description: '`webhook.test` only.' }),
    }),
  })
  .meta({ id: 'WebhookEvent',  description: 'The JSON body of every webhook delivery. Never carries a token.' });
export type WebhookEventJson = z.infer<typeof webhookEventSchema>;
