// Bitbucket's control routes under /_control/bitbucket/…: counters, config, grants (token families), a user
// revoking the consumer, the consumer's permissions being changed, and its issued secrets.
import { z } from 'zod';
import { findAccount } from '../../../simulator/accounts';
import type { ConfigFields } from '../../../simulator/config-fields';
import { parseBody } from '../../../simulator/control';
import { oauthControlRoutes } from '../../../simulator/oauth-control';
import { json, type Reply, type RequestContext } from '../../../simulator/http';
import type { Route } from '../../../simulator/route-table';
import { BITBUCKET_SCOPES } from './catalog';
import type { BitbucketConfig, BitbucketSimState } from './state';

const configPatchSchema = z.strictObject({
  access_token_ttl_seconds: z.number().int().min(1).optional(),
  unused_expiry_seconds: z.number().int().min(1).optional(),
  leeway_seconds: z.number().int().min(0).optional(),
  dead_token_error: z.enum(['invalid_request', 'invalid_grant']).optional(),
  legacy_scopes_field: z.boolean().optional(),
  max_page_length: z.number().int().min(1).max(100).optional(),
  callback_url: z.url({ protocol: /^https?$/ }).nullable().optional(),
});

const permissionsSchema = z.strictObject({
  scopes: z.array(z.enum(BITBUCKET_SCOPES)).min(1).optional(),
});

const CONFIG_FIELDS: ConfigFields<BitbucketConfig> = {
  consumer_key: 'consumerKey',
  scopes: 'scopes',
  callback_url: 'callbackUrl',
  access_token_ttl_seconds: 'accessTokenTtlSeconds',
  unused_expiry_seconds: 'unusedExpirySeconds',
  leeway_seconds: 'leewaySeconds',
  dead_token_error: 'deadTokenError',
  legacy_scopes_field: 'legacyScopesField',
  max_page_length: 'maxPageLength',
};

/** Editing the consumer's permissions revokes every token it ever issued. */
async function permissionsChanged(ctx: RequestContext, bitbucket: BitbucketSimState): Promise<Reply> {
  const parsed = await parseBody(ctx, permissionsSchema);
  if (!parsed.ok) return parsed.reply;
  if (parsed.value.scopes) bitbucket.config.scopes = [...new Set(parsed.value.scopes)];
  const revoked = bitbucket.revokeConsumerFamilies(() => true, 'permissions_changed');
  return json(200, { scopes: bitbucket.config.scopes, revoked_grants: revoked });
}

/** The user revoked the consumer's access (Personal settings → App authorizations): all their families die. */
function userRevoked(_ctx: RequestContext, bitbucket: BitbucketSimState, [email = '']: string[]): Reply {
  const account = findAccount(email);
  if (!account) return json(404, { error: 'not_found', message: `Unknown user ${email}` });
  const revoked = bitbucket.revokeConsumerFamilies((family) => family.userEmail === account.email, 'user_revoked');
  return json(200, { user_email: account.email, event: 'revoke', revoked_grants: revoked });
}

const path = (rest: string) => `/_control/bitbucket${rest}`;

export const BITBUCKET_CONTROL_ROUTES: ReadonlyArray<Route<BitbucketSimState>> = [
  ...oauthControlRoutes<BitbucketConfig, BitbucketSimState>(path(''), { schema: configPatchSchema, fields: CONFIG_FIELDS }),
  { method: 'POST', path: path('/consumer/permissions'), handle: permissionsChanged },
  { method: 'POST', path: /^\/_control\/bitbucket\/users\/([^/]+)\/revoke$/, handle: userRevoked },
  {
    method: 'GET',
    path: path('/issued-secrets'),
    handle: (_ctx, bitbucket) => {
      const issued = bitbucket.issuedSecrets();
      const { access_tokens, refresh_tokens } = issued;
      return json(200, { access_tokens, refresh_tokens, client_secret: bitbucket.config.consumerSecret });
    },
  },
];
