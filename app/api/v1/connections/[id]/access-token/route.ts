import { getConnection } from '@/lib/api/connections';
import { connectionErrorResponse, notFound } from '@/lib/api/errors';
import { apiJson, parseJsonBody, withApiKey } from '@/lib/api/http';
import { accessTokenRequest, type AccessTokenJson } from '@/lib/api/schemas';
import { getConfig } from '@/lib/config';
import { getDb } from '@/lib/db';
import { getTokenEngine } from '@/lib/tokens';

export const dynamic = 'force-dynamic';

// An empty body means "defaults": services may POST with nothing.
async function readOptions(request: Request) {
  if (request.headers.get('content-length') === '0' || (!request.headers.get('content-type') && !request.body)) return {};
  return parseJsonBody(request, accessTokenRequest);
}

export const POST = withApiKey(async (request: Request, { params }: { params: Promise<{ id: string }> }) => {
  const { id } = await params;
  const options = await readOptions(request);
  if (options instanceof Response) return options;
  const connection = await getConnection(getDb(), id);
  if (!connection) return notFound(id);
  try {
    const token = await getTokenEngine().getAccessToken(id, { minValiditySeconds: options.min_validity_seconds, rejectedToken: options.rejected_token });
    const provider = providerFor(connection.product);
    const app = productApps(getConfig())(connection.product);
    return apiJson({
      access_token: token.accessToken,
      expires_at: token.expiresAt.toISOString(),
      token_type: 'Bearer',
      // Bitbucket: the workspaces, cloud_id being the workspace uuid.
      sites: connection.sites.map((s) => ({ ...s, api_base_url: app ? provider.siteApiBaseUrl(app, s.cloud_id) : '' })),
    } satisfies AccessTokenJson);
  } catch (err) {
    return connectionErrorResponse(err, id);
  }
});
