// POST /oauth/token: a JSON body, the client's id and secret in it; Atlassian's reply and error bodies.
import { redeemCode } from '../../../simulator/consent';
import { BodyTooLargeError, isJsonContentType, json, readBody, type Reply, type RequestContext } from '../../../simulator/http';
import { stringParam, type ReadResult, type TokenEndpoint } from '../../../simulator/token-endpoint';
import { OFFLINE_SCOPE } from './catalog';
import type { AtlassianSimState } from './state';

const invalidRequest = (description: string): Reply =>
  json(400, { error: 'invalid_request', error_description: description });

const invalidCode = (): Reply => json(403, { error: 'invalid_grant', error_description: 'Invalid authorization code' });

async function readJsonObject(ctx: RequestContext): Promise<ReadResult> {
  if (!isJsonContentType(ctx.req)) return { reply: invalidRequest('The request body must be JSON') };
  let text: string;
  try {
    text = await readBody(ctx.req);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return { reply: invalidRequest('The request body is too large') };
    throw error;
  }
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { params: value as Record<string, unknown> };
  } catch {
    // fall through to the same answer as a non-object body
  }
  return { reply: invalidRequest('The request body must be a JSON object') };
}

export const atlassianTokenEndpoint: TokenEndpoint<AtlassianSimState> = {
  provider: 'atlassian',
  counters: (atlassian) => atlassian.counters,
  families: (atlassian) => atlassian.grants,
  clientId: (atlassian) => atlassian.config.clientId,
  read: readJsonObject,
  refuseClient(_ctx, params, atlassian) {
    const { clientId, clientSecret } = atlassian.config;
    if (params.client_id === clientId && params.client_secret === clientSecret) return undefined;
    return json(401, { error: 'access_denied', error_description: 'Unauthorized' });
  },
  invalidRequest,
  missingGrantType: 'Missing grant_type',
  missingRefreshToken: 'Missing refresh_token',
  exchangeCode(ctx, params, atlassian) {
    const value = stringParam(params, 'code');
    if (!value) return { reply: invalidRequest('Missing code') };
    const redirectUri = stringParam(params, 'redirect_uri');
    if (!redirectUri) return { reply: invalidRequest('Missing redirect_uri') };
    const code = redeemCode(atlassian.codes, value, params.client_id, ctx.sim.clock.now());
    if (!code || code.redirectUri !== redirectUri) return { reply: invalidCode() };
    const input = { userEmail: code.userEmail, clientId: code.clientId, scopes: code.scopes };
    // No offline_access, no refresh token.
    return { issued: atlassian.grants.create(input, code.scopes.includes(OFFLINE_SCOPE)) };
  },
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
