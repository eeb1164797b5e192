// POST /site/oauth2/access_token: form-encoded, the client authenticated with HTTP Basic; Bitbucket's replies.
import { redeemCode } from '../../../simulator/consent';
import { BodyTooLargeError, json, readBody, type Reply, type RequestContext } from '../../../simulator/http';
import { stringParam, type ReadResult, type TokenEndpoint, type TokenParams } from '../../../simulator/token-endpoint';
import type { BitbucketSimState } from './state';

export const BITBUCKET_TOKEN_PATH = '/site/oauth2/access_token';

// The one body Bitbucket gives a revoked, expired, reused or unknown refresh token.
const INVALID_REFRESH_TOKEN = 'Invalid refresh_token';

const invalidRequest = (description: string): Reply =>
  json(400, { error: 'invalid_request', error_description: description });

/** The form's fields; a repeated one counts with its first value. */
function formParams(text: string): TokenParams {
  const params: TokenParams = {};
  for (const [name, value] of new URLSearchParams(text)) params[name] ??= value;
  return params;
}

async function readForm(ctx: RequestContext): Promise<ReadResult> {
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
  return { params: formParams(text) };
}

function basicCredentials(ctx: RequestContext): { key: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(ctx.req.headers.authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { key: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

function redirectMismatch(code: { redirectUri: string; redirectUriGiven: boolean }, redirectUri: unknown): boolean {
  // Named at authorize: the exchange must repeat it; not named: the exchange may leave it out.
  if (code.redirectUriGiven) return redirectUri !== code.redirectUri;
  return redirectUri !== undefined && redirectUri !== code.redirectUri;
}

export const bitbucketTokenEndpoint: TokenEndpoint<BitbucketSimState> = {
  provider: 'bitbucket',
  counters: (bitbucket) => bitbucket.counters,
  families: (bitbucket) => bitbucket.families,
  clientId: (bitbucket) => bitbucket.config.consumerKey,
  read: readForm,
  refuseClient(ctx, _params, bitbucket) {
    const { consumerKey, consumerSecret } = bitbucket.config;
    const client = basicCredentials(ctx);
    if (client && client.key === consumerKey && client.secret === consumerSecret) return undefined;
    return json(401, { error: 'invalid_client', error_description: 'Invalid OAuth client credentials' });
  },
  invalidRequest,
  missingGrantType: 'Missing grant_type parameter',
  missingRefreshToken: 'Missing refresh_token parameter',
  exchangeCode(ctx, params, bitbucket) {
    const value = stringParam(params, 'code');
    if (!value) return { reply: invalidRequest('Missing code parameter') };
    const code = redeemCode(bitbucket.codes, value, bitbucket.config.consumerKey, ctx.sim.clock.now());
    if (!code) return { reply: json(400, { error: 'invalid_grant', error_description: 'The specified code is not valid.' }) };
    if (redirectMismatch(code, params.redirect_uri)) {
      return { reply: json(400, { error: 'invalid_grant', error_description: 'redirect_uri does not match' }) };
    }
    const { consumerKey, scopes } = bitbucket.config;
    return { issued: bitbucket.families.create({ userEmail: code.userEmail, clientId: consumerKey, scopes }) };
  },
  deadTokenReply: (bitbucket) =>
    json(400, { error: bitbucket.config.deadTokenError, error_description: INVALID_REFRESH_TOKEN }),
  tokenReply(bitbucket, issued, grant) {
    const config = bitbucket.config;
    return json(200, {
      access_token: issued.accessToken,
      [config.legacyScopesField ? 'scopes' : 'scope']: issued.family.scopes.join(' '),
      expires_in: config.accessTokenTtlSeconds,
      refresh_token: issued.refreshToken,
      token_type: 'bearer',
      state: grant,
    });
  },
};
