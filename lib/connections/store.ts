import type { Sql, TransactionSql } from 'postgres';
import type { AccessibleResource, Profile, TokenSet } from '../atlassian/oauth';
import type { Product } from '../atlassian/products';
import { encryptSecret, type KeyRing } from '../tokens/crypto';
import { recordTransition } from './transitions';
import { recordEvent } from './events';

export interface NewTokenFamily {
  product: Product;
  tokens: TokenSet;
  profile: Profile;
  sites: AccessibleResource[];
}

export interface StoreContext {
  sql: Sql;
  keys: KeyRing;
  appUrl: string;
  now?: Date;
  /** First proactive refresh this long before the new token expires (REFRESH_MARGIN_SECONDS). */
  refreshMarginSeconds?: number;
}

function firstRefreshAt(ctx: StoreContext, family: NewTokenFamily, at: Date): Date {
  return new Date(at.getTime() + (family.tokens.expiresIn - (ctx.refreshMarginSeconds ?? 300)) * 1000);
}

async function replaceSites(tx: TransactionSql, connectionId: string, sites: AccessibleResource[]): Promise<void> {
  await tx`delete from connection_sites where connection_id = ${connectionId}`;
  for (const s of sites) {
    await tx`insert into connection_sites (connection_id, cloud_id, name, url, scopes, avatar_url)
             values (${connectionId}, ${s.id}, ${s.name}, ${s.url}, ${s.scopes}, ${s.avatarUrl ?? null})`;
  }
}

function tokenColumns(f: NewTokenFamily, keys: KeyRing, at: Date) {
  return {
    access_token_enc: encryptSecret(f.tokens.accessToken, keys),
    refresh_token_enc: f.tokens.refreshToken ? encryptSecret(f.tokens.refreshToken, keys) : null,
    access_expires_at: new Date(at.getTime() + f.tokens.expiresIn * 1000),
    refresh_token_issued_at: at,
    scopes: f.tokens.scope,
    account_id: f.profile.accountId,
    account_name: f.profile.name,
    account_email: f.profile.email,
  };
}

/** Stores a new grant as one connection (one token family) with its sites, its event and its webhook. */
export async function createConnection(ctx: StoreContext, userId: string, family: NewTokenFamily): Promise<string> {
  const at = ctx.now ?? new Date();
  const cols = tokenColumns(family, ctx.keys, at);
  return ctx.sql.begin(async (tx) => {
    const [{ id }] = await tx<{ id: string }[]>`
      insert into connections ${tx({ ...cols, user_id: userId, product: family.product, status: 'active', last_refreshed_at: at, last_used_at: at, next_refresh_at: firstRefreshAt(ctx, family, at), created_at: at, updated_at: at })}
      returning id`;
    await replaceSites(tx, id, family.sites);
    await recordEvent(tx, id, { type: 'connected', tokenGeneration: 1, data: { sites: family.sites.length } }, at);
    await recordTransition(tx, 'connection.created', id, ctx.appUrl, at);
    return id;
  });
}

/**
 * Reconnect: the same row (id, history, subscriptions) gets the new token family, scopes and sites.
 * The generation keeps counting up so that no older writer can win.
 */
export async function replaceTokenFamily(ctx: StoreContext, connectionId: string, family: NewTokenFamily): Promise<number> {
  const at = ctx.now ?? new Date();
  const cols = tokenColumns(family, ctx.keys, at);
  return ctx.sql.begin(async (tx) => {
    await tx`select 1 from connections where id = ${connectionId} for update`;
    const [{ token_generation }] = await tx<{ token_generation: number }[]>`
      update connections set ${tx({ ...cols, status: 'active', reason: null, consecutive_failures: 0, last_error_code: null, last_error_message: null, refresh_outcome_unknown_at: null, last_refreshed_at: at, next_refresh_at: firstRefreshAt(ctx, family, at), disconnected_at: null, updated_at: at })},
        token_generation = token_generation + 1
      where id = ${connectionId} returning token_generation`;
    await tx`delete from refresh_attempts where connection_id = ${connectionId}`;
    await replaceSites(tx, connectionId, family.sites);
    await recordEvent(tx, connectionId, { type: 'reconnected', tokenGeneration: token_generation }, at);
    await recordTransition(tx, 'connection.reconnected', connectionId, ctx.appUrl, at);
    return token_generation;
  });
}
