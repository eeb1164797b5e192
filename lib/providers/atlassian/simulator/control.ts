// Atlassian's control routes under /_control: counters, config, the seeded users, a user revoking the app,
// changing their password or their scopes, and the grants (token families).
import { z } from 'zod';
import { findAccount, SANDBOX_ACCOUNTS } from '../../../simulator/accounts';
import { parseBody } from '../../../simulator/control';
import { familyView } from '../../../simulator/families';
import { json, type Reply, type RequestContext } from '../../../simulator/http';
import type { Route } from '../../../simulator/route-table';
import { endSessionsOf } from '../../../simulator/session';
import { ACCOUNT_SITE_IDS } from './catalog';
import { SCOPES_CHANGED, type AtlassianSimState } from './state';

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

const USER_EVENTS: Record<string, { reason: string; endsSessions: boolean }> = {
  revoke: { reason: 'user_revoked', endsSessions: false },
  password: { reason: 'password_changed', endsSessions: true },
  'scopes-changed': { reason: SCOPES_CHANGED, endsSessions: false },
};

function configView(ctx: RequestContext, atlassian: AtlassianSimState) {
  const config = atlassian.config;
  return {
    leeway_seconds: config.leewaySeconds,
    auto_consent: ctx.sim.autoConsent,
    dead_token_error: config.deadTokenError,
    access_token_ttl_seconds: config.accessTokenTtlSeconds,
    access_revoke_grace_seconds: config.accessRevokeGraceSeconds,
    omit_refresh_token: config.omitRefreshToken,
    inactivity_seconds: config.inactivitySeconds,
    absolute_lifetime_seconds: config.absoluteLifetimeSeconds,
    client_id: config.clientId,
  };
}

async function patchConfig(ctx: RequestContext, atlassian: AtlassianSimState): Promise<Reply> {
  const parsed = await parseBody(ctx, configPatchSchema);
  if (!parsed.ok) return parsed.reply;
  const patch = parsed.value;
  const config = atlassian.config;
  ctx.sim.autoConsent = patch.auto_consent ?? ctx.sim.autoConsent;
  config.leewaySeconds = patch.leeway_seconds ?? config.leewaySeconds;
  config.deadTokenError = patch.dead_token_error ?? config.deadTokenError;
  config.accessTokenTtlSeconds = patch.access_token_ttl_seconds ?? config.accessTokenTtlSeconds;
  config.accessRevokeGraceSeconds = patch.access_revoke_grace_seconds ?? config.accessRevokeGraceSeconds;
  config.omitRefreshToken = patch.omit_refresh_token ?? config.omitRefreshToken;
  config.inactivitySeconds = patch.inactivity_seconds ?? config.inactivitySeconds;
  config.absoluteLifetimeSeconds = patch.absolute_lifetime_seconds ?? config.absoluteLifetimeSeconds;
  return json(200, configView(ctx, atlassian));
}

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
  const { clientId } = atlassian.config;
  const revoked = atlassian.grants.revokeWhere(
    (grant) => grant.userEmail === account.email && grant.clientId === clientId,
    effect.reason,
  );
  if (effect.endsSessions) endSessionsOf(ctx.sim, account.email);
  return json(200, { user_email: account.email, event, revoked_grants: revoked });
}

export const ATLASSIAN_CONTROL_ROUTES: ReadonlyArray<Route<AtlassianSimState>> = [
  { method: 'GET', path: '/_control/counters', handle: (_ctx, atlassian) => json(200, atlassian.counters) },
  { method: 'GET', path: '/_control/config', handle: (ctx, atlassian) => json(200, configView(ctx, atlassian)) },
  { method: 'PATCH', path: '/_control/config', handle: patchConfig },
  { method: 'GET', path: '/_control/users', handle: listUsers },
  { method: 'POST', path: /^\/_control\/users\/([^/]+)\/(revoke|password|scopes-changed)$/, handle: userEvent },
  {
    method: 'GET',
    path: '/_control/grants',
    handle: (_ctx, atlassian) => json(200, [...atlassian.grants.families.values()].map(familyView)),
  },
];
