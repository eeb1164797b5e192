// Providers looked up by product: the only place that knows which product speaks which OAuth.
import { atlassianProvider } from '../atlassian/provider';
import { bitbucketProvider } from '../bitbucket/provider';
import type { ConnectionProvider } from './types';

export type ProviderProduct = 'jira' | 'confluence' | 'bitbucket';

const PROVIDERS: Record<ProviderProduct, ConnectionProvider> = {
  jira: atlassianProvider('jira'),
  confluence: atlassianProvider('confluence'),
  bitbucket: bitbucketProvider,
};

export function providerFor(product: ProviderProduct): ConnectionProvider {
  return PROVIDERS[product];
}

export type { ConnectionProvider, GrantDetails, ProviderApp, ProviderId } from './types';
