// Bitbucket token families: one per authorization, rotating refresh tokens, reuse refused (the
// family is revoked), unused-token expiry, revocation by the user or by a consumer change.
import { randomBytes, randomInt } from 'node:crypto';
import type { SimClock } from '../clock';
import { recordSecret } from '../secret-sink';
import type { BitbucketState, Family, FamilyRevokeReason } from './state';

export interface IssuedTokens {
  family: Family;
  accessToken: string;
  refreshToken: string;
}

export type RefreshOutcome =
  | ({ kind: 'rotated' | 'reused_within_leeway' } & IssuedTokens)
  | { kind: 'dead'; reason: FamilyRevokeReason | 'unknown_token' | 'rejected_reuse' };

// Opaque strings of varying length, so that no client assumes one.
function opaque(min: number, max: number): string {
  return randomBytes(randomInt(min, max)).toString('base64url');
}

export function createFamily(state: BitbucketState, clock: SimClock, userEmail: string): IssuedTokens {
  const family: Family = {
    id: `bb-grant-${state.nextFamilyNumber++}`,
    userEmail,
    consumerKey: state.config.consumerKey,
    scopes: [...state.config.scopes],
    createdAt: clock.now(),
    generation: 0,
    lastRotatedAt: null,
    currentRefreshToken: null,
    accessTokens: [],
    revoked: false,
    revokedReason: null,
    revokedAt: null,
  };
  state.families.set(family.id, family);
  return { family, refreshToken: issueRefreshToken(state, clock, family), accessToken: issueAccessToken(state, clock, family) };
}

export function refreshFamily(state: BitbucketState, clock: SimClock, token: string, consumerKey: string): RefreshOutcome {
  const record = state.refreshTokens.get(token);
  const family = record ? state.families.get(record.familyId) : undefined;
  if (!record || !family || family.consumerKey !== consumerKey) return { kind: 'dead', reason: 'unknown_token' };
  if (family.revoked) return { kind: 'dead', reason: family.revokedReason ?? 'unknown_token' };
  const now = clock.now();
  if (record.rotatedAt !== null) return answerReuse(state, clock, family, record.rotatedAt);
  if (now - record.issuedAt > state.config.unusedExpirySeconds * 1000) {
    revokeFamily(state, clock, family, 'unused_expired');
    return { kind: 'dead', reason: 'unused_expired' };
  }
  record.rotatedAt = now;
  family.generation += 1;
  family.lastRotatedAt = now;
  const refreshToken = issueRefreshToken(state, clock, family);
  return { kind: 'rotated', family, refreshToken, accessToken: issueAccessToken(state, clock, family) };
}

function answerReuse(state: BitbucketState, clock: SimClock, family: Family, rotatedAt: number): RefreshOutcome {
  const within = clock.now() - rotatedAt < state.config.leewaySeconds * 1000;
  if (within && family.currentRefreshToken) {
    return {
      kind: 'reused_within_leeway',
      family,
      refreshToken: family.currentRefreshToken,
      accessToken: issueAccessToken(state, clock, family),
    };
  }
  revokeFamily(state, clock, family, 'reuse_detected');
  return { kind: 'dead', reason: 'rejected_reuse' };
}

function issueRefreshToken(state: BitbucketState, clock: SimClock, family: Family): string {
  const token = opaque(18, 40);
  recordSecret(token);
  state.refreshTokens.set(token, { token, familyId: family.id, issuedAt: clock.now(), rotatedAt: null });
  family.currentRefreshToken = token;
  return token;
}

// Unlike Atlassian, a refresh does not revoke the family's earlier access tokens: they live out their 2 hours.
function issueAccessToken(state: BitbucketState, clock: SimClock, family: Family): string {
  const token = opaque(90, 140);
  recordSecret(token);
  const expiresAt = clock.now() + state.config.accessTokenTtlSeconds * 1000;
  state.accessTokens.set(token, { token, familyId: family.id, expiresAt, revoked: false });
  family.accessTokens.push(token);
  return token;
}

export function revokeFamily(state: BitbucketState, clock: SimClock, family: Family, reason: FamilyRevokeReason): void {
  if (family.revoked) return;
  family.revoked = true;
  family.revokedReason = reason;
  family.revokedAt = clock.now();
  for (const token of family.accessTokens) {
    const record = state.accessTokens.get(token);
    if (record) record.revoked = true;
  }
}

/** The user revoked the consumer's access (Personal settings → App authorizations): all their families die. */
export function revokeUserFamilies(state: BitbucketState, clock: SimClock, userEmail: string): number {
  let revoked = 0;
  for (const family of state.families.values()) {
    if (family.userEmail !== userEmail || family.consumerKey !== state.config.consumerKey || family.revoked) continue;
    revokeFamily(state, clock, family, 'user_revoked');
    revoked += 1;
  }
  return revoked;
}

/** Editing the consumer's permissions revokes every token it ever issued. */
export function changeConsumerPermissions(state: BitbucketState, clock: SimClock, scopes?: string[]): number {
  if (scopes) state.config.scopes = [...new Set(scopes)];
  let revoked = 0;
  for (const family of state.families.values()) {
    if (family.consumerKey !== state.config.consumerKey || family.revoked) continue;
    revokeFamily(state, clock, family, 'permissions_changed');
    revoked += 1;
  }
  return revoked;
}

export type AccessCheck = { ok: true; family: Family } | { ok: false; expired: boolean };

export function checkAccessToken(state: BitbucketState, clock: SimClock, token: string): AccessCheck {
  const record = state.accessTokens.get(token);
  const family = record ? state.families.get(record.familyId) : undefined;
  if (!record || !family || record.revoked || family.revoked) return { ok: false, expired: false };
  if (clock.now() >= record.expiresAt) return { ok: false, expired: true };
  return { ok: true, family };
}
