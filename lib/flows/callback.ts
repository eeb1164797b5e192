import { createSession } from '../auth/sessions';
import type { AccessibleResource, Profile, TokenSet } from '../oauth/types';
import { LEGACY_SIGN_IN_PRODUCT, productLabel, providerOf, type Product } from '../providers/registry';
import { connectGrant, replaceTokenFamily } from '../connections/store';
import { providerFor, siteNoun, type ProviderApp } from '../providers';
import { and, eq, isNull, ne, sql } from 'drizzle-orm';
import { connections, oauthStates, users } from '../db/schema';
import { hashSecret } from '../secrets';
import { bindSignInAccount, isLookAlikeEmail, upsertUser } from '../users';
import { callbackUrl, type FlowContext } from './context';
import { safeRedirect } from '../auth/redirect';

export type CallbackResult =
  | {
      ok: true;
      kind: 'signin';
      sessionToken: string;
      expires: Date;
      user: { id: string; email: string };
      redirectTo: string;
      /** The connect link this sign-in was a detour for: the caller opens it next (resumeConnectSession). */
      connectSessionId?: string;
    }
  | { ok: true; kind: 'connected' | 'reconnected'; connectionId: string; product: Product }
  | { ok: false; status: number; code: string; message: string; product?: Product; connectionId?: string };

type StateRow = typeof oauthStates.$inferSelect;

const START_AGAIN = 'Nothing changed. Please start again.';

const fail = (status: number, code: string, message: string): CallbackResult => ({ ok: false, status, code, message });

/** Who is calling back: the signed-in user (if any) and the flow nonce cookie of their browser (if any). */
export interface CallbackCaller {
  sessionUserId: string | null;
  browserNonce: string | null;
}

export const OTHER_BROWSER_MESSAGE =
  'This sign-in or connection was started in another browser (or its cookie expired), so it cannot be finished here. ' +
  'For your safety nothing changed: nobody was signed in and no Atlassian account was connected. Start again from this browser.';

async function readState(ctx: FlowContext, state: string | null, caller: CallbackCaller) {
  if (!state) return fail(400, 'missing_state', `This link is incomplete: it carries no state. ${START_AGAIN}`);
  const [row] = await ctx.db.select().from(oauthStates).where(eq(oauthStates.stateHash, hashSecret(state)));
  if (!row) return fail(400, 'unknown_state', `This link is not valid. ${START_AGAIN}`);
  // Checked first, and the state is left as it is: its real owner can still finish in their own browser.
  if (!caller.browserNonce || !row.browserNonceHash || hashSecret(caller.browserNonce) !== row.browserNonceHash) {
    return fail(403, 'other_browser', OTHER_BROWSER_MESSAGE);
  }
  if (row.usedAt) return fail(400, 'state_used', `This link was already used. ${START_AGAIN}`);
  if (row.expiresAt <= (ctx.now?.() ?? new Date())) return fail(400, 'state_expired', `This link expired (it lasts 10 minutes). ${START_AGAIN}`);
  if (row.purpose !== 'signin' && row.userId !== caller.sessionUserId) {
    return fail(403, 'state_mismatch', 'This authorization was started by another user. Sign in as that user, or start again.');
  }
  return row;
}

// Single use even under a replay race: only one caller flips used_at.
async function consumeState(ctx: FlowContext, state: string): Promise<boolean> {
  const rows = await ctx.db
    .update(oauthStates)
    .set({ usedAt: sql`now()` })
    .where(and(eq(oauthStates.stateHash, hashSecret(state)), isNull(oauthStates.usedAt)))
    .returning({ stateHash: oauthStates.stateHash });
  return rows.length === 1;
}

function providerError(query: URLSearchParams, issuer: string): CallbackResult | undefined {
  const error = query.get('error');
  if (!error) return undefined;
  if (error === 'access_denied') return fail(400, 'access_denied', 'You cancelled — nothing changed.');
  return fail(400, 'authorization_error', `${issuer} did not authorize the request (${error.slice(0, 40)}). ${START_AGAIN}`);
}

/** The product a state row was started for: sign-in rows written before products were stored are Atlassian's. */
const productOf = (ctx: FlowContext, row: StateRow): Product => row.product ?? (row.purpose === 'signin' ? LEGACY_SIGN_IN_PRODUCT : ctx.signInProduct);

/** The 3LO callback: validates state, exchanges the code, then signs in, connects or reconnects. */
export async function handleOAuthCallback(ctx: FlowContext, query: URLSearchParams, caller: CallbackCaller): Promise<CallbackResult> {
  const state = query.get('state');
  const row = await readState(ctx, state, caller);
  if ('ok' in row) return row;
  if (!(await consumeState(ctx, state!))) return fail(400, 'state_used', `This link was already used. ${START_AGAIN}`);
  const product = productOf(ctx, row);
  const result = await finishFlow(ctx, row, product, query);
  // A failure past the state names its product (and connection): the app's page for it says which (lib/pages/dead-ends.ts).
  return result.ok ? result : { ...result, product, ...(row.connectionId ? { connectionId: row.connectionId } : {}) };
}

async function finishFlow(ctx: FlowContext, row: StateRow, product: Product, query: URLSearchParams): Promise<CallbackResult> {
  const provider = providerFor(product);
  const denied = providerError(query, provider.issuerName);
  if (denied) return denied;
  const app = ctx.apps(product);
  if (!app) return fail(400, 'product_not_configured', `${productLabel(product)} is not configured on this server. Nothing changed.`);
  const code = query.get('code');
  if (!code) return fail(400, 'missing_code', `${provider.issuerName} sent no authorization code. ${START_AGAIN}`);
  const grant = await exchange(ctx, product, app, code);
  if ('ok' in grant) return grant;
  if (row.purpose === 'signin') return signIn(ctx, product, grant.profile, row);
  return storeGrant(ctx, row, product, grant);
}

interface Grant {
  tokens: TokenSet;
  profile: Profile;
  /** Undefined when the provider did not list them (answered below, after the refresh-token check). */
  sites?: AccessibleResource[];
}

async function exchange(ctx: FlowContext, product: Product, app: ProviderApp, code: string): Promise<Grant | CallbackResult> {
  const provider = providerFor(product);
  let tokens: TokenSet;
  try {
    tokens = await provider.exchangeCode(app, code, callbackUrl(ctx));
  } catch {
    return fail(502, 'code_exchange_failed', `${provider.issuerName} did not accept the authorization. ${START_AGAIN}`);
  }
  try {
    const details = await provider.grantDetails(app, tokens.accessToken);
    return { tokens, ...details };
  } catch {
    return fail(502, 'sites_unavailable', `${provider.issuerName} did not tell who you are or list your ${siteNoun(product)}. ${START_AGAIN}`);
  }
}

/** The signed-in user's account is bound to another provider account: refused, nothing written. */
class OtherAccount extends Error {}

async function signIn(ctx: FlowContext, product: Product, profile: Profile, row: StateRow): Promise<CallbackResult> {
  const provider = providerFor(product);
  const issuer = provider.issuerName;
  // Matching users by email is only sound when the provider vouches for the address.
  if (profile.emailVerified === false || !profile.email) {
    return fail(403, 'email_not_verified', `${issuer} has not verified the email address of this account. Verify it in your ${issuer} account settings, then sign in again. Nothing changed.`);
  }
  if (isLookAlikeEmail(profile.email)) {
    return fail(403, 'email_look_alike', `The email address of this ${issuer} account is written with look-alike characters that read as another, plain address. Nothing changed.`);
  }
  if (!profile.accountId) return fail(502, 'sites_unavailable', `${issuer} did not tell who you are. ${START_AGAIN}`);
  const now = ctx.now?.() ?? new Date();
  const verifiedAt = profile.emailVerified ? now : null;
  try {
    return await ctx.db.transaction(async (tx) => {
      // The user row stays locked from here to the commit: two first sign-ins with one email bind one account.
      const user = await upsertUser(tx, profile.email, profile.name || null, ctx.adminEmails);
      if ((await bindSignInAccount(tx, user.id, providerOf(product).id, profile.accountId)) === 'other_account') throw new OtherAccount();
      await tx
        .update(users)
        .set({ image: profile.picture ?? null, ...(verifiedAt ? { emailVerified: verifiedAt } : {}) })
        .where(eq(users.id, user.id));
      const session = await createSession(tx, user.id, now);
      return {
        ok: true,
        kind: 'signin',
        sessionToken: session.token,
        expires: session.expires,
        user: { id: user.id, email: user.email },
        redirectTo: safeRedirect(row.redirectTo, ctx.appUrl),
        ...(row.connectSessionId ? { connectSessionId: row.connectSessionId } : {}),
      } as const;
    });
  } catch (err) {
    if (!(err instanceof OtherAccount)) throw err;
    return fail(
      403,
      'signin_account_mismatch',
      `This email address belongs to a Reconnect user who signs in with a different ${issuer} account, so this account cannot sign in as them. Nothing changed.`,
    );
  }
}

async function storeGrant(ctx: FlowContext, row: StateRow, product: Product, grant: Grant): Promise<CallbackResult> {
  const { tokens, profile } = grant;
  const issuer = providerFor(product).issuerName;
  if (!tokens.refreshToken) return fail(400, 'no_refresh_token', `${issuer} issued no refresh token (offline access was not granted). ${START_AGAIN}`);
  const sites = grant.sites ?? [];
  if (sites.length === 0) {
    return fail(400, 'no_sites', `Your ${issuer} account has no ${productLabel(product)} ${siteNoun(product, 1)} this app can access. Nothing changed.`);
  }
  const store = { db: ctx.db, keys: ctx.keys, appUrl: ctx.appUrl, refreshMarginSeconds: ctx.refreshMarginSeconds, now: ctx.now?.() };
  const family = { product, tokens, profile, sites };
  if (row.purpose === 'connect') {
    // The same account connected again (even by two first connects at once): its live connection gets the new family, never a twin.
    const { connectionId, created } = await connectGrant(store, row.userId!, family);
    return { ok: true, kind: created ? 'connected' : 'reconnected', connectionId, product };
  }
  const [existing] = await ctx.db
    .select({ accountId: connections.accountId, accountEmail: connections.accountEmail })
    .from(connections)
    .where(and(eq(connections.id, row.connectionId!), eq(connections.userId, row.userId!), ne(connections.status, 'disconnected')));
  if (!existing) return fail(404, 'connection_not_found', 'That connection no longer exists. Nothing changed.');
  if (existing.accountId && existing.accountId !== profile.accountId) {
    return fail(409, 'account_mismatch', `You authorized as ${profile.email || profile.name}, but this connection belongs to ${existing.accountEmail ?? `another ${issuer} account`}. Reconnect with that account — nothing changed.`);
  }
  await replaceTokenFamily(store, row.connectionId!, family);
  return { ok: true, kind: 'reconnected', connectionId: row.connectionId!, product };
}

