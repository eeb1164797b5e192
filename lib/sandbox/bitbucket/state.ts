// What the simulated Bitbucket remembers: its consumer, codes, token families, tokens and counters.
// The clock, browser sessions and faults are the simulator's own, shared with the Atlassian side.
import { zeroCounters, type Counters } from '../state';
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

export type FamilyRevokeReason = 'reuse_detected' | 'user_revoked' | 'permissions_changed' | 'unused_expired';

/** One authorization's chain of refresh tokens; independent of every other authorization. */
export interface Family {
  id: string;
  userEmail: string;
  consumerKey: string;
  scopes: string[];
  createdAt: number;
  generation: number;
  lastRotatedAt: number | null;
  currentRefreshToken: string | null;
  accessTokens: string[];
  revoked: boolean;
  revokedReason: FamilyRevokeReason | null;
  revokedAt: number | null;
}

export interface BitbucketRefreshToken {
  token: string;
  familyId: string;
  issuedAt: number;
  rotatedAt: number | null;
}

export interface BitbucketAccessToken {
  token: string;
  familyId: string;
  expiresAt: number;
  revoked: boolean;
}

export interface BitbucketCode {
  code: string;
  consumerKey: string;
  redirectUri: string;
  /** Whether the authorize request named the redirect_uri (then the exchange must repeat it). */
  redirectUriGiven: boolean;
  userEmail: string;
  expiresAt: number;
  used: boolean;
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

export class BitbucketState {
  config: BitbucketConfig;
  counters: Counters = zeroCounters();
  codes = new Map<string, BitbucketCode>();
  families = new Map<string, Family>();
  refreshTokens = new Map<string, BitbucketRefreshToken>();
  accessTokens = new Map<string, BitbucketAccessToken>();
  nextFamilyNumber = 1;

  constructor(private readonly initialConfig: BitbucketConfig = defaultBitbucketConfig()) {
    this.config = { ...initialConfig, scopes: [...initialConfig.scopes] };
  }

  reset(): void {
    this.config = { ...this.initialConfig, scopes: [...this.initialConfig.scopes] };
    this.counters = zeroCounters();
    this.codes.clear();
    this.families.clear();
    this.refreshTokens.clear();
    this.accessTokens.clear();
    this.nextFamilyNumber = 1;
  }
}
