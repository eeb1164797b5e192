// Atlassian's control routes under /_control: counters, config, the seeded users, a user revoking the app,
// changing their password or their scopes, and the grants (token families).
import { z } from 'zod';
import { findAccount, SANDBOX_ACCOUNTS } from '../../../simulator/accounts';
import type { ConfigFields } from '../../../simulator/config-fields';
import { oauthControlRoutes } from '../../../simulator/oauth-control';
import { json, type Reply, type RequestContext } from '../../../simulator/http';
import type { Route } from '../../../simulator/route-table';
import { endSessionsOf } from '../../../simulator/session';
import { ACCOUNT_SITE_IDS } from './catalog';
import { SCOPES_CHANGED, type AtlassianSimState, type SimConfig } from './state';

const seconds = z.number().int().min(0);

const configPatchSchema = z.strictObject({
  leeway_seconds: seconds.optional(),
  auto_consent: z.boolean().optional(),
  dead_token_error: z.enum(['invalid_grant', 'unauthorized_client']).optional(),
  access_token_ttl_seconds: z.number().int().min(1).optional(),
  access_revoke_grace_seconds: seconds.optional(),
  omit_refresh_token: z.boolean().optional(),
  inactivity_seconds: z.number().int().min(1).optional(),
  absolute_lifetime_seconds: z.number().int().min(1).optional(),
});

const CONFIG_FIELDS: ConfigFields<SimConfig> = {
  leeway_seconds: 'leewaySeconds',
  dead_token_error: 'deadTokenError',
  access_token_ttl_seconds: 'accessTokenTtlSeconds',
  access_revoke_grace_seconds: 'accessRevokeGraceSeconds',
  omit_refresh_token: 'omitRefreshToken',
  inactivity_seconds: 'inactivitySeconds',
  absolute_lifetime_seconds: 'absoluteLifetimeSeconds',
  client_id: 'clientId',
};

const USER_EVENTS: Record<string, { reason: string; endsSessions: boolean }> = {
  revoke: { reason: 'user_revoked', endsSessions: false },
  password: { reason: 'password_changed', endsSessions: true },
  'scopes-changed': { reason: SCOPES_CHANGED, endsSessions: false },
};

function listUsers(): Reply {
  return json(
    200,
    SANDBOX_ACCOUNTS.map((account) => ({
      email: account.email,
      name: account.name,
      account_id: account.accountId,
      role: account.role,
      site_ids: ACCOUNT_SITE_IDS,
    })),
  );
}

function userEvent(ctx: RequestContext, atlassian: AtlassianSimState, [email = '', event = '']: string[]): Reply {
  const account = findAccount(email);
  const effect = USER_EVENTS[event];
  if (!account || !effect) return json(404, { error: 'not_found', message: `Unknown user ${email}` });
  const clientId = atlassian.clientId();
  const revoked = atlassian.families.revokeWhere(
    (grant) => grant.userEmail === account.email && grant.clientId === clientId,
    effect.reason,
  );
  if (effect.endsSessions) endSessionsOf(ctx.sim, account.email);
  return json(200, { user_email: account.email, event, revoked_grants: revoked });
}

export const ATLASSIAN_CONTROL_ROUTES: ReadonlyArray<Route<AtlassianSimState>> = [
  ...oauthControlRoutes<SimConfig, AtlassianSimState>('/_control', {
    schema: configPatchSchema,
    fields: CONFIG_FIELDS,
    // Auto-consent is the whole simulator's switch (every provider's consent page), shown and set here.
    outside: {
      view: (ctx) => ({ auto_consent: ctx.sim.autoConsent }),
      patch: (ctx, patch) => {
        if (typeof patch.auto_consent === 'boolean') ctx.sim.autoConsent = patch.auto_consent;
      },
    },
  }),
  { method: 'GET', path: '/_control/users', handle: listUsers },
  { method: 'POST', path: /^\/_control\/users\/([^/]+)\/(revoke|password|scopes-changed)$/, handle: userEvent },
];
