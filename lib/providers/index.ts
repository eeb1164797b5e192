// Providers looked up by product: the only place that knows which product speaks which OAuth.
import { atlassianProvider } from '../atlassian/provider';
import { bitbucketProvider } from '../bitbucket/provider';
import type { Product } from '../atlassian/products';
import type { ConnectionProvider } from './types';

const PROVIDERS: Record<Product, ConnectionProvider> = {
  jira: atlassianProvider('jira'),
  confluence: atlassianProvider('confluence'),
  bitbucket: bitbucketProvider,
};

export function providerFor(product: Product): ConnectionProvider {
  return PROVIDERS[product];
}

/** What a product's sites are called on screen ("workspaces" for Bitbucket). */
export function siteNoun(product: Product, count = 2): string {
  const noun = PROVIDERS[product].siteNoun;
  return count === 1 ? noun : `${noun}s`;
}

export type { ConnectionProvider, GrantDetails, ProviderApp, ProviderId } from './types';
