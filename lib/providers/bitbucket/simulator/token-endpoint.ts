// POST /site/oauth2/access_token: form-encoded, the client authenticated with HTTP Basic; Bitbucket's replies.
import { json, type Reply, type RequestContext } from '../../../simulator/http';
import { readTokenBody, type ReadResult, type TokenEndpoint, type TokenParams } from '../../../simulator/token-endpoint';
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
  const body = await readTokenBody(ctx, invalidRequest);
  if ('reply' in body) return body;
  if (!type.startsWith('application/x-www-form-urlencoded')) {
    return { reply: invalidRequest('Unsupported content type: use application/x-www-form-urlencoded') };
  }
  return { params: formParams(body.text) };
}

function basicCredentials(ctx: RequestContext): { id: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(ctx.req.headers.authorization ?? '');
  if (!match?.[1]) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { id: decoded.slice(0, colon), secret: decoded.slice(colon + 1) };
}

// Named at authorize: the exchange must repeat it; not named: the exchange may leave it out.
function redirectFits(code: { redirectUri: string; redirectUriGiven: boolean }, redirectUri: unknown): boolean {
  return redirectUri === code.redirectUri || (!code.redirectUriGiven && redirectUri === undefined);
}

export const bitbucketTokenEndpoint: TokenEndpoint<BitbucketSimState> = {
  provider: 'bitbucket',
  read: readForm,
  credentials: (ctx) => basicCredentials(ctx),
  invalidClient: json(401, { error: 'invalid_client', error_description: 'Invalid OAuth client credentials' }),
  invalidRequest,
  missing: (name) => `Missing ${name} parameter`,
  exchangeRequires: [],
  invalidCode: json(400, { error: 'invalid_grant', error_description: 'The specified code is not valid.' }),
  redirectMismatch: (code, redirectUri) =>
    redirectFits(code, redirectUri) ? undefined : json(400, { error: 'invalid_grant', error_description: 'redirect_uri does not match' }),
  // Every token the consumer issues carries its permissions at the exchange.
  grantFor: (_code, bitbucket) => ({ scopes: bitbucket.config.scopes, refreshToken: true }),
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
