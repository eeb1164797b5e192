// POST /site/oauth2/access_token: form-encoded, client authenticated with HTTP Basic,
// grants authorization_code and refresh_token, Bitbucket's error bodies.
import { respondWithFaults } from '../faults';
import { BodyTooLargeError, json, readBody, type Reply, type RequestContext } from '../http';
import type { SimState } from '../state';
import { createFamily, refreshFamily, type IssuedTokens } from './families';

const invalidRequest = (description: string): Reply =>
  json(400, { error: 'invalid_request', error_description: description });

// The one body Bitbucket gives a revoked, expired, reused or unknown refresh token.
const INVALID_REFRESH_TOKEN = 'Invalid refresh_token';

// The body is read before any injected latency: the simulator acts on a request it has fully received
// even if the client gives up while waiting (an "outcome unknown" refresh).
export async function handleBitbucketTokenRequest(ctx: RequestContext): Promise<void> {
  const bb = ctx.state.bitbucket;
  bb.counters.token_calls += 1;
  const form = ctx.req.method === 'POST' ? await readForm(ctx) : undefined;
  await respondWithFaults(ctx, 'token', async () => answer(ctx, form), 'bitbucket');
}

type FormResult = { params: URLSearchParams } | { reply: Reply };

async function readForm(ctx: RequestContext): Promise<FormResult> {
  const type = (ctx.req.headers['content-type'] ?? '').trim().toLowerCase();
  let text: string;
  try {
    text = await readBody(ctx.req);
  } catch (error) {
    if (error instanceof BodyTooLargeError) return { reply: invalidRequest('The request body is too large') };
    throw error;
  }
  if (!type.startsWith('application/x-www-form-urlencoded')) {
    return { reply: invalidRequest('Unsupported content type: use application/x-www-form-urlencoded') };
  }
  return { params: new URLSearchParams(text) };
}

function basicCredentials(ctx: RequestContext): { key: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(ctx.req.headers.authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { key: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

function answer(ctx: RequestContext, form: FormResult | undefined): Reply {
  if (!form) return json(405, { error: 'invalid_request', error_description: 'Use POST' });
  if ('reply' in form) return form.reply;
  const { consumerKey, consumerSecret } = ctx.state.bitbucket.config;
  const client = basicCredentials(ctx);
  if (!client || client.key !== consumerKey || client.secret !== consumerSecret) {
    return json(401, { error: 'invalid_client', error_description: 'Invalid OAuth client credentials' });
  }
  const params = form.params;
  switch (params.get('grant_type')) {
    case 'authorization_code':
      return exchangeCode(ctx.state, params);
    case 'refresh_token':
      return refresh(ctx.state, params);
    case null:
      return invalidRequest('Missing grant_type parameter');
    default:
      return json(400, { error: 'unsupported_grant_type', error_description: 'Unsupported grant type' });
  }
}

function tokenResponse(state: SimState, issued: IssuedTokens, grant: 'authorization_code' | 'refresh_token'): Reply {
  const config = state.bitbucket.config;
  const scope = issued.family.scopes.join(' ');
  return json(200, {
    access_token: issued.accessToken,
    [config.legacyScopesField ? 'scopes' : 'scope']: scope,
    expires_in: config.accessTokenTtlSeconds,
    refresh_token: issued.refreshToken,
    token_type: 'bearer',
    state: grant,
  });
}

function exchangeCode(state: SimState, params: URLSearchParams): Reply {
  const bb = state.bitbucket;
  const value = params.get('code');
  if (!value) return invalidRequest('Missing code parameter');
  const code = bb.codes.get(value);
  const invalidCode = json(400, { error: 'invalid_grant', error_description: 'The specified code is not valid.' });
  if (!code || code.used || code.consumerKey !== bb.config.consumerKey) return invalidCode;
  code.used = true; // single use, even when the rest of the request is wrong
  if (state.clock.now() >= code.expiresAt) return invalidCode;
  const redirectUri = params.get('redirect_uri');
  if (code.redirectUriGiven ? redirectUri !== code.redirectUri : redirectUri !== null && redirectUri !== code.redirectUri) {
    return json(400, { error: 'invalid_grant', error_description: 'redirect_uri does not match' });
  }
  const issued = createFamily(bb, state.clock, code.userEmail);
  bb.counters.authorization_code_grants += 1;
  return tokenResponse(state, issued, 'authorization_code');
}

function refresh(state: SimState, params: URLSearchParams): Reply {
  const bb = state.bitbucket;
  const token = params.get('refresh_token');
  if (!token) return invalidRequest('Missing refresh_token parameter');
  const outcome = refreshFamily(bb, state.clock, token, bb.config.consumerKey);
  switch (outcome.kind) {
    case 'dead':
      if (outcome.reason === 'rejected_reuse') bb.counters.rejected_reuses += 1;
      bb.counters.dead_token_responses += 1;
      return invalidRequestForDead(state);
    case 'reused_within_leeway':
      bb.counters.reuses_within_leeway += 1;
      return tokenResponse(state, outcome, 'refresh_token');
    case 'rotated':
      bb.counters.refreshes += 1;
      return tokenResponse(state, outcome, 'refresh_token');
  }
}

function invalidRequestForDead(state: SimState): Reply {
  const error = state.bitbucket.config.deadTokenError;
  return json(400, { error, error_description: INVALID_REFRESH_TOKEN });
}
