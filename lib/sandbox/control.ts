// The control API under /_control: counters, reset, config, clock, faults, user events, grants.
import { z } from 'zod';
import { findAccount, SANDBOX_ACCOUNTS } from './catalog';
import { isoTime } from './clock';
import { addFault, faultSpecSchema } from './faults';
import { revokeUserGrants } from './grants';
import { json, readBody, type Reply, type RequestContext } from './http';
import { endSessionsOf } from './session';
import type { Grant, RevokeReason, SimState } from './state';

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

const clockAdvanceSchema = z.strictObject({ advance_seconds: z.number().finite().min(0) });

const USER_EVENTS: Record<string, { reason: RevokeReason; endsSessions: boolean }> = {
  revoke: { reason: 'user_revoked', endsSessions: false },
  password: { reason: 'password_changed', endsSessions: true },
  'scopes-changed': { reason: 'scopes_changed', endsSessions: false },
};

type Route = (ctx: RequestContext, params: string[]) => Reply | Promise<Reply>;

const ROUTES: Array<{ method: string; pattern: RegExp; route: Route }> = [
  { method: 'GET', pattern: /^\/_control\/counters$/, route: (ctx) => json(200, ctx.state.counters) },
  { method: 'POST', pattern: /^\/_control\/reset$/, route: resetAll },
  { method: 'GET', pattern: /^\/_control\/config$/, route: (ctx) => json(200, configView(ctx.state)) },
  { method: 'PATCH', pattern: /^\/_control\/config$/, route: patchConfig },
  { method: 'GET', pattern: /^\/_control\/clock$/, route: (ctx) => json(200, clockView(ctx.state)) },
  { method: 'POST', pattern: /^\/_control\/clock$/, route: advanceClock },
  { method: 'DELETE', pattern: /^\/_control\/clock$/, route: resetClock },
  { method: 'GET', pattern: /^\/_control\/faults$/, route: (ctx) => json(200, ctx.state.faults) },
  { method: 'POST', pattern: /^\/_control\/faults$/, route: createFault },
  { method: 'DELETE', pattern: /^\/_control\/faults$/, route: clearFaults },
  { method: 'DELETE', pattern: /^\/_control\/faults\/([^/]+)$/, route: deleteFault },
  { method: 'GET', pattern: /^\/_control\/users$/, route: listUsers },
  { method: 'POST', pattern: /^\/_control\/users\/([^/]+)\/(revoke|password|scopes-changed)$/, route: userEvent },
  { method: 'GET', pattern: /^\/_control\/grants$/, route: listGrants },
  { method: 'GET', pattern: /^\/_control\/issued-secrets$/, route: listIssuedSecrets },
];

export async function handleControlRequest(ctx: RequestContext): Promise<Reply> {
  const path = ctx.url.pathname;
  const matching = ROUTES.filter((entry) => entry.pattern.test(path));
  if (matching.length === 0) return json(404, { error: 'not_found', message: `No control route ${path}` });
  const entry = matching.find((candidate) => candidate.method === ctx.req.method);
  if (!entry) return json(405, { error: 'method_not_allowed', message: `${ctx.req.method} not allowed on ${path}` });
  const params = (entry.pattern.exec(path) ?? []).slice(1).map((param) => decodeURIComponent(param));
  return entry.route(ctx, params);
}

type Parsed<T> = { ok: true; value: T } | { ok: false; reply: Reply };

async function parseBody<T>(ctx: RequestContext, schema: z.ZodType<T>): Promise<Parsed<T>> {
  const text = await readBody(ctx.req);
  let raw: unknown;
  try {
    raw = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    return { ok: false, reply: json(400, { error: 'invalid_json', message: 'The body is not valid JSON' }) };
  }
  const result = schema.safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  const issues = result.error.issues.map(describeIssue);
  const first = issues[0] ?? { field: '', message: 'invalid body' };
  return { ok: false, reply: json(400, { error: 'invalid_body', field: first.field, message: first.message, issues }) };
}

function describeIssue(issue: z.core.$ZodIssue): { field: string; message: string } {
  const field =
    issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : issue.path.map((part) => String(part)).join('.');
  return { field, message: `${field || 'body'}: ${issue.message}` };
}

function resetAll(ctx: RequestContext): Reply {
  ctx.state.reset();
  return json(200, { ok: true });
}

function configView(state: SimState) {
  const config = state.config;
  return {
    leeway_seconds: config.leewaySeconds,
    auto_consent: config.autoConsent,
    dead_token_error: config.deadTokenError,
    access_token_ttl_seconds: config.accessTokenTtlSeconds,
    access_revoke_grace_seconds: config.accessRevokeGraceSeconds,
    omit_refresh_token: config.omitRefreshToken,
    inactivity_seconds: config.inactivitySeconds,
    absolute_lifetime_seconds: config.absoluteLifetimeSeconds,
    client_id: config.clientId,
  };
}

async function patchConfig(ctx: RequestContext): Promise<Reply> {
  const parsed = await parseBody(ctx, configPatchSchema);
  if (!parsed.ok) return parsed.reply;
  const patch = parsed.value;
  const config = ctx.state.config;
  config.leewaySeconds = patch.leeway_seconds ?? config.leewaySeconds;
  config.autoConsent = patch.auto_consent ?? config.autoConsent;
  config.deadTokenError = patch.dead_token_error ?? config.deadTokenError;
  config.accessTokenTtlSeconds = patch.access_token_ttl_seconds ?? config.accessTokenTtlSeconds;
  config.accessRevokeGraceSeconds = patch.access_revoke_grace_seconds ?? config.accessRevokeGraceSeconds;
  config.omitRefreshToken = patch.omit_refresh_token ?? config.omitRefreshToken;
  config.inactivitySeconds = patch.inactivity_seconds ?? config.inactivitySeconds;
  config.absoluteLifetimeSeconds = patch.absolute_lifetime_seconds ?? config.absoluteLifetimeSeconds;
  return json(200, configView(ctx.state));
}

function clockView(state: SimState) {
  return { now: isoTime(state.clock.now()), offset_seconds: state.clock.offsetSeconds() };
}

async function advanceClock(ctx: RequestContext): Promise<Reply> {
  const parsed = await parseBody(ctx, clockAdvanceSchema);
  if (!parsed.ok) return parsed.reply;
  ctx.state.clock.advance(parsed.value.advance_seconds);
  return json(200, clockView(ctx.state));
}

// Back to real time (tests that moved the clock leave it as they found it); grants keep what happened to them.
function resetClock(ctx: RequestContext): Reply {
  ctx.state.clock.reset();
  return json(200, clockView(ctx.state));
}

async function createFault(ctx: RequestContext): Promise<Reply> {
  const parsed = await parseBody(ctx, faultSpecSchema);
  if (!parsed.ok) return parsed.reply;
  const fault = addFault(ctx.state, parsed.value);
  return json(201, { id: fault.id });
}

function clearFaults(ctx: RequestContext): Reply {
  const cleared = ctx.state.faults.length;
  ctx.state.faults = [];
  return json(200, { cleared });
}

function deleteFault(ctx: RequestContext, [id]: string[]): Reply {
  const before = ctx.state.faults.length;
  ctx.state.faults = ctx.state.faults.filter((fault) => fault.id !== id);
  if (ctx.state.faults.length === before) return json(404, { error: 'not_found', message: `No fault ${id}` });
  return json(200, { cleared: 1 });
}

function listUsers(): Reply {
  return json(
    200,
    SANDBOX_ACCOUNTS.map((account) => ({
      email: account.email,
      name: account.name,
      account_id: account.accountId,
      role: account.role,
      site_ids: account.siteIds,
    })),
  );
}

function userEvent(ctx: RequestContext, [email = '', event = '']: string[]): Reply {
  const account = findAccount(email);
  const effect = USER_EVENTS[event];
  if (!account || !effect) return json(404, { error: 'not_found', message: `Unknown user ${email}` });
  const revoked = revokeUserGrants(ctx.state, account.email, effect.reason, ctx.state.config.clientId);
  if (effect.endsSessions) endSessionsOf(ctx.state, account.email);
  return json(200, { user_email: account.email, event, revoked_grants: revoked });
}

function grantView(grant: Grant) {
  return {
    id: grant.id,
    user_email: grant.userEmail,
    client_id: grant.clientId,
    scopes: grant.scopes,
    created_at: isoTime(grant.createdAt),
    revoked: grant.revoked,
    revoked_reason: grant.revokedReason,
    revoked_at: grant.revokedAt === null ? null : isoTime(grant.revokedAt),
    generation: grant.generation,
    last_rotated_at: grant.lastRotatedAt === null ? null : isoTime(grant.lastRotatedAt),
    has_refresh_token: grant.currentRefreshToken !== null,
  };
}

// Test aid only (the simulator is never Atlassian): every token it issued since the last reset (Bitbucket's
// too) and the client secrets, so a test can scan the app's logs and pages for any of them.
function listIssuedSecrets(ctx: RequestContext): Reply {
  const { state } = ctx;
  const bitbucket = state.bitbucket;
  return json(200, {
    access_tokens: [...state.accessTokens.keys(), ...bitbucket.accessTokens.keys()],
    refresh_tokens: [...state.refreshTokens.keys(), ...bitbucket.refreshTokens.keys()],
    client_secret: state.config.clientSecret,
    bitbucket_client_secret: bitbucket.config.consumerSecret,
  });
}

function listGrants(ctx: RequestContext): Reply {
  return json(200, [...ctx.state.grants.values()].map(grantView));
}
