import { apiError, apiJson, parseJsonBody, withApiKey } from '@/lib/api/http';
import { getConfig } from '@/lib/config';
import { getDb } from '@/lib/db';
import { createWebhookEndpointRequest } from '@/lib/api/schemas';
import { createEndpoint, listEndpoints, WebhookEndpointInputError } from '@/lib/webhooks/endpoints';

export const dynamic = 'force-dynamic';

// GET → {data: [endpoint…], next_cursor: null}; never a secret.
export const GET = withApiKey(async () => apiJson({ data: await listEndpoints(getDb()), next_cursor: null }));

// POST {url, events:[type…]} → 201 {id, url, events, secret, …}: the secret is shown here and on rotation only.
export const POST = withApiKey(async (request) => {
  const body = await parseJsonBody(request, createWebhookEndpointRequest);
  if (body instanceof Response) return body;
  const config = getConfig();
  try {
    const endpoint = await createEndpoint({ db: getDb(), keys: config.encryptionKeys, allowPrivate: config.webhookAllowPrivate }, body);
    return apiJson(endpoint, 201);
  } catch (err) {
    if (err instanceof WebhookEndpointInputError) return apiError(400, 'invalid_request', err.message, { field: err.field });
    throw err;
  }
});
