import { and, eq, ne, sql } from 'drizzle-orm';
import type { AccessibleResource, Profile, TokenSet } from '../oauth/types';
import type { Product } from '../providers/registry';
import type { Executor, Tx } from '../db';
import { connections, connectionSites, refreshAttempts } from '../db/schema';
import { encryptSecret, type KeyRing } from '../crypto';
import { recordTransition } from './transitions';
import { consentColumns } from './renewal';

export interface NewTokenFamily {
  product: Product;
  tokens: TokenSet;
  /** `accountId` null: the provider account is not known (such connections are never matched as "the same account"). */
  profile: Omit<Profile, 'accountId'> & { accountId: string | null };
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

/** The new connection's row: the grant's tokens, account and consent, first refresh scheduled. */
function newConnectionRow(ctx: StoreContext, userId: string, family: NewTokenFamily, at: Date) {
  return {
    ...tokenColumns(family, ctx.keys, at),
    ...consentColumns(family.product, at),
    userId,
    product: family.product,
    status: 'active' as const,
    lastRefreshedAt: at,
    lastUsedAt: at,
    nextRefreshAt: firstRefreshAt(ctx, family, at),
    createdAt: at,
    updatedAt: at,
  } satisfies typeof connections.$inferInsert;
}

async function recordCreated(tx: Tx, ctx: StoreContext, id: string, family: NewTokenFamily, at: Date): Promise<void> {
  await replaceSites(tx, id, family.sites);
  const event = { tokenGeneration: 1, data: { sites: family.sites.length } };
  await recordTransition(tx, { type: 'created', connectionId: id, appUrl: ctx.appUrl, at, event });
}

/**
 * Stores a new grant as one connection (one token family) with its sites, its event and its webhook. A live
 * connection of the same person, product and account already there is refused by the unique index
 * (connections_live_account_idx): the connect flow uses connectGrant, which reconnects it instead.
 */
export async function createConnection(ctx: StoreContext, userId: string, family: NewTokenFamily): Promise<string> {
  const at = ctx.now ?? new Date();
  return ctx.db.transaction(async (tx) => {
    const [{ id }] = await tx.insert(connections).values(newConnectionRow(ctx, userId, family, at)).returning({ id: connections.id });
    await recordCreated(tx, ctx, id!, family, at);
    return id!;
  });
}

/**
 * A grant from the connect flow: a new connection, or, when the person already has a live connection of this
 * product and account, that connection reconnected (same row, the new family). Two first connects of one
 * account at the same moment end the same way: the index makes the second insert wait for the first and then
 * do nothing, and the second reconnects the row the first made. Never a twin.
 */
export async function connectGrant(ctx: StoreContext, userId: string, family: NewTokenFamily): Promise<{ connectionId: string; created: boolean }> {
  const at = ctx.now ?? new Date();
  return ctx.db.transaction(async (tx) => {
    // A retry only if the live connection the insert collided with was disconnected before it could be read.
    for (;;) {
      const [inserted] = await tx
        .insert(connections)
        .values(newConnectionRow(ctx, userId, family, at))
        .onConflictDoNothing({ target: [connections.userId, connections.product, connections.accountId], where: sql`status <> 'disconnected'` })
        .returning({ id: connections.id });
      if (inserted) {
        await recordCreated(tx, ctx, inserted.id, family, at);
        return { connectionId: inserted.id, created: true };
      }
      const [live] = await tx
        .select({ id: connections.id })
        .from(connections)
        .where(
          and(
            eq(connections.userId, userId),
            eq(connections.product, family.product),
            eq(connections.accountId, family.profile.accountId ?? ''),
            ne(connections.status, 'disconnected'),
          ),
        );
      if (!live) continue;
      await replaceFamilyIn(tx, ctx, live.id, family, at);
      return { connectionId: live.id, created: false };
    }
  });
}

/**
 * Reconnect: the same row (id, history, subscriptions) gets the new token family, scopes and sites.
 * The generation keeps counting up so that no older writer can win.
 */
export async function replaceTokenFamily(ctx: StoreContext, connectionId: string, family: NewTokenFamily): Promise<number> {
  const at = ctx.now ?? new Date();
  return ctx.db.transaction((tx) => replaceFamilyIn(tx, ctx, connectionId, family, at));
}

async function replaceFamilyIn(tx: Tx, ctx: StoreContext, connectionId: string, family: NewTokenFamily, at: Date): Promise<number> {
  const cols = tokenColumns(family, ctx.keys, at);
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
}
