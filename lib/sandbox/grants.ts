// Token families: creation, rotation, reuse detection, expiry and revocation.
import { findAccount, OFFLINE_SCOPE } from './catalog';
import { recordSecret } from './secret-sink';
import { newAccessToken, newRefreshToken } from './token-strings';
import type { AccessTokenRecord, Grant, RevokeReason, SimState } from './state';

export interface IssuedTokens {
  grant: Grant;
  accessToken: string;
  refreshToken: string | null;
}

export type RefreshOutcome =
  | ({ kind: 'rotated' | 'reused_within_leeway' | 'refreshed_without_rotation' } & IssuedTokens)
  | { kind: 'dead'; reason: RevokeReason | 'unknown_token' | 'rejected_reuse' };

export function createGrant(
  state: SimState,
  input: { userEmail: string; clientId: string; scopes: string[] },
): IssuedTokens {
  const now = state.clock.now();
  const grant: Grant = {
    id: `grant-${state.nextGrantNumber++}`,
    userEmail: input.userEmail,
    clientId: input.clientId,
    scopes: [...input.scopes],
    createdAt: now,
    generation: 0,
    lastRotatedAt: null,
    currentRefreshToken: null,
    refreshTokens: [],
    accessTokens: [],
    revoked: false,
    revokedReason: null,
    revokedAt: null,
  };
  state.grants.set(grant.id, grant);
  const refreshToken = grant.scopes.includes(OFFLINE_SCOPE) ? issueRefreshToken(state, grant) : null;
  return { grant, accessToken: issueAccessToken(state, grant), refreshToken };
}

export function refreshGrant(state: SimState, token: string, clientId: string): RefreshOutcome {
  const record = state.refreshTokens.get(token);
  const grant = record ? state.grants.get(record.grantId) : undefined;
  if (!record || !grant || grant.clientId !== clientId) return { kind: 'dead', reason: 'unknown_token' };
  if (grant.revoked) return { kind: 'dead', reason: grant.revokedReason ?? 'unknown_token' };

  const now = state.clock.now();
  if (now - grant.createdAt > state.config.absoluteLifetimeSeconds * 1000) {
    return killGrant(state, grant, 'absolute_expired');
  }
  if (record.rotatedAt !== null) return answerReuse(state, grant, record.rotatedAt);
  if (now - record.activeSince > state.config.inactivitySeconds * 1000) {
    return killGrant(state, grant, 'inactivity_expired');
  }
  if (state.config.omitRefreshToken) {
    record.activeSince = now;
    return { kind: 'refreshed_without_rotation', grant, accessToken: issueAccessToken(state, grant), refreshToken: null };
  }
  record.rotatedAt = now;
  grant.generation += 1;
  grant.lastRotatedAt = now;
  const refreshToken = issueRefreshToken(state, grant);
  return { kind: 'rotated', grant, accessToken: issueAccessToken(state, grant), refreshToken };
}

function answerReuse(state: SimState, grant: Grant, rotatedAt: number): RefreshOutcome {
  const sinceRotationMs = state.clock.now() - rotatedAt;
  if (sinceRotationMs < state.config.leewaySeconds * 1000 && grant.currentRefreshToken) {
    return {
      kind: 'reused_within_leeway',
      grant,
      accessToken: issueAccessToken(state, grant),
      refreshToken: grant.currentRefreshToken,
    };
  }
  revokeGrant(state, grant, 'reuse_detected');
  return { kind: 'dead', reason: 'rejected_reuse' };
}

function killGrant(state: SimState, grant: Grant, reason: RevokeReason): RefreshOutcome {
  revokeGrant(state, grant, reason);
  return { kind: 'dead', reason };
}

function issueRefreshToken(state: SimState, grant: Grant): string {
  const now = state.clock.now();
  const token = newRefreshToken();
  recordSecret(token);
  state.refreshTokens.set(token, { token, grantId: grant.id, issuedAt: now, activeSince: now, rotatedAt: null });
  grant.refreshTokens.push(token);
  grant.currentRefreshToken = token;
  return token;
}

/** Issues a new access token; every earlier one of the family stops working after the grace. */
function issueAccessToken(state: SimState, grant: Grant): string {
  const now = state.clock.now();
  const revokeAt = now + state.config.accessRevokeGraceSeconds * 1000;
  for (const earlier of grant.accessTokens) scheduleAccessRevocation(state, earlier, revokeAt);

  const expiresAt = now + state.config.accessTokenTtlSeconds * 1000;
  const token = newAccessToken({
    accountId: findAccount(grant.userEmail)?.accountId ?? grant.userEmail,
    scopes: grant.scopes,
    issuedAtSeconds: Math.floor(now / 1000),
    expiresAtSeconds: Math.floor(expiresAt / 1000),
  });
  recordSecret(token);
  state.accessTokens.set(token, { token, grantId: grant.id, issuedAt: now, expiresAt, revokeAt: null });
  grant.accessTokens.push(token);
  return token;
}

function scheduleAccessRevocation(state: SimState, token: string, revokeAt: number): void {
  const record = state.accessTokens.get(token);
  if (record && (record.revokeAt === null || record.revokeAt > revokeAt)) record.revokeAt = revokeAt;
}

export function revokeGrant(state: SimState, grant: Grant, reason: RevokeReason): void {
  if (grant.revoked) return;
  const now = state.clock.now();
  grant.revoked = true;
  grant.revokedReason = reason;
  grant.revokedAt = now;
  // Scope-changed grants keep their access tokens so the API can answer "scope does not match".
  if (reason === 'scopes_changed') return;
  for (const token of grant.accessTokens) scheduleAccessRevocation(state, token, now);
}

export function revokeUserGrants(
  state: SimState,
  userEmail: string,
  reason: RevokeReason,
  clientId: string,
): number {
  let revoked = 0;
  for (const grant of state.grants.values()) {
    if (grant.userEmail !== userEmail || grant.clientId !== clientId || grant.revoked) continue;
    revokeGrant(state, grant, reason);
    revoked += 1;
  }
  return revoked;
}

export type AccessCheck =
  | { ok: true; grant: Grant; record: AccessTokenRecord }
  | { ok: false; reason: 'unauthorized' | 'scope_mismatch' };

export function checkAccessToken(state: SimState, token: string): AccessCheck {
  const record = state.accessTokens.get(token);
  const grant = record ? state.grants.get(record.grantId) : undefined;
  if (!record || !grant) return { ok: false, reason: 'unauthorized' };
  const now = state.clock.now();
  if (now >= record.expiresAt) return { ok: false, reason: 'unauthorized' };
  if (record.revokeAt !== null && now >= record.revokeAt) return { ok: false, reason: 'unauthorized' };
  if (grant.revoked) {
    return { ok: false, reason: grant.revokedReason === 'scopes_changed' ? 'scope_mismatch' : 'unauthorized' };
  }
  return { ok: true, grant, record };
}
