// Token families, for every provider: one consent's chain of rotating refresh tokens and the access tokens
// they produced. Rotation, reuse within a leeway, family revocation on reuse outside it, inactivity expiry and
// an optional absolute lifetime counted from the consent. A provider sets the rules and the token strings.
import { isoTime, type SimClock } from './clock';

export interface Family {
  id: string;
  userEmail: string;
  clientId: string;
  scopes: string[];
  createdAt: number;
  /** The consent (authorization_code exchange) that started the family; refreshes never move it. */
  consentedAt: number;
  generation: number;
  lastRotatedAt: number | null;
  currentRefreshToken: string | null;
  accessTokens: string[];
  revoked: boolean;
  revokedReason: string | null;
  revokedAt: number | null;
}

export interface RefreshTokenRecord {
  token: string;
  familyId: string;
  issuedAt: number;
  /** Start of the inactivity window: issue time, or last use when a refresh does not rotate. */
  activeSince: number;
  rotatedAt: number | null;
}

export interface AccessTokenRecord {
  token: string;
  familyId: string;
  issuedAt: number;
  expiresAt: number;
  /** Time from which the token is refused (set by a later refresh or a revocation). */
  revokeAt: number | null;
}

/** A provider's token rules, read at each use (the control API may change them). */
export interface FamilyRules {
  leewaySeconds: number;
  /** An unused refresh token dies after this long. */
  inactivitySeconds: number;
  inactivityReason: string;
  /** The family dies this long after its consent, however often refreshed; null: no such limit. */
  absoluteLifetimeSeconds: number | null;
  accessTokenTtlSeconds: number;
  /** Earlier access tokens stop working this long after a refresh; null: they live out their lifetime. */
  accessRevokeGraceSeconds: number | null;
  /** Refresh without rotating: no new refresh token, the old one stays valid. */
  omitRefreshToken: boolean;
}

export interface TokenMint {
  refreshToken(): string;
  accessToken(family: Family, issuedAt: number, expiresAt: number): string;
}

export interface IssuedTokens {
  family: Family;
  accessToken: string;
  refreshToken: string | null;
}

export type RefreshOutcome =
  | ({ kind: 'rotated' | 'reused_within_leeway' | 'refreshed_without_rotation' } & IssuedTokens)
  | { kind: 'dead'; reason: string };

export type AccessCheck =
  | { ok: true; family: Family; record: AccessTokenRecord }
  | { ok: false; reason: 'unknown' | 'revoked' | 'expired' | 'revoked_keeping_access' };

export interface FamilyStoreOptions {
  idPrefix: string;
  clock: SimClock;
  rules(): FamilyRules;
  mint: TokenMint;
  onSecretIssued(secret: string): void;
  /** A revocation for this reason leaves the access tokens working (the API then answers its own way). */
  keepsAccessTokens?: string;
}

export class FamilyStore {
  families = new Map<string, Family>();
  refreshTokens = new Map<string, RefreshTokenRecord>();
  accessTokens = new Map<string, AccessTokenRecord>();
  nextNumber = 1;

  constructor(private readonly options: FamilyStoreOptions) {}

  private now(): number {
    return this.options.clock.now();
  }

  clear(): void {
    this.families.clear();
    this.refreshTokens.clear();
    this.accessTokens.clear();
    this.nextNumber = 1;
  }

  /** A new family from a consent (the code exchange); `withRefreshToken` false issues an access token only. */
  create(input: { userEmail: string; clientId: string; scopes: readonly string[] }, withRefreshToken = true): IssuedTokens {
    const now = this.now();
    const family: Family = {
      id: `${this.options.idPrefix}${this.nextNumber++}`,
      userEmail: input.userEmail,
      clientId: input.clientId,
      scopes: [...input.scopes],
      createdAt: now,
      consentedAt: now,
      generation: 0,
      lastRotatedAt: null,
      currentRefreshToken: null,
      accessTokens: [],
      revoked: false,
      revokedReason: null,
      revokedAt: null,
    };
    this.families.set(family.id, family);
    const refreshToken = withRefreshToken ? this.issueRefreshToken(family) : null;
    return { family, accessToken: this.issueAccessToken(family), refreshToken };
  }

  refresh(token: string, clientId: string): RefreshOutcome {
    const record = this.refreshTokens.get(token);
    const family = record ? this.families.get(record.familyId) : undefined;
    if (!record || !family || family.clientId !== clientId) return { kind: 'dead', reason: 'unknown_token' };
    if (family.revoked) return { kind: 'dead', reason: family.revokedReason ?? 'unknown_token' };

    const rules = this.options.rules();
    const now = this.now();
    const lifetime = rules.absoluteLifetimeSeconds;
    if (lifetime !== null && now - family.consentedAt > lifetime * 1000) return this.kill(family, 'absolute_expired');
    if (record.rotatedAt !== null) return this.answerReuse(family, record.rotatedAt);
    if (now - record.activeSince > rules.inactivitySeconds * 1000) return this.kill(family, rules.inactivityReason);
    if (rules.omitRefreshToken) {
      record.activeSince = now;
      return { kind: 'refreshed_without_rotation', family, accessToken: this.issueAccessToken(family), refreshToken: null };
    }
    record.rotatedAt = now;
    family.generation += 1;
    family.lastRotatedAt = now;
    const refreshToken = this.issueRefreshToken(family);
    return { kind: 'rotated', family, accessToken: this.issueAccessToken(family), refreshToken };
  }

  private answerReuse(family: Family, rotatedAt: number): RefreshOutcome {
    const withinLeeway = this.now() - rotatedAt < this.options.rules().leewaySeconds * 1000;
    if (withinLeeway && family.currentRefreshToken) {
      return {
        kind: 'reused_within_leeway',
        family,
        accessToken: this.issueAccessToken(family),
        refreshToken: family.currentRefreshToken,
      };
    }
    this.revoke(family, 'reuse_detected');
    return { kind: 'dead', reason: 'rejected_reuse' };
  }

  private kill(family: Family, reason: string): RefreshOutcome {
    this.revoke(family, reason);
    return { kind: 'dead', reason };
  }

  private issueRefreshToken(family: Family): string {
    const now = this.now();
    const token = this.options.mint.refreshToken();
    this.options.onSecretIssued(token);
    this.refreshTokens.set(token, { token, familyId: family.id, issuedAt: now, activeSince: now, rotatedAt: null });
    family.currentRefreshToken = token;
    return token;
  }

  private issueAccessToken(family: Family): string {
    const now = this.now();
    const rules = this.options.rules();
    if (rules.accessRevokeGraceSeconds !== null) {
      const revokeAt = now + rules.accessRevokeGraceSeconds * 1000;
      for (const earlier of family.accessTokens) this.scheduleRevocation(earlier, revokeAt);
    }
    const expiresAt = now + rules.accessTokenTtlSeconds * 1000;
    const token = this.options.mint.accessToken(family, now, expiresAt);
    this.options.onSecretIssued(token);
    this.accessTokens.set(token, { token, familyId: family.id, issuedAt: now, expiresAt, revokeAt: null });
    family.accessTokens.push(token);
    return token;
  }

  private scheduleRevocation(token: string, revokeAt: number): void {
    const record = this.accessTokens.get(token);
    if (record && (record.revokeAt === null || record.revokeAt > revokeAt)) record.revokeAt = revokeAt;
  }

  revoke(family: Family, reason: string): void {
    if (family.revoked) return;
    const now = this.now();
    family.revoked = true;
    family.revokedReason = reason;
    family.revokedAt = now;
    if (reason === this.options.keepsAccessTokens) return;
    for (const token of family.accessTokens) this.scheduleRevocation(token, now);
  }

  /** Revokes every live family that `match` picks; returns how many. */
  revokeWhere(match: (family: Family) => boolean, reason: string): number {
    let revoked = 0;
    for (const family of this.families.values()) {
      if (family.revoked || !match(family)) continue;
      this.revoke(family, reason);
      revoked += 1;
    }
    return revoked;
  }

  checkAccessToken(token: string): AccessCheck {
    const record = this.accessTokens.get(token);
    const family = record ? this.families.get(record.familyId) : undefined;
    if (!record || !family) return { ok: false, reason: 'unknown' };
    const now = this.now();
    if (record.revokeAt !== null && now >= record.revokeAt) return { ok: false, reason: 'revoked' };
    if (now >= record.expiresAt) return { ok: false, reason: 'expired' };
    if (family.revoked) return { ok: false, reason: 'revoked_keeping_access' };
    return { ok: true, family, record };
  }

  save() {
    return {
      families: [...this.families],
      refreshTokens: [...this.refreshTokens],
      accessTokens: [...this.accessTokens],
      nextNumber: this.nextNumber,
    };
  }

  /** Loads save()'s output; families from files written before consent times were kept count as consented `now`. */
  restore(saved: SavedFamilies, now: number): void {
    this.families = new Map(saved.families.map(([id, family]) => [id, { ...family, consentedAt: family.consentedAt ?? now }]));
    this.refreshTokens = new Map(saved.refreshTokens);
    this.accessTokens = new Map(saved.accessTokens);
    this.nextNumber = saved.nextNumber;
  }
}

export interface SavedFamilies {
  families: Array<[string, Omit<Family, 'consentedAt'> & { consentedAt?: number }]>;
  refreshTokens: Array<[string, RefreshTokenRecord]>;
  accessTokens: Array<[string, AccessTokenRecord]>;
  nextNumber: number;
}

/** How the control API lists a family (never a token value). */
export function familyView(family: Family) {
  return {
    id: family.id,
    user_email: family.userEmail,
    client_id: family.clientId,
    scopes: family.scopes,
    created_at: isoTime(family.createdAt),
    consented_at: isoTime(family.consentedAt),
    revoked: family.revoked,
    revoked_reason: family.revokedReason,
    revoked_at: family.revokedAt === null ? null : isoTime(family.revokedAt),
    generation: family.generation,
    last_rotated_at: family.lastRotatedAt === null ? null : isoTime(family.lastRotatedAt),
    has_refresh_token: family.currentRefreshToken !== null && !family.revoked,
  };
}
