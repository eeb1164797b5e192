// What the simulated Atlassian remembers: its app's config, codes, token families and counters.
import type { SimClock } from '../../../simulator/clock';
import type { AuthCode } from '../../../simulator/consent';
import { FamilyStore, type FamilyRules, type SavedFamilies } from '../../../simulator/families';
import type { ProviderHooks } from '../../../simulator/route-table';
import { zeroCounters, type Counters, type IssuedSecrets, type ProviderState } from '../../../simulator/state';
import { findAccount } from '../../../simulator/accounts';
import { newAccessToken, newRefreshToken } from './tokens';

export type DeadTokenError = 'invalid_grant' | 'unauthorized_client';

export interface SimConfig {
  leewaySeconds: number;
  deadTokenError: DeadTokenError;
  accessTokenTtlSeconds: number;
  accessRevokeGraceSeconds: number;
  omitRefreshToken: boolean;
  inactivitySeconds: number;
  /** Atlassian ends every family this long after the consent that started it (365 days). */
  absoluteLifetimeSeconds: number;
  clientId: string;
  clientSecret: string;
}

/** A user's scopes changed: the refresh dies, access tokens stay so the API can answer "scope does not match". */
export const SCOPES_CHANGED = 'scopes_changed';

interface SavedAtlassian {
  config: SimConfig;
  counters: Counters;
  codes: Array<[string, AuthCode]>;
  families: SavedFamilies;
}

export class AtlassianSimState implements ProviderState {
  config: SimConfig;
  counters: Counters = zeroCounters();
  codes = new Map<string, AuthCode>();
  readonly grants: FamilyStore;

  constructor(
    private readonly initialConfig: SimConfig,
    clock: SimClock,
    hooks: ProviderHooks,
  ) {
    this.config = { ...initialConfig };
    this.grants = new FamilyStore({
      idPrefix: 'grant-',
      clock,
      rules: () => this.rules(),
      mint: {
        refreshToken: newRefreshToken,
        accessToken: (family, issuedAt, expiresAt) =>
          newAccessToken({
            accountId: findAccount(family.userEmail)?.accountId ?? family.userEmail,
            scopes: family.scopes,
            issuedAtSeconds: Math.floor(issuedAt / 1000),
            expiresAtSeconds: Math.floor(expiresAt / 1000),
          }),
      },
      onSecretIssued: (secret) => hooks.onSecretIssued(secret),
      keepsAccessTokens: SCOPES_CHANGED,
    });
    hooks.onSecretIssued(initialConfig.clientSecret);
  }

  private rules(): FamilyRules {
    const c = this.config;
    return {
      leewaySeconds: c.leewaySeconds,
      inactivitySeconds: c.inactivitySeconds,
      inactivityReason: 'inactivity_expired',
      absoluteLifetimeSeconds: c.absoluteLifetimeSeconds,
      accessTokenTtlSeconds: c.accessTokenTtlSeconds,
      accessRevokeGraceSeconds: c.accessRevokeGraceSeconds,
      omitRefreshToken: c.omitRefreshToken,
    };
  }

  reset(): void {
    this.config = { ...this.initialConfig };
    this.counters = zeroCounters();
    this.codes.clear();
    this.grants.clear();
  }

  save(): SavedAtlassian {
    return { config: this.config, counters: this.counters, codes: [...this.codes], families: this.grants.save() };
  }

  restore(value: unknown, now: number): void {
    const saved = value as SavedAtlassian;
    this.config = saved.config;
    this.counters = saved.counters;
    this.codes = new Map(saved.codes);
    this.grants.restore(saved.families, now);
  }

  issuedSecrets(): IssuedSecrets {
    return {
      access_tokens: [...this.grants.accessTokens.keys()],
      refresh_tokens: [...this.grants.refreshTokens.keys()],
      client_secrets: { client_secret: this.config.clientSecret },
    };
  }
}
