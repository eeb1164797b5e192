// What the provider contract suite needs from a provider's test side: its simulator over HTTP and the
// simulator's control API. Built-in providers' harnesses are tests/contract/harnesses/<id>.ts; a test-only
// provider keeps its own in tests/fixtures/providers/<id>/contract.ts (its folder is all it needs).
import type { ProviderApp, ProviderDefinition } from '../../lib/oauth/contract';
import type { Product } from '../../lib/providers/registry';

export interface RunningSimulator {
  url: string;
  stop(): Promise<void>;
}

export interface ContractHarness {
  /** The provider's simulator, strict: a rotated refresh token is refused at once (no reuse leeway). */
  startSimulator(): Promise<RunningSimulator>;
  /** The sandbox app registered at the simulator. */
  app(simUrl: string): ProviderApp;
  /** Signs `email` in at the simulator and accepts the consent screen; returns the authorization code. */
  consent(simUrl: string, product: Product, email: string, redirectUri: string): Promise<string>;
  /** Revokes the app's grants of `email` at the simulator (control API). */
  revoke(simUrl: string, email: string): Promise<void>;
  /** Refreshes the simulator has answered so far (control API counters). */
  refreshes(simUrl: string): Promise<number>;
  /** The provider's documented dead-refresh-token answers and the stable code each must get. */
  deadTokenBodies: ReadonlyArray<{ status: number; body: unknown; code: string }>;
  /** The simulator's dead-token settings (control API) and the code the provider's answer must get. */
  deadTokenSettings: ReadonlyArray<{ name: string; apply(simUrl: string): Promise<void>; code: string }>;
}

export async function harnessFor(provider: ProviderDefinition): Promise<ContractHarness> {
  const loaded = provider.testOnly
    ? ((await import(`../fixtures/providers/${provider.id}/contract.ts`)) as { harness: ContractHarness })
    : ((await import(`./harnesses/${provider.id}.ts`)) as { harness: ContractHarness });
  return loaded.harness;
}
