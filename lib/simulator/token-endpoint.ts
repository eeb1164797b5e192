// The token endpoint's skeleton, for every provider: count the call, read the whole body before any injected
// fault (the simulator acts on a request it has fully received even if the client gives up while waiting: an
// "outcome unknown" refresh), authenticate the client, then the authorization_code and refresh_token grants
// with their counters. A provider brings its body format, client authentication and reply bodies.
import { respondWithFaults } from './faults';
import { redeemCode, type AuthCode } from './consent';
import type { IssuedTokens } from './families';
import { BodyTooLargeError, json, readBody, type Reply, type RequestContext } from './http';
import type { OAuthProviderState } from './oauth-state';

/** The request's parameters, whatever the body format: JSON values or form strings. */
export type TokenParams = Record<string, unknown>;

export type ReadResult = { params: TokenParams } | { reply: Reply };

export type GrantType = 'authorization_code' | 'refresh_token';

export interface TokenEndpoint<S> {
  /** The provider id faults name. */
  provider: string;
  read(ctx: RequestContext): Promise<ReadResult>;
  /** The client's id and secret as the request carries them (body or header). */
  credentials(ctx: RequestContext, params: TokenParams): { id: unknown; secret: unknown } | undefined;
  invalidClient: Reply;
  /** A malformed request, e.g. a missing parameter. */
  invalidRequest(description: string): Reply;
  /** How a missing parameter is described, e.g. "Missing code". */
  missing(name: string): string;
  /** Parameters the code exchange requires besides `code`. */
  exchangeRequires: readonly string[];
  /** An unknown, used, expired or foreign code. */
  invalidCode: Reply;
  /** A reply when the exchange's redirect_uri does not fit the code; undefined when it does. */
  redirectMismatch(code: AuthCode, redirectUri: unknown): Reply | undefined;
  /** The new family's scopes and whether it gets a refresh token. */
  grantFor(code: AuthCode, part: S): { scopes: readonly string[]; refreshToken: boolean };
  /** The provider's answer to a dead refresh token (its one documented body, whatever the cause). */
  deadTokenReply(part: S): Reply;
  tokenReply(part: S, issued: IssuedTokens, grant: GrantType): Reply;
}

/** The whole request body, or the provider's invalid_request reply when it is too large. */
export async function readTokenBody(
  ctx: RequestContext,
  invalidRequest: (description: string) => Reply,
): Promise<{ text: string } | { reply: Reply }> {
  try {
    return { text: await readBody(ctx.req) };
  } catch (error) {
    if (error instanceof BodyTooLargeError) return { reply: invalidRequest('The request body is too large') };
    throw error;
  }
}

/** A non-empty string parameter, else undefined. */
export function stringParam(params: TokenParams, name: string): string | undefined {
  const value = params[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export async function handleTokenRequest<S extends OAuthProviderState<object>>(ctx: RequestContext, endpoint: TokenEndpoint<S>, part: S): Promise<undefined> {
  part.counters.token_calls += 1;
  const body = ctx.req.method === 'POST' ? await endpoint.read(ctx) : undefined;
  await respondWithFaults(ctx, 'token', async () => answer(ctx, endpoint, part, body), endpoint.provider);
  return undefined;
}

function answer<S extends OAuthProviderState<object>>(ctx: RequestContext, endpoint: TokenEndpoint<S>, part: S, body: ReadResult | undefined): Reply {
  if (!body) return json(405, { error: 'invalid_request', error_description: 'Use POST' });
  if ('reply' in body) return body.reply;
  const client = endpoint.credentials(ctx, body.params);
  if (client?.id !== part.clientId() || client.secret !== part.clientSecret()) return endpoint.invalidClient;
  const grantType = body.params.grant_type;
  if (grantType === 'authorization_code') return exchange(ctx, endpoint, part, body.params);
  if (grantType === 'refresh_token') return refresh(endpoint, part, body.params);
  if (grantType === undefined) return endpoint.invalidRequest(endpoint.missing('grant_type'));
  return json(400, { error: 'unsupported_grant_type', error_description: 'Unsupported grant type' });
}

function exchange<S extends OAuthProviderState<object>>(
  ctx: RequestContext,
  endpoint: TokenEndpoint<S>,
  part: S,
  params: TokenParams,
): Reply {
  const absent = ['code', ...endpoint.exchangeRequires].find((name) => !stringParam(params, name));
  if (absent) return endpoint.invalidRequest(endpoint.missing(absent));
  const code = redeemCode(part.codes, String(params.code), part.clientId(), ctx.sim.clock.now());
  if (!code) return endpoint.invalidCode;
  const mismatch = endpoint.redirectMismatch(code, params.redirect_uri);
  if (mismatch) return mismatch;
  const grant = endpoint.grantFor(code, part);
  const issued = part.families.create({ userEmail: code.userEmail, clientId: code.clientId, scopes: grant.scopes }, grant.refreshToken);
  part.counters.authorization_code_grants += 1;
  return endpoint.tokenReply(part, issued, 'authorization_code');
}

function refresh<S extends OAuthProviderState<object>>(endpoint: TokenEndpoint<S>, part: S, params: TokenParams): Reply {
  const token = stringParam(params, 'refresh_token');
  if (!token) return endpoint.invalidRequest(endpoint.missing('refresh_token'));
  const counters = part.counters;
  const outcome = part.families.refresh(token, part.clientId());
  switch (outcome.kind) {
    case 'dead':
      if (outcome.reason === 'rejected_reuse') counters.rejected_reuses += 1;
      counters.dead_token_responses += 1;
      return endpoint.deadTokenReply(part);
    case 'reused_within_leeway':
      counters.reuses_within_leeway += 1;
      return endpoint.tokenReply(part, outcome, 'refresh_token');
    case 'rotated':
    case 'refreshed_without_rotation':
      counters.refreshes += 1;
      return endpoint.tokenReply(part, outcome, 'refresh_token');
  }
}
