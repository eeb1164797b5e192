import { apiError, apiJson, parseJsonBody, withApiKey } from '@/lib/api/http';
import { getConfig } from '@/lib/config';
import { getDb } from '@/lib/db';
import { updateWebhookEndpointRequest } from '@/lib/api/schemas';
import { deleteEndpoint, getEndpoint, updateEndpoint, WebhookEndpointInputError } from '@/lib/webhooks/endpoints';

export const dynamic = 'force-dynamic';

interface Context {
  params: Promise<{ id: string }>;
}

const notFound = (id: string) => apiError(404, 'not_found', `No webhook endpoint ${id}.`);

export const GET = withApiKey(async (_request, { params }: Context) => {
  const { id } = await params;
  const endpoint = await getEndpoint(getDb(), id);
  return endpoint ? apiJson(endpoint) : notFound(id);
});

// PATCH {url?, events?, status?: 'active'|'disabled', rotate_secret?: true} → the endpoint; `secret` only when rotated.
export const PATCH = withApiKey(async (request, { params }: Context) => {
  const { id } = await params;
  const body = await parseJsonBody(request, updateWebhookEndpointRequest);
  if (body instanceof Response) return body;
  const config = getConfig();
  try {
    const endpoint = await updateEndpoint({ db: getDb(), keys: config.encryptionKeys, allowPrivate: config.webhookAllowPrivate }, id, body);
    return endpoint ? apiJson(endpoint) : notFound(id);
  } catch (err) {
    if (err instanceof WebhookEndpointInputError) return apiError(400, 'invalid_request', err.message, { field: err.field });
    throw err;
  }
});

// DELETE → 204; the endpoint's deliveries go with it.
export const DELETE = withApiKey(async (_request, { params }: Context) => {
  const { id } = await params;
  return (await deleteEndpoint(getDb(), id)) ? new Response(null, { status: 204 }) : notFound(id);
});
