// What the simulated Bitbucket Cloud remembers: its OAuth consumer (and, through the core, codes, families and
// counters). The clock, browser sessions and faults are the simulator core's, shared with every provider.
import type { SimClock } from '../../../simulator/clock';
import type { Family, FamilyRules } from '../../../simulator/families';
import { OAuthProviderState } from '../../../simulator/oauth-state';
import type { ProviderHooks } from '../../../simulator/route-table';
import { opaqueString } from '../../../simulator/token-strings';
import { DEFAULT_CONSUMER_SCOPES } from './catalog';

const DAY_SECONDS = 24 * 60 * 60;

export type BitbucketDeadTokenError = 'invalid_request' | 'invalid_grant';

export interface BitbucketConfig {
  consumerKey: string;
  consumerSecret: string;
  /** The consumer's permissions: every token it issues carries exactly these. */
  scopes: string[];
  /** The consumer's one callback URL; null lets the sandbox take the request's redirect_uri. */
  callbackUrl: string | null;
  accessTokenTtlSeconds: number;
  /** An unused refresh token dies after this long (3 months). */
  unusedExpirySeconds: number;
  /** Rotated-token reuse accepted within this window; 0 (default) refuses every reuse. */
  leewaySeconds: number;
  deadTokenError: BitbucketDeadTokenError;
  /** Answer with the older `scopes` field instead of `scope`. */
  legacyScopesField: boolean;
  /** Largest page the paginated endpoints serve. */
  maxPageLength: number;
}

export function defaultBitbucketConfig(): BitbucketConfig {
  return {
    consumerKey: 'reconnect-bitbucket-sandbox',
    consumerSecret: 'bitbucket-sandbox-secret',
    scopes: [...DEFAULT_CONSUMER_SCOPES],
    callbackUrl: null,
    accessTokenTtlSeconds: 7200,
    unusedExpirySeconds: 90 * DAY_SECONDS,
    leewaySeconds: 0,
    deadTokenError: 'invalid_request',
    legacyScopesField: false,
    maxPageLength: 100,
  };
}

export class BitbucketSimState extends OAuthProviderState<BitbucketConfig> {
  protected readonly clientSecretName = 'bitbucket_client_secret';

  constructor(config: BitbucketConfig, clock: SimClock, hooks: ProviderHooks) {
    // Opaque strings, shorter than Atlassian's.
    const mint = { refreshToken: () => opaqueString(18, 40), accessToken: () => opaqueString(90, 140) };
    super(config, clock, hooks, { idPrefix: 'bb-grant-', mint });
  }

  clientId(): string {
    return this.config.consumerKey;
  }

  clientSecret(): string {
    return this.config.consumerSecret;
  }

  // Bitbucket documents no absolute lifetime, and a refresh does not revoke the family's earlier access
  // tokens: they live out their 2 hours.
  protected rules(): FamilyRules {
    const c = this.config;
    return {
      leewaySeconds: c.leewaySeconds,
      inactivitySeconds: c.unusedExpirySeconds,
      inactivityReason: 'unused_expired',
      absoluteLifetimeSeconds: null,
      accessTokenTtlSeconds: c.accessTokenTtlSeconds,
      accessRevokeGraceSeconds: null,
      omitRefreshToken: false,
    };
  }

  /** Families this consumer issued that `match` picks are revoked; returns how many. */
  revokeConsumerFamilies(match: (family: Family) => boolean, reason: string): number {
    return this.families.revokeWhere((family) => family.clientId === this.config.consumerKey && match(family), reason);
  }
}
