// What the simulated Atlassian remembers: its app's config (and, through the core, codes, families, counters).
import { findAccount } from '../../../simulator/accounts';
import type { SimClock } from '../../../simulator/clock';
import type { FamilyRules } from '../../../simulator/families';
import { OAuthProviderState } from '../../../simulator/oauth-state';
import type { ProviderHooks } from '../../../simulator/route-table';
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

export class AtlassianSimState extends OAuthProviderState<SimConfig> {
  protected readonly clientSecretName = 'client_secret';

  constructor(config: SimConfig, clock: SimClock, hooks: ProviderHooks) {
    super(config, clock, hooks, {
      idPrefix: 'grant-',
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
      keepsAccessTokens: SCOPES_CHANGED,
    });
  }

  clientId(): string {
    return this.config.clientId;
  }

  clientSecret(): string {
    return this.config.clientSecret;
  }

  // The config names Atlassian's token rules as the core does.
  protected rules(): FamilyRules {
    return { ...this.config, inactivityReason: 'inactivity_expired' };
  }
}
