// The state an OAuth provider's simulator keeps: its config, counters, authorization codes and token families.
// A provider subclasses it with its token rules and client credentials.
import type { SimClock } from './clock';
import type { AuthCode } from './consent';
import { FamilyStore, type FamilyRules, type SavedFamilies, type TokenMint } from './families';
import type { ProviderHooks } from './route-table';
import { zeroCounters, type Counters, type IssuedSecrets, type ProviderState } from './state';

export interface FamilySetup {
  /** Family ids are this plus a number, e.g. "grant-1". */
  idPrefix: string;
  mint: TokenMint;
  /** A revocation for this reason leaves the access tokens working. */
  keepsAccessTokens?: string;
}

interface SavedOAuthState<C> {
  config: C;
  counters: Counters;
  codes: Array<[string, AuthCode]>;
  families: SavedFamilies;
}

export abstract class OAuthProviderState<C extends object> implements ProviderState {
  config: C;
  counters: Counters = zeroCounters();
  codes = new Map<string, AuthCode>();
  readonly families: FamilyStore;
  /** How the control API's issued-secrets names this provider's client secret. */
  protected abstract readonly clientSecretName: string;

  constructor(
    private readonly initialConfig: C,
    clock: SimClock,
    hooks: ProviderHooks,
    setup: FamilySetup,
  ) {
    this.config = structuredClone(initialConfig);
    const onSecretIssued = (secret: string) => hooks.onSecretIssued(secret);
    this.families = new FamilyStore({ ...setup, clock, rules: () => this.rules(), onSecretIssued });
  }

  /** The client its refresh tokens are bound to. */
  abstract clientId(): string;
  abstract clientSecret(): string;
  /** The token rules, read at each use (the control API may change the config). */
  protected abstract rules(): FamilyRules;

  reset(): void {
    this.config = structuredClone(this.initialConfig);
    this.counters = zeroCounters();
    this.codes.clear();
    this.families.clear();
  }

  save(): SavedOAuthState<C> {
    return { config: this.config, counters: this.counters, codes: [...this.codes], families: this.families.save() };
  }

  restore(value: unknown, now: number): void {
    const saved = value as SavedOAuthState<C>;
    this.config = saved.config;
    this.counters = saved.counters;
    this.codes = new Map(saved.codes);
    this.families.restore(saved.families, now);
  }

  issuedSecrets(): IssuedSecrets {
    return {
      access_tokens: [...this.families.accessTokens.keys()],
      refresh_tokens: [...this.families.refreshTokens.keys()],
      client_secrets: { [this.clientSecretName]: this.clientSecret() },
    };
  }
}
