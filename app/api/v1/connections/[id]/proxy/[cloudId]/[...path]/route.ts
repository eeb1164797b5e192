import { callProductApi, productRequestUrl } from '@/lib/providers/product-api';
import { getConnection } from '@/lib/api/connections';
import { connectionErrorResponse, notFound } from '@/lib/api/errors';
import { apiError, readBodyLimited, withApiKey } from '@/lib/api/http';
import { downstreamResponseHeaders, MAX_PROXY_BODY_BYTES, upstreamRequestHeaders } from '@/lib/api/proxy';
import { getDb } from '@/lib/db';
import { providerFor } from '@/lib/providers';
import { ConnectionUnavailableError } from '@/lib/connections/errors';
import { appProductApi } from '@/lib/tokens/app-api';

export const dynamic = 'force-dynamic';

type Ctx = { params: Promise<{ id: string; cloudId: string; path: string[] }> };

async function bufferedBody(request: Request): Promise<Uint8Array<ArrayBuffer> | undefined | 'too_large'> {
  if (request.method === 'GET' || request.method === 'HEAD') return undefined;
  const bytes = await readBodyLimited(request, MAX_PROXY_BODY_BYTES);
  return bytes ? new Uint8Array(bytes) : 'too_large';
}

const proxy = withApiKey(async (request: Request, { params }: Ctx) => {
  const { id, cloudId, path } = await params;
  const connection = await getConnection(getDb(), id);
  if (!connection) return notFound(id);
  // Bitbucket: everything after /proxy/ is the path under {BB_API} ("2.0/user"): no site segment to check.
  if (providerFor(connection.product).proxyPathNamesSite && !connection.sites.some((s) => s.cloud_id === cloudId)) {
    return apiError(404, 'site_not_found', `The connection does not cover site ${cloudId.slice(0, 64)}.`);
  }
  const body = await bufferedBody(request);
  if (body === 'too_large') return apiError(413, 'payload_too_large', 'The request body is larger than 10 MiB.');
  const target = `${path.map(encodeURIComponent).join('/')}${new URL(request.url).search}`;
  const api = appProductApi();
  try {
    productRequestUrl(api, { product: connection.product, cloudId, path: target }); // refuses escapes before any token is used
  } catch {
    return apiError(400, 'invalid_request', 'The proxied path is not allowed.', { field: 'path' });
  }
  let upstream: Response;
  try {
    upstream = await callProductApi(api, {
      connectionId: id,
      product: connection.product,
      cloudId,
      path: target,
      method: request.method,
      headers: upstreamRequestHeaders(request.headers),
      body,
    });
  } catch (err) {
    if (err instanceof ConnectionUnavailableError) return connectionErrorResponse(err, id);
    return apiError(502, 'upstream_unavailable', 'The product API could not be reached.', {}, { 'retry-after': '30' });
  }
  return new Response(upstream.body, { status: upstream.status, headers: downstreamResponseHeaders(upstream.headers) });
});

export { proxy as GET, proxy as POST, proxy as PUT, proxy as PATCH, proxy as DELETE };
