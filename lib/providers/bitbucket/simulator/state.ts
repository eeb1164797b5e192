// What the simulated Bitbucket Cloud remembers: its OAuth consumer, codes, token families and counters.
// The clock, browser sessions and faults are the simulator core's, shared with every provider.
import type { SimClock } from '../../../simulator/clock';
import type { AuthCode } from '../../../simulator/consent';
import { FamilyStore, type Family, type FamilyRules, type SavedFamilies } from '../../../simulator/families';
import type { ProviderHooks } from '../../../simulator/route-table';
import { opaqueString } from '../../../simulator/token-strings';
import { zeroCounters, type Counters, type IssuedSecrets, type ProviderState } from '../../../simulator/state';
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

interface SavedBitbucket {
  config: BitbucketConfig;
  counters: Counters;
  codes: Array<[string, AuthCode]>;
  families: SavedFamilies;
}

export class BitbucketSimState implements ProviderState {
  config: BitbucketConfig;
  counters: Counters = zeroCounters();
  codes = new Map<string, AuthCode>();
  readonly families: FamilyStore;

  constructor(
    private readonly initialConfig: BitbucketConfig,
    clock: SimClock,
    hooks: ProviderHooks,
  ) {
    this.config = { ...initialConfig, scopes: [...initialConfig.scopes] };
    this.families = new FamilyStore({
      idPrefix: 'bb-grant-',
      clock,
      rules: () => this.rules(),
      // Opaque strings, shorter than Atlassian's.
      mint: { refreshToken: () => opaqueString(18, 40), accessToken: () => opaqueString(90, 140) },
      onSecretIssued: (secret) => hooks.onSecretIssued(secret),
    });
    hooks.onSecretIssued(initialConfig.consumerSecret);
  }

  // Bitbucket documents no absolute lifetime, and a refresh does not revoke the family's earlier access
  // tokens: they live out their 2 hours.
  private rules(): FamilyRules {
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

  reset(): void {
    this.config = { ...this.initialConfig, scopes: [...this.initialConfig.scopes] };
    this.counters = zeroCounters();
    this.codes.clear();
    this.families.clear();
  }

  save(): SavedBitbucket {
    return { config: this.config, counters: this.counters, codes: [...this.codes], families: this.families.save() };
  }

  restore(value: unknown, now: number): void {
    const saved = value as SavedBitbucket;
    this.config = saved.config;
    this.counters = saved.counters;
    this.codes = new Map(saved.codes);
    this.families.restore(saved.families, now);
  }

  issuedSecrets(): IssuedSecrets {
    return {
      access_tokens: [...this.families.accessTokens.keys()],
      refresh_tokens: [...this.families.refreshTokens.keys()],
      client_secrets: { bitbucket_client_secret: this.config.consumerSecret },
    };
  }
}
