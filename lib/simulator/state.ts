// What the simulator core remembers for every provider alike: the clock, browser sessions, faults and the
// auto-consent switch. Each mounted provider keeps its own part (codes, token families, counters, config).
import { SimClock } from './clock';
import type { ActiveFault } from './faults';

export interface BrowserSession {
  id: string;
  userEmail: string;
  csrfToken: string;
}

/** Counters of token and API calls, for tests to assert on; one set per provider. */
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

/** Every token and client secret a provider issued since the last reset (a test aid). */
export interface IssuedSecrets {
  access_tokens: string[];
  refresh_tokens: string[];
  /** Named as the control API shows them, e.g. { client_secret: … }. */
  client_secrets: Record<string, string>;
}

/** A provider's own part of the state: reset with the rest, saved in the state file under the provider's id. */
export interface ProviderState {
  reset(): void;
  /** A JSON-able snapshot for the state file. */
  save(): unknown;
  /** Loads a snapshot written by save() (or an older one); `now` stands in for times an old file lacks. */
  restore(saved: unknown, now: number): void;
  issuedSecrets(): IssuedSecrets;
}

export class SimulatorState {
  readonly clock = new SimClock();
  sessions = new Map<string, BrowserSession>();
  faults: ActiveFault[] = [];
  nextFaultNumber = 1;
  autoConsent: boolean;
  private readonly parts = new Map<string, ProviderState>();

  /**
   * @param brand names the simulated sign-in on the shared pages (log in, home, errors), e.g. "Atlassian".
   */
  constructor(
    private readonly initialAutoConsent: boolean,
    readonly brand: string,
  ) {
    this.autoConsent = initialAutoConsent;
  }

  mount(id: string, part: ProviderState): void {
    if (this.parts.has(id)) throw new Error(`simulator: provider "${id}" is mounted twice`);
    this.parts.set(id, part);
  }

  /** The part mounted as `id`; the caller names the type it mounted. */
  provider<T extends ProviderState>(id: string): T {
    const part = this.parts.get(id);
    if (!part) throw new Error(`simulator: no provider "${id}" is mounted`);
    return part as T;
  }

  providers(): Array<[string, ProviderState]> {
    return [...this.parts];
  }

  reset(): void {
    this.clock.reset();
    this.sessions.clear();
    this.faults = [];
    this.nextFaultNumber = 1;
    this.autoConsent = this.initialAutoConsent;
    for (const part of this.parts.values()) part.reset();
  }
}
