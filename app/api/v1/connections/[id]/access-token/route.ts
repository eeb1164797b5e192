import { loadAccessTokenCall } from '@/lib/api/access-token';
import { connectionErrorResponse, notFound } from '@/lib/api/errors';
import { apiJson, parseJsonBody, withApiKeyLoading } from '@/lib/api/http';
import { accessTokenRequest, type AccessTokenJson } from '@/lib/api/schemas';
import { getConfig } from '@/lib/config';
import { providerFor } from '@/lib/providers';
import { productApps } from '@/lib/providers/apps';
import { getDb } from '@/lib/db';
import { getTokenEngine } from '@/lib/tokens';

export const dynamic = 'force-dynamic';

// An absent or empty body means "defaults" (parseJsonBody reads it as {}): services may POST with nothing.
const readOptions = (request: Request) => parseJsonBody(request, accessTokenRequest);

type Ctx = { params: Promise<{ id: string }> };

// One round trip before the answer: the key, the connection, its sites and its token row in one prepared
// statement (lib/api/access-token.ts); a valid stored token is then served from that row.
export const POST = withApiKeyLoading(
  async (key: string, { params }: Ctx) => {
    const call = await loadAccessTokenCall(getDb(), key, (await params).id);
    return call && { apiKey: call.apiKey, loaded: call.connection };
  },
  async (request, { params }, _apiKey, connection) => {
    const { id } = await params;
    const options = await readOptions(request);
    if (options instanceof Response) return options;
    if (!connection) return notFound(id);
    try {
      const o = { minValiditySeconds: options.min_validity_seconds, rejectedToken: options.rejected_token };
      const token = await getTokenEngine().getAccessToken(id, o, connection.row);
      const product = connection.row.product;
      const provider = providerFor(product);
      const app = productApps(getConfig())(product);
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
  },
);
