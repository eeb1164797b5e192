// The OpenAPI 3.1 document of /api/v1, generated from the zod schemas of lib/api/schemas.ts.
// Served at GET /api/v1/openapi.json and written to docs/openapi.json by `npm run openapi`.
import { OpenAPIRegistry, OpenApiGeneratorV31, type ResponseConfig, type RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';
import * as s from './schemas';

type Responses = RouteConfig['responses'];

const json = (schema: z.ZodType, description: string, headers?: ResponseConfig['headers']): ResponseConfig => ({
  description,
  content: { 'application/json': { schema } },
  ...(headers ? { headers } : {}),
});

const retryAfter = { 'Retry-After': { description: 'Seconds to wait before retrying.', schema: { type: 'integer' as const } } };

const AUTH_ERRORS: Responses = {
  401: json(s.unauthorizedErrorSchema, 'Missing, invalid or revoked API key (`unauthorized`).', {
    'WWW-Authenticate': { description: '`Bearer realm="reconnect"`', schema: { type: 'string' } },
  }),
  429: json(s.rateLimitedErrorSchema, 'Too many wrong API keys from this client or from all clients (`rate_limited`).', retryAfter),
  500: json(s.internalErrorSchema, 'Unexpected failure (`internal_error`).'),
  503: json(s.unavailableErrorSchema, 'The database is restarting or unreachable (`database_unavailable`); nothing changed. Retry after `Retry-After`.', retryAfter),
};
const BODY_ERRORS: Responses = {
  400: json(s.validationErrorSchema, 'Bad JSON or a bad field (`invalid_request`, the field in `field`).'),
  413: json(s.payloadTooLargeErrorSchema, 'Body over 64 KiB (`payload_too_large`).'),
  415: json(s.unsupportedMediaTypeErrorSchema, 'Body not sent as JSON (`unsupported_media_type`).'),
};
const NOT_FOUND: Responses = { 404: json(s.notFoundErrorSchema, 'No such connection, or it is disconnected (`not_found`).') };
const TOKEN_ERRORS: Responses = {
  409: json(s.needsReauthErrorSchema, 'The connection needs the user to reconnect (`needs_reauth`, with `reason` and `reconnect_url`).'),
  503: json(
    s.unavailableErrorSchema,
    '`temporarily_unavailable`: Atlassian failed transiently (retry after `Retry-After`); `configuration_error`: the app credentials were refused; `database_unavailable`: the database is restarting or unreachable (retry after `Retry-After`).',
    retryAfter,
  ),
};

const jsonBody = (schema: z.ZodType, required = true) => ({ required, content: { 'application/json': { schema } } });

const PROXY_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Every documented operation, in reading order: the reference page and the route check walk this list. */
export function registerOperations(registry: OpenAPIRegistry): void {
  registry.registerComponent('securitySchemes', 'apiKey', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API key (`rk_live_…`), created with `npm run cli -- api-key create --name NAME` or on /admin/api-keys.',
  });

  registry.registerPath({
    method: 'get',
    path: '/api/v1/connections',
    operationId: 'listConnections',
    tags: ['Connections'],
    summary: 'List connections',
    description: 'Connections with their health and sites (never a token), oldest first, with cursor pagination.',
    request: { query: s.listConnectionsQuery },
    responses: { 200: json(s.connectionListSchema, 'A page of connections.'), 400: json(s.validationErrorSchema, 'A bad query parameter (`invalid_request`).'), ...AUTH_ERRORS },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/connections/{id}',
    operationId: 'getConnection',
    tags: ['Connections'],
    summary: 'Get a connection',
    description: 'One connection with its health and sites.',
    request: { params: s.connectionIdParams },
    responses: { 200: json(s.connectionSchema, 'The connection.'), ...NOT_FOUND, ...AUTH_ERRORS },
  });
  registry.registerPath({
    method: 'delete',
    path: '/api/v1/connections/{id}',
    operationId: 'deleteConnection',
    tags: ['Connections'],
    summary: 'Disconnect a connection',
    description: 'Marks the connection `disconnected`, drops its tokens and sends `connection.deleted`.',
    request: { params: s.connectionIdParams },
    responses: { 204: { description: 'Disconnected.' }, ...NOT_FOUND, ...AUTH_ERRORS },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/connections/{id}/access-token',
    operationId: 'getAccessToken',
    tags: ['Tokens'],
    summary: 'Get a fresh access token',
    description:
      'Returns an access token valid for at least `min_validity_seconds`, refreshing it first when needed (one refresh per connection at a time). After a 401 from Atlassian, call again with the token as `rejected_token`.',
    request: { params: s.connectionIdParams, body: jsonBody(s.accessTokenRequest, false) },
    responses: { 200: json(s.accessTokenSchema, 'A token and the sites it covers.'), ...BODY_ERRORS, ...NOT_FOUND, ...TOKEN_ERRORS, ...AUTH_ERRORS },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/connections/{id}/test',
    operationId: 'testConnection',
    tags: ['Connections'],
    summary: 'Test a connection',
    description: "Calls the product's identity endpoint with the connection's token and records the result on its timeline.",
    request: { params: s.connectionIdParams },
    responses: { 200: json(s.connectionTestSchema, 'The test result (a failed test is still a 200, with `ok: false`).'), ...NOT_FOUND, ...AUTH_ERRORS },
  });
  for (const method of PROXY_METHODS) {
    registry.registerPath({
      method,
      path: '/api/v1/connections/{id}/proxy/{cloud_id}/{path}',
      operationId: `proxy${method[0]!.toUpperCase()}${method.slice(1)}`,
      tags: ['Proxy'],
      summary: `Call Atlassian through the proxy (${method.toUpperCase()})`,
      description:
        "Forwards to `{API}/ex/{product}/{cloud_id}/{path}` with a valid token; on a 401 refreshes once (with `rejected_token`) and retries once. The provider's status, headers and body are passed through. `path` may hold several segments (`rest/api/3/myself`); the query string is forwarded. For a Bitbucket connection everything after `/proxy/` is the path under `{BB_API}`: `…/proxy/2.0/user`.",
      request: {
        params: z.object({
          id: z.uuid(),
          cloud_id: z.string().meta({ description: 'A site the connection covers (Bitbucket: the first segment of the path under `{BB_API}`, e.g. `2.0`).' }),
          path: z.string().meta({ description: 'The API path under the product, slashes included.', example: 'rest/api/3/myself' }),
        }),
        ...(method === 'get' || method === 'delete' ? {} : { body: { required: false, content: { '*/*': { schema: z.unknown() } } } }),
      },
      responses: {
        200: { description: "Atlassian's answer, passed through (any status: 2xx, 4xx, 5xx).", content: { '*/*': { schema: z.unknown() } } },
        400: json(s.validationErrorSchema, 'The path escapes the product prefix (`invalid_request`, field `path`).'),
        404: json(s.notFoundErrorSchema, 'No such connection (`not_found`), or it does not cover this cloud id (`site_not_found`).'),
        413: json(s.payloadTooLargeErrorSchema, 'Body over 10 MiB (`payload_too_large`).'),
        ...TOKEN_ERRORS,
        502: json(s.upstreamErrorSchema, 'Atlassian could not be reached (`upstream_unavailable`).', retryAfter),
        ...AUTH_ERRORS,
      },
    });
  }
  registry.registerPath({
    method: 'post',
    path: '/api/v1/connect-sessions',
    operationId: 'createConnectSession',
    tags: ['Connect sessions'],
    summary: 'Create a connect link',
    description: 'A single-use link (30 minutes) that starts the consent flow for a user and product, or reconnects a connection. The user signs in first if needed.',
    request: { body: jsonBody(s.connectSessionRequest) },
    responses: {
      201: json(s.connectSessionSchema, 'The link.'),
      ...BODY_ERRORS,
      400: json(s.connectSessionErrorSchema, 'Bad JSON or a bad field (`invalid_request`, the field in `field`), or a product whose app is not configured (`product_not_configured`, field `product`).'),
      404: json(s.notFoundErrorSchema, '`connection_id` names no live connection (`not_found`, field `connection_id`).'),
      ...AUTH_ERRORS,
    },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/webhook-endpoints',
    operationId: 'listWebhookEndpoints',
    tags: ['Webhook endpoints'],
    summary: 'List webhook endpoints',
    description: 'Every endpoint, oldest first; never a secret.',
    responses: { 200: json(s.webhookEndpointListSchema, 'The endpoints.'), ...AUTH_ERRORS },
  });
  registry.registerPath({
    method: 'post',
    path: '/api/v1/webhook-endpoints',
    operationId: 'createWebhookEndpoint',
    tags: ['Webhook endpoints'],
    summary: 'Create a webhook endpoint',
    description: 'The URL is checked against private, loopback and link-local targets (unless `WEBHOOK_ALLOW_PRIVATE=true`). The secret is in this answer only.',
    request: { body: jsonBody(s.createWebhookEndpointRequest) },
    responses: { 201: json(s.webhookEndpointWithSecretSchema, 'The endpoint and its secret.'), ...BODY_ERRORS, ...AUTH_ERRORS },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/webhook-endpoints/{id}',
    operationId: 'getWebhookEndpoint',
    tags: ['Webhook endpoints'],
    summary: 'Get a webhook endpoint',
    request: { params: s.endpointIdParams },
    responses: { 200: json(s.webhookEndpointSchema, 'The endpoint (no secret).'), 404: json(s.notFoundErrorSchema, 'No such endpoint (`not_found`).'), ...AUTH_ERRORS },
  });
  registry.registerPath({
    method: 'patch',
    path: '/api/v1/webhook-endpoints/{id}',
    operationId: 'updateWebhookEndpoint',
    tags: ['Webhook endpoints'],
    summary: 'Update a webhook endpoint',
    description: 'Change its URL, events or status, or rotate its secret.',
    request: { params: s.endpointIdParams, body: jsonBody(s.updateWebhookEndpointRequest) },
    responses: {
      200: json(s.webhookEndpointUpdatedSchema, 'The endpoint; `secret` only when rotated.'),
      ...BODY_ERRORS,
      404: json(s.notFoundErrorSchema, 'No such endpoint (`not_found`).'),
      ...AUTH_ERRORS,
    },
  });
  registry.registerPath({
    method: 'delete',
    path: '/api/v1/webhook-endpoints/{id}',
    operationId: 'deleteWebhookEndpoint',
    tags: ['Webhook endpoints'],
    summary: 'Delete a webhook endpoint',
    description: 'The endpoint and its deliveries are deleted.',
    request: { params: s.endpointIdParams },
    responses: { 204: { description: 'Deleted.' }, 404: json(s.notFoundErrorSchema, 'No such endpoint (`not_found`).'), ...AUTH_ERRORS },
  });
  registry.registerPath({
    method: 'get',
    path: '/api/v1/openapi.json',
    operationId: 'getOpenApiDocument',
    tags: ['Meta'],
    summary: 'This document',
    description: 'The OpenAPI 3.1 document of the service API, generated from the code. No API key needed.',
    security: [],
    responses: { 200: { description: 'The document.', content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } } } },
  });
}

const DESCRIPTION = `The service API of Reconnect: fresh Atlassian access tokens, a proxy to Atlassian's API, connection health and connect links for backend services.

Authenticate with an API key: \`Authorization: Bearer rk_live_…\`. JSON in and out. Every error is \`{"error": {"code": "...", "message": "...", ...}}\`; match on \`code\`.

Webhooks follow Standard Webhooks (\`webhook-id\`, \`webhook-timestamp\`, \`webhook-signature\` headers); their body is the \`WebhookEvent\` schema.`;

export function buildOpenApiDocument() {
  const registry = new OpenAPIRegistry();
  registerOperations(registry);
  // WebhookEvent is referenced by no operation: listed on its own so that it lands in components.
  return new OpenApiGeneratorV31([...registry.definitions, { type: 'schema' as const, schema: s.webhookEventSchema }]).generateDocument({
    openapi: '3.1.0',
    info: { title: 'Reconnect service API', version: '1', description: DESCRIPTION },
    security: [{ apiKey: [] }],
    tags: [
      { name: 'Tokens', description: 'Fresh access tokens for calling Atlassian directly.' },
      { name: 'Proxy', description: 'Call Atlassian through Reconnect, which refreshes and retries for you.' },
      { name: 'Connections', description: 'Connection health.' },
      { name: 'Connect sessions', description: 'Links that connect or reconnect a user.' },
      { name: 'Webhook endpoints', description: 'Where Reconnect sends its signed webhooks.' },
      { name: 'Meta', description: 'About the API itself.' },
    ],
  });
}

export type OpenApiDocument = ReturnType<typeof buildOpenApiDocument>;

/** The document as written to docs/openapi.json (stable formatting, trailing newline). */
export const openApiText = () => `${JSON.stringify(buildOpenApiDocument(), null, 2)}\n`;
