import { eq, sql } from 'drizzle-orm';
import type { AccessibleResource, Profile, TokenSet } from '../oauth/types';
import type { Product } from '../providers/registry';
import type { Executor } from '../db';
import { connections, connectionSites, refreshAttempts } from '../db/schema';
import { encryptSecret, type KeyRing } from '../crypto';
import { recordTransition } from './transitions';
import { consentColumns } from './renewal';

export interface NewTokenFamily {
  product: Product;
  tokens: TokenSet;
  profile: Profile;
  sites: AccessibleResource[];
}

export interface StoreContext {
  db: Executor;
  keys: KeyRing;
  appUrl: string;
  now?: Date;
  /** First proactive refresh this long before the new token expires (REFRESH_MARGIN_SECONDS). */
  refreshMarginSeconds?: number;
}

function firstRefreshAt(ctx: StoreContext, family: NewTokenFamily, at: Date): Date {
  return new Date(at.getTime() + (family.tokens.expiresIn - (ctx.refreshMarginSeconds ?? 300)) * 1000);
}

async function replaceSites(tx: Executor, connectionId: string, sites: AccessibleResource[]): Promise<void> {
  await tx.delete(connectionSites).where(eq(connectionSites.connectionId, connectionId));
  if (sites.length === 0) return;
  await tx
    .insert(connectionSites)
    .values(sites.map((s) => ({ connectionId, cloudId: s.id, name: s.name, url: s.url, scopes: s.scopes, avatarUrl: s.avatarUrl ?? null })));
}

function tokenColumns(f: NewTokenFamily, keys: KeyRing, at: Date) {
  return {
    accessTokenEnc: encryptSecret(f.tokens.accessToken, keys),
    refreshTokenEnc: f.tokens.refreshToken ? encryptSecret(f.tokens.refreshToken, keys) : null,
    accessExpiresAt: new Date(at.getTime() + f.tokens.expiresIn * 1000),
    refreshTokenIssuedAt: at,
    scopes: f.tokens.scope,
    accountId: f.profile.accountId,
    accountName: f.profile.name,
    accountEmail: f.profile.email,
  } satisfies Partial<typeof connections.$inferInsert>;
}

/** Stores a new grant as one connection (one token family) with its sites, its event and its webhook. */
export async function createConnection(ctx: StoreContext, userId: string, family: NewTokenFamily): Promise<string> {
  const at = ctx.now ?? new Date();
  const cols = tokenColumns(family, ctx.keys, at);
  return ctx.db.transaction(async (tx) => {
    const [{ id }] = await tx
      .insert(connections)
      .values({
        ...cols,
        ...consentColumns(family.product, at),
        userId,
        product: family.product,
        status: 'active',
        lastRefreshedAt: at,
        lastUsedAt: at,
        nextRefreshAt: firstRefreshAt(ctx, family, at),
        createdAt: at,
        updatedAt: at,
      })
      .returning({ id: connections.id });
    await replaceSites(tx, id!, family.sites);
    const event = { tokenGeneration: 1, data: { sites: family.sites.length } };
    await recordTransition(tx, { type: 'created', connectionId: id!, appUrl: ctx.appUrl, at, event });
    return id!;
  });
}

/**
 * Reconnect: the same row (id, history, subscriptions) gets the new token family, scopes and sites.
 * The generation keeps counting up so that no older writer can win.
 */
export async function replaceTokenFamily(ctx: StoreContext, connectionId: string, family: NewTokenFamily): Promise<number> {
  const at = ctx.now ?? new Date();
  const cols = tokenColumns(family, ctx.keys, at);
  return ctx.db.transaction(async (tx) => {
    const [before] = await tx
      .select({ status: connections.status, renewWarnedAt: connections.renewWarnedAt })
      .from(connections)
      .where(eq(connections.id, connectionId))
      .for('update');
    const [{ generation }] = await tx
      .update(connections)
      .set({
        ...cols,
        ...consentColumns(family.product, at),
        status: 'active',
        reason: null,
        consecutiveFailures: 0,
        lastErrorCode: null,
        lastErrorMessage: null,
        refreshOutcomeUnknownAt: null,
        lastRefreshedAt: at,
        nextRefreshAt: firstRefreshAt(ctx, family, at),
        disconnectedAt: null,
        updatedAt: at,
        tokenGeneration: sql`${connections.tokenGeneration} + 1`,
      })
      .where(eq(connections.id, connectionId))
      .returning({ generation: connections.tokenGeneration });
    await tx.delete(refreshAttempts).where(eq(refreshAttempts.connectionId, connectionId));
    await replaceSites(tx, connectionId, family.sites);
    // A new consent on a live family already in its renewal window renews it: the timeline says "Renewed".
    // (Connecting the same account again earlier is an ordinary reconnect, though it too starts a new year.)
    const renewed = !!before?.renewWarnedAt && (before.status === 'active' || before.status === 'degraded');
    const event = { tokenGeneration: generation, code: renewed ? 'renewed' : null };
    await recordTransition(tx, { type: 'reconnected', connectionId, appUrl: ctx.appUrl, at, event });
    return generation!;
  });
}
