// Control routes of the simulated Bitbucket, under /_control/bitbucket/…: counters, config, grants
// (token families), a user revoking the consumer, and the consumer's permissions being changed.
import { z } from 'zod';
import { findAccount } from '../catalog';
import { isoTime } from '../clock';
import { json, readBody, type Reply, type RequestContext } from '../http';
import { BITBUCKET_SCOPES } from './catalog';
import { changeConsumerPermissions, revokeUserFamilies } from './families';
import type { BitbucketState, Family } from './state';

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

export function isBitbucketControlPath(path: string): boolean {
  return path === '/_control/bitbucket' || path.startsWith('/_control/bitbucket/');
}

export async function handleBitbucketControl(ctx: RequestContext): Promise<Reply> {
  const path = ctx.url.pathname.slice('/_control/bitbucket'.length);
  const method = ctx.req.method;
  const bb = ctx.state.bitbucket;
  if (path === '/counters' && method === 'GET') return json(200, bb.counters);
  if (path === '/config' && method === 'GET') return json(200, configView(bb));
  if (path === '/config' && method === 'PATCH') return patchConfig(ctx);
  if (path === '/grants' && method === 'GET') return json(200, [...bb.families.values()].map(familyView));
  if (path === '/consumer/permissions' && method === 'POST') return permissionsChanged(ctx);
  const user = /^\/users\/([^/]+)\/revoke$/.exec(path);
  if (user && method === 'POST') return userRevoked(ctx, decodeURIComponent(user[1] ?? ''));
  if (path === '/issued-secrets' && method === 'GET') {
    return json(200, {
      access_tokens: [...bb.accessTokens.keys()],
      refresh_tokens: [...bb.refreshTokens.keys()],
      client_secret: bb.config.consumerSecret,
    });
  }
  return json(404, { error: 'not_found', message: `No control route ${ctx.url.pathname} for ${method}` });
}

async function parseBody<T>(ctx: RequestContext, schema: z.ZodType<T>): Promise<{ value: T } | { reply: Reply }> {
  const text = await readBody(ctx.req);
  let raw: unknown;
  try {
    raw = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    return { reply: json(400, { error: 'invalid_json', message: 'The body is not valid JSON' }) };
  }
  const result = schema.safeParse(raw);
  if (result.success) return { value: result.data };
  const issue = result.error.issues[0];
  const field =
    issue?.code === 'unrecognized_keys' ? issue.keys.join(', ') : (issue?.path ?? []).map((part) => String(part)).join('.');
  return { reply: json(400, { error: 'invalid_body', field, message: `${field || 'body'}: ${issue?.message ?? 'invalid'}` }) };
}

function configView(bb: BitbucketState) {
  const c = bb.config;
  return {
    consumer_key: c.consumerKey,
    scopes: c.scopes,
    callback_url: c.callbackUrl,
    access_token_ttl_seconds: c.accessTokenTtlSeconds,
    unused_expiry_seconds: c.unusedExpirySeconds,
    leeway_seconds: c.leewaySeconds,
    dead_token_error: c.deadTokenError,
    legacy_scopes_field: c.legacyScopesField,
    max_page_length: c.maxPageLength,
  };
}

async function patchConfig(ctx: RequestContext): Promise<Reply> {
  const parsed = await parseBody(ctx, configPatchSchema);
  if ('reply' in parsed) return parsed.reply;
  const p = parsed.value;
  const c = ctx.state.bitbucket.config;
  c.accessTokenTtlSeconds = p.access_token_ttl_seconds ?? c.accessTokenTtlSeconds;
  c.unusedExpirySeconds = p.unused_expiry_seconds ?? c.unusedExpirySeconds;
  c.leewaySeconds = p.leeway_seconds ?? c.leewaySeconds;
  c.deadTokenError = p.dead_token_error ?? c.deadTokenError;
  c.legacyScopesField = p.legacy_scopes_field ?? c.legacyScopesField;
  c.maxPageLength = p.max_page_length ?? c.maxPageLength;
  if (p.callback_url !== undefined) c.callbackUrl = p.callback_url;
  return json(200, configView(ctx.state.bitbucket));
}

async function permissionsChanged(ctx: RequestContext): Promise<Reply> {
  const parsed = await parseBody(ctx, permissionsSchema);
  if ('reply' in parsed) return parsed.reply;
  const revoked = changeConsumerPermissions(ctx.state.bitbucket, ctx.state.clock, parsed.value.scopes);
  return json(200, { scopes: ctx.state.bitbucket.config.scopes, revoked_grants: revoked });
}

function userRevoked(ctx: RequestContext, email: string): Reply {
  const account = findAccount(email);
  if (!account) return json(404, { error: 'not_found', message: `Unknown user ${email}` });
  const revoked = revokeUserFamilies(ctx.state.bitbucket, ctx.state.clock, account.email);
  return json(200, { user_email: account.email, event: 'revoke', revoked_grants: revoked });
}

/** The same shape as the Atlassian grants of /_control/grants. */
function familyView(family: Family) {
  return {
    id: family.id,
    user_email: family.userEmail,
    client_id: family.consumerKey,
    scopes: family.scopes,
    created_at: isoTime(family.createdAt),
    revoked: family.revoked,
    revoked_reason: family.revokedReason,
    revoked_at: family.revokedAt === null ? null : isoTime(family.revokedAt),
    generation: family.generation,
    last_rotated_at: family.lastRotatedAt === null ? null : isoTime(family.lastRotatedAt),
    has_refresh_token: family.currentRefreshToken !== null && !family.revoked,
  };
}
