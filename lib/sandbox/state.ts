// Everything the simulator remembers: config, clock, sessions, codes, grants, tokens, counters, faults.
import { SimClock } from './clock';
import { BitbucketState, type BitbucketConfig } from './bitbucket/state';
import type { ActiveFault } from './faults';

export type DeadTokenError = 'invalid_grant' | 'unauthorized_client';

export interface SimConfig {
  leewaySeconds: number;
  autoConsent: boolean;
  deadTokenError: DeadTokenError;
  accessTokenTtlSeconds: number;
  accessRevokeGraceSeconds: number;
  omitRefreshToken: boolean;
  inactivitySeconds: number;
  absoluteLifetimeSeconds: number;
  clientId: string;
  clientSecret: string;
}

export type RevokeReason =
  | 'reuse_detected'
  | 'user_revoked'
  | 'password_changed'
  | 'scopes_changed'
  | 'inactivity_expired'
  | 'absolute_expired';

/** A token family: one consent's chain of refresh tokens and the access tokens they produced. */
export interface Grant {
  id: string;
  userEmail: string;
  clientId: string;
  scopes: string[];
  createdAt: number;
  generation: number;
  lastRotatedAt: number | null;
  currentRefreshToken: string | null;
  refreshTokens: string[];
  accessTokens: string[];
  revoked: boolean;
  revokedReason: RevokeReason | null;
  revokedAt: number | null;
}

export interface RefreshTokenRecord {
  token: string;
  grantId: string;
  issuedAt: number;
  /** Start of the inactivity window: issue time, or last use when refresh does not rotate. */
  activeSince: number;
  rotatedAt: number | null;
}

export interface AccessTokenRecord {
  token: string;
  grantId: string;
  issuedAt: number;
  expiresAt: number;
  /** Sim time from which the token is refused (set by a later refresh or a revocation). */
  revokeAt: number | null;
}

export interface AuthCode {
  code: string;
  clientId: string;
  redirectUri: string;
  userEmail: string;
  scopes: string[];
  expiresAt: number;
  used: boolean;
}

export interface BrowserSession {
  id: string;
  userEmail: string;
  csrfToken: string;
}

export interface Counters {
  token_calls: number;
  authorization_code_grants: number;
  refreshes: number;
  reuses_within_leeway: number;
  rejected_reuses: number;
  dead_token_responses: number;
  api_calls: number;
  api_unauthorized: number;
}

export function zeroCounters(): Counters {
  return {
    token_calls: 0,
    authorization_code_grants: 0,
    refreshes: 0,
    reuses_within_leeway: 0,
    rejected_reuses: 0,
    dead_token_responses: 0,
    api_calls: 0,
    api_unauthorized: 0,
  };
}

export class SimState {
  readonly clock = new SimClock();
  config: SimConfig;
  counters: Counters = zeroCounters();
  sessions = new Map<string, BrowserSession>();
  codes = new Map<string, AuthCode>();
  grants = new Map<string, Grant>();
  refreshTokens = new Map<string, RefreshTokenRecord>();
  accessTokens = new Map<string, AccessTokenRecord>();
  faults: ActiveFault[] = [];
  nextFaultNumber = 1;
  nextGrantNumber = 1;
  /** The Bitbucket Cloud side: its own consumer, families and counters; clock, sessions and faults are shared. */
  readonly bitbucket: BitbucketState;

  constructor(
    private readonly initialConfig: SimConfig,
    bitbucketConfig?: BitbucketConfig,
  ) {
    this.config = { ...initialConfig };
    this.bitbucket = new BitbucketState(bitbucketConfig);
  }

  reset(): void {
    this.clock.reset();
    this.config = { ...this.initialConfig };
    this.counters = zeroCounters();
    this.sessions.clear();
    this.codes.clear();
    this.grants.clear();
    this.refreshTokens.clear();
    this.accessTokens.clear();
    this.faults = [];
    this.nextFaultNumber = 1;
    this.nextGrantNumber = 1;
    this.bitbucket.reset();
  }
}
