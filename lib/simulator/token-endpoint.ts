// The token endpoint's skeleton, for every provider: count the call, read the whole body before any injected
// fault (the simulator acts on a request it has fully received even if the client gives up while waiting: an
// "outcome unknown" refresh), authenticate the client, then the authorization_code and refresh_token grants
// with their counters. A provider brings its body format, client authentication and reply bodies.
import { respondWithFaults } from './faults';
import type { FamilyStore, IssuedTokens } from './families';
import { json, type Reply, type RequestContext } from './http';
import type { Counters } from './state';

/** The request's parameters, whatever the body format: JSON values or form strings. */
export type TokenParams = Record<string, unknown>;

export type ReadResult = { params: TokenParams } | { reply: Reply };

export type GrantType = 'authorization_code' | 'refresh_token';

export interface TokenEndpoint<S> {
  /** The provider id faults name. */
  provider: string;
  counters(part: S): Counters;
  families(part: S): FamilyStore;
  /** The client id refresh tokens are bound to. */
  clientId(part: S): string;
  read(ctx: RequestContext): Promise<ReadResult>;
  /** A reply when the client's credentials are wrong. */
  refuseClient(ctx: RequestContext, params: TokenParams, part: S): Reply | undefined;
  /** A malformed request, e.g. a missing parameter. */
  invalidRequest(description: string): Reply;
  missingGrantType: string;
  missingRefreshToken: string;
  /** Checks the code and its redirect URI, then starts a family (families(part).create). */
  exchangeCode(ctx: RequestContext, params: TokenParams, part: S): { issued: IssuedTokens } | { reply: Reply };
  /** The provider's answer to a dead refresh token (its one documented body, whatever the cause). */
  deadTokenReply(part: S): Reply;
  tokenReply(part: S, issued: IssuedTokens, grant: GrantType): Reply;
}

/** A non-empty string parameter, else undefined. */
export function stringParam(params: TokenParams, name: string): string | undefined {
  const value = params[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

export async function handleTokenRequest<S>(ctx: RequestContext, endpoint: TokenEndpoint<S>, part: S): Promise<undefined> {
  endpoint.counters(part).token_calls += 1;
  const body = ctx.req.method === 'POST' ? await endpoint.read(ctx) : undefined;
  await respondWithFaults(ctx, 'token', async () => answer(ctx, endpoint, part, body), endpoint.provider);
  return undefined;
}

function answer<S>(ctx: RequestContext, endpoint: TokenEndpoint<S>, part: S, body: ReadResult | undefined): Reply {
  if (!body) return json(405, { error: 'invalid_request', error_description: 'Use POST' });
  if ('reply' in body) return body.reply;
  const refused = endpoint.refuseClient(ctx, body.params, part);
  if (refused) return refused;
  const grantType = body.params.grant_type;
  if (grantType === 'authorization_code') return exchange(ctx, endpoint, part, body.params);
  if (grantType === 'refresh_token') return refresh(endpoint, part, body.params);
  if (grantType === undefined) return endpoint.invalidRequest(endpoint.missingGrantType);
  return json(400, { error: 'unsupported_grant_type', error_description: 'Unsupported grant type' });
}

function exchange<S>(ctx: RequestContext, endpoint: TokenEndpoint<S>, part: S, params: TokenParams): Reply {
  const result = endpoint.exchangeCode(ctx, params, part);
  if ('reply' in result) return result.reply;
  endpoint.counters(part).authorization_code_grants += 1;
  return endpoint.tokenReply(part, result.issued, 'authorization_code');
}

function refresh<S>(endpoint: TokenEndpoint<S>, part: S, params: TokenParams): Reply {
  const token = stringParam(params, 'refresh_token');
  if (!token) return endpoint.invalidRequest(endpoint.missingRefreshToken);
  const counters = endpoint.counters(part);
  const outcome = endpoint.families(part).refresh(token, endpoint.clientId(part));
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
