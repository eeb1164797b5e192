// POST /oauth/token: authorization_code and refresh_token grants.
import { respondWithFaults } from './faults';
import { createGrant, refreshGrant, type IssuedTokens } from './grants';
import { BodyTooLargeError, isJsonContentType, json, readBody, type Reply, type RequestContext } from './http';
import type { SimState } from './state';

type TokenRequest = Record<string, unknown>;

const invalidRequest = (description: string): Reply =>
  json(400, { error: 'invalid_request', error_description: description });

const invalidCode = (): Reply => json(403, { error: 'invalid_grant', error_description: 'Invalid authorization code' });

// The body is read before any injected latency: like Atlassian, the simulator acts on a request it has
// fully received even if the client gives up or dies while waiting (an "outcome unknown" refresh).
export async function handleTokenRequest(ctx: RequestContext): Promise<void> {
  ctx.state.counters.token_calls += 1;
  const body = ctx.req.method === 'POST' ? await readJsonObject(ctx) : undefined;
  await respondWithFaults(ctx, 'token', async () => answerTokenRequest(ctx, body));
}

function answerTokenRequest(ctx: RequestContext, body: Awaited<ReturnType<typeof readJsonObject>> | undefined): Reply {
  if (!body) return json(405, { error: 'invalid_request', error_description: 'Use POST' });
  if ('reply' in body) return body.reply;
  const request = body.value;

  const { clientId, clientSecret } = ctx.state.config;
  if (request.client_id !== clientId || request.client_secret !== clientSecret) {
    return json(401, { error: 'access_denied', error_description: 'Unauthorized' });
  }
  switch (request.grant_type) {
    case 'authorization_code':
      return exchangeCode(ctx.state, request);
    case 'refresh_token':
      return refresh(ctx.state, request);
    case undefined:
      return invalidRequest('Missing grant_type');
    default:
      return json(400, { error: 'unsupported_grant_type', error_description: 'Unsupported grant type' });
  }
}

async function readJsonObject(ctx: RequestContext): Promise<{ value: TokenRequest } | { reply: Reply }> {
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
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return { value: value as TokenRequest };
  } catch {
    // fall through to the same answer as a non-object body
  }
  return { reply: invalidRequest('The request body must be a JSON object') };
}

function tokenResponse(state: SimState, issued: Pick<IssuedTokens, 'grant' | 'accessToken' | 'refreshToken'>): Reply {
  return json(200, {
    access_token: issued.accessToken,
    expires_in: state.config.accessTokenTtlSeconds,
    token_type: 'Bearer',
    ...(issued.refreshToken ? { refresh_token: issued.refreshToken } : {}),
    scope: issued.grant.scopes.join(' '),
  });
}

function exchangeCode(state: SimState, request: TokenRequest): Reply {
  if (typeof request.code !== 'string' || !request.code) return invalidRequest('Missing code');
  if (typeof request.redirect_uri !== 'string' || !request.redirect_uri) return invalidRequest('Missing redirect_uri');
  const code = state.codes.get(request.code);
  if (!code || code.used || code.clientId !== request.client_id) return invalidCode();
  code.used = true; // single use, even when the rest of the request turns out wrong
  if (state.clock.now() >= code.expiresAt || code.redirectUri !== request.redirect_uri) return invalidCode();

  const issued = createGrant(state, { userEmail: code.userEmail, clientId: code.clientId, scopes: code.scopes });
  state.counters.authorization_code_grants += 1;
  return tokenResponse(state, issued);
}

function deadTokenReply(state: SimState): Reply {
  state.counters.dead_token_responses += 1;
  if (state.config.deadTokenError === 'unauthorized_client') {
    return json(403, { error: 'unauthorized_client', error_description: 'refresh_token is invalid' });
  }
  return json(403, { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' });
}

function refresh(state: SimState, request: TokenRequest): Reply {
  if (typeof request.refresh_token !== 'string' || !request.refresh_token) return invalidRequest('Missing refresh_token');
  const outcome = refreshGrant(state, request.refresh_token, state.config.clientId);
  switch (outcome.kind) {
    case 'dead':
      if (outcome.reason === 'rejected_reuse') state.counters.rejected_reuses += 1;
      return deadTokenReply(state);
    case 'reused_within_leeway':
      state.counters.reuses_within_leeway += 1;
      return tokenResponse(state, outcome);
    case 'rotated':
    case 'refreshed_without_rotation':
      state.counters.refreshes += 1;
      return tokenResponse(state, outcome);
  }
}
