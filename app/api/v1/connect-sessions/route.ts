import { apiError, apiJson, parseJsonBody, withApiKey } from '@/lib/api/http';
import { getConfig } from '@/lib/config';
import { connectSessionRequest, type ConnectSessionJson } from '@/lib/api/schemas';
import { ConnectionNotFoundError, createConnectSession } from '@/lib/connect-sessions';
import { getDb } from '@/lib/db';

export const dynamic = 'force-dynamic';

// POST {user_email, product} | {connection_id} → 201 {url, expires_at}: a single-use, 30-minute link.
export const POST = withApiKey(async (request) => {
  const body = await parseJsonBody(request, connectSessionRequest);
  if (body instanceof Response) return body;
  if ('product' in body && !getConfig().products.includes(body.product)) {
    return apiError(400, 'product_not_configured', `${body.product} is not configured on this server (its OAuth app has no credentials).`, { field: 'product' });
  }
  try {
    return apiJson((await createConnectSession(getDb(), getConfig().appUrl, body)) satisfies ConnectSessionJson, 201);
  } catch (err) {
    if (err instanceof ConnectionNotFoundError) {
      return apiError(404, 'not_found', `No connection ${err.connectionId}, or it is disconnected.`, { field: 'connection_id' });
    }
    throw err;
  }
});
