import { exchangeCode, fetchAccessibleResources, fetchProfile, type Profile, type TokenSet } from '../atlassian/oauth';
import { productLabel, siteHasProduct, type Product } from '../atlassian/products';
import { createConnection, replaceTokenFamily } from '../connections/store';
import { hashSecret, newSecret } from '../secrets';
import { upsertUser } from '../users';
import { callbackUrl, type FlowContext } from './context';

export type CallbackResult =
  | { ok: true; kind: 'signin'; ticket: string; redirectTo: string }
  | { ok: true; kind: 'connected' | 'reconnected'; connectionId: string; product: Product }
  | { ok: false; status: number; code: string; message: string };

interface StateRow {
  purpose: 'signin' | 'connect' | 'reconnect';
  user_id: string | null;
  product: Product | null;
  connection_id: string | null;
  redirect_to: string | null;
  expires_at: Date;
  used_at: Date | null;
}

const TICKET_TTL_MS = 60_000;
const START_AGAIN = 'Nothing changed. Please start again.';

const fail = (status: number, code: string, message: string): CallbackResult => ({ ok: false, status, code, message });

async function readState(ctx: FlowContext, state: string | null, sessionUserId: string | null) {
  if (!state) return fail(400, 'missing_state', `This link is incomplete: it carries no state. ${START_AGAIN}`);
  const [row] = await ctx.sql<StateRow[]>`select * from oauth_states where state_hash = ${hashSecret(state)}`;
  if (!row) return fail(400, 'unknown_state', `This link is not valid. ${START_AGAIN}`);
  if (row.used_at) return fail(400, 'state_used', `This link was already used. ${START_AGAIN}`);
  if (row.expires_at <= (ctx.now?.() ?? new Date())) return fail(400, 'state_expired', `This link expired (it lasts 10 minutes). ${START_AGAIN}`);
  if (row.purpose !== 'signin' && row.user_id !== sessionUserId) {
    return fail(403, 'state_mismatch', 'This authorization was started by another user. Sign in as that user, or start again.');
  }
  return row;
}

// Single use even under a replay race: only one caller flips used_at.
async function consumeState(ctx: FlowContext, state: string): Promise<boolean> {
  const rows = await ctx.sql`update oauth_states set used_at = now()
    where state_hash = ${hashSecret(state)} and used_at is null returning 1`;
  return rows.length === 1;
}

function atlassianError(query: URLSearchParams): CallbackResult | undefined {
  const error = query.get('error');
  if (!error) return undefined;
  if (error === 'access_denied') return fail(400, 'access_denied', 'You cancelled — nothing changed.');
  return fail(400, 'authorization_error', `Atlassian did not authorize the request (${error.slice(0, 40)}). ${START_AGAIN}`);
}

/** The 3LO callback: validates state, exchanges the code, then signs in, connects or reconnects. */
export async function handleOAuthCallback(ctx: FlowContext, query: URLSearchParams, sessionUserId: string | null): Promise<CallbackResult> {
  const state = query.get('state');
  const row = await readState(ctx, state, sessionUserId);
  if ('ok' in row) return row;
  if (!(await consumeState(ctx, state!))) return fail(400, 'state_used', `This link was already used. ${START_AGAIN}`);
  const denied = atlassianError(query);
  if (denied) return denied;
  const code = query.get('code');
  if (!code) return fail(400, 'missing_code', `Atlassian sent no authorization code. ${START_AGAIN}`);
  const grant = await exchange(ctx, code);
  if ('ok' in grant) return grant;
  if (row.purpose === 'signin') return signIn(ctx, grant.profile, row.redirect_to);
  return storeGrant(ctx, row, grant.tokens, grant.profile);
}

async function exchange(ctx: FlowContext, code: string): Promise<{ tokens: TokenSet; profile: Profile } | CallbackResult> {
  const oauth = { authUrl: ctx.atlassian.authUrl, clientId: ctx.atlassian.clientId, clientSecret: ctx.atlassian.clientSecret };
  try {
    const tokens = await exchangeCode(oauth, code, callbackUrl(ctx));
    const profile = await fetchProfile({ apiUrl: ctx.atlassian.apiUrl }, tokens.accessToken);
    return { tokens, profile };
  } catch {
    return fail(502, 'code_exchange_failed', `Atlassian did not accept the authorization. ${START_AGAIN}`);
  }
}

async function signIn(ctx: FlowContext, profile: Profile, redirectTo: string | null): Promise<CallbackResult> {
  const user = await upsertUser(ctx.sql, profile.email, profile.name, ctx.adminEmails);
  await ctx.sql`update users set atlassian_account_id = ${profile.accountId} where id = ${user.id}`;
  const ticket = newSecret();
  const expires = new Date((ctx.now?.() ?? new Date()).getTime() + TICKET_TTL_MS);
  await ctx.sql`insert into signin_tickets (ticket_hash, user_id, expires_at) values (${hashSecret(ticket)}, ${user.id}, ${expires})`;
  return { ok: true, kind: 'signin', ticket, redirectTo: safeRedirect(redirectTo) };
}

/** Only same-site paths: an open redirect after sign-in would be a phishing aid. */
export function safeRedirect(target: string | null | undefined): string {
  return target && /^\/(?![/\\])/.test(target) ? target : '/';
}

async function storeGrant(ctx: FlowContext, row: StateRow, tokens: TokenSet, profile: Profile): Promise<CallbackResult> {
  const product = row.product!;
  if (!tokens.refreshToken) return fail(400, 'no_refresh_token', `Atlassian issued no refresh token (offline access was not granted). ${START_AGAIN}`);
  let sites;
  try {
    sites = (await fetchAccessibleResources({ apiUrl: ctx.atlassian.apiUrl }, tokens.accessToken)).filter((s) => siteHasProduct(s.scopes, product));
  } catch {
    return fail(502, 'sites_unavailable', `Atlassian did not list your sites. ${START_AGAIN}`);
  }
  if (sites.length === 0) {
    return fail(400, 'no_sites', `Your Atlassian account has no ${productLabel(product)} site this app can access. Nothing changed.`);
  }
  const store = { sql: ctx.sql, keys: ctx.keys, appUrl: ctx.appUrl, refreshMarginSeconds: ctx.refreshMarginSeconds };
  const family = { product, tokens, profile, sites };
  if (row.purpose === 'connect') {
    return { ok: true, kind: 'connected', connectionId: await createConnection(store, row.user_id!, family), product };
  }
  const [existing] = await ctx.sql<{ account_id: string | null; account_email: string | null }[]>`
    select account_id, account_email from connections
    where id = ${row.connection_id} and user_id = ${row.user_id} and status <> 'disconnected'`;
  if (!existing) return fail(404, 'connection_not_found', 'That connection no longer exists. Nothing changed.');
  if (existing.account_id && existing.account_id !== profile.accountId) {
    return fail(409, 'account_mismatch', `You authorized as ${profile.email}, but this connection belongs to ${existing.account_email ?? 'another Atlassian account'}. Reconnect with that account — nothing changed.`);
  }
  await replaceTokenFamily(store, row.connection_id!, family);
  return { ok: true, kind: 'reconnected', connectionId: row.connection_id!, product };
}

/** Next-auth's credentials step: a ticket is good once, for one minute. */
export async function redeemSigninTicket(ctx: Pick<FlowContext, 'sql'>, ticket: string) {
  const [user] = await ctx.sql<{ id: string; email: string; name: string | null; role: 'user' | 'admin' }[]>`
    with t as (update signin_tickets set used_at = now()
               where ticket_hash = ${hashSecret(ticket)} and used_at is null and expires_at > now() returning user_id)
    select u.id, u.email, u.name, u.role from users u join t on t.user_id = u.id`;
  return user;
}
