// POST /oauth/token: a JSON body, the client's id and secret in it; Atlassian's reply and error bodies.
import { isJsonContentType, json, type Reply, type RequestContext } from '../../../simulator/http';
import { readTokenBody, type ReadResult, type TokenEndpoint } from '../../../simulator/token-endpoint';
import { OFFLINE_SCOPE } from './catalog';
import type { AtlassianSimState } from './state';

const invalidRequest = (description: string): Reply =>
  json(400, { error: 'invalid_request', error_description: description });

async function readJsonObject(ctx: RequestContext): Promise<ReadResult> {
  if (!isJsonContentType(ctx.req)) return { reply: invalidRequest('The request body must be JSON') };
  const body = await readTokenBody(ctx, invalidRequest);
  if ('reply' in body) return body;
  try {
    const value: unknown = JSON.parse(body.text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { params: value as Record<string, unknown> };
  } catch {
    // fall through to the same answer as a non-object body
  }
  return { reply: invalidRequest('The request body must be a JSON object') };
}

export const atlassianTokenEndpoint: TokenEndpoint<AtlassianSimState> = {
  provider: 'atlassian',
  read: readJsonObject,
  credentials: (_ctx, params) => ({ id: params.client_id, secret: params.client_secret }),
  invalidClient: json(401, { error: 'access_denied', error_description: 'Unauthorized' }),
  invalidRequest,
  missing: (name) => `Missing ${name}`,
  exchangeRequires: ['redirect_uri'],
  invalidCode: json(403, { error: 'invalid_grant', error_description: 'Invalid authorization code' }),
  redirectMismatch: (code, redirectUri) => (code.redirectUri === redirectUri ? undefined : atlassianTokenEndpoint.invalidCode),
  // No offline_access, no refresh token.
  grantFor: (code) => ({ scopes: code.scopes, refreshToken: code.scopes.includes(OFFLINE_SCOPE) }),
  deadTokenReply(atlassian) {
    if (atlassian.config.deadTokenError === 'unauthorized_client') {
      return json(403, { error: 'unauthorized_client', error_description: 'refresh_token is invalid' });
    }
    return json(403, { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' });
  },
  tokenReply(atlassian, issued) {
    return json(200, {
      access_token: issued.accessToken,
      expires_in: atlassian.config.accessTokenTtlSeconds,
      token_type: 'Bearer',
      ...(issued.refreshToken ? { refresh_token: issued.refreshToken } : {}),
      scope: issued.family.scopes.join(' '),
    });
  },
};
