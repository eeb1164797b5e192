// The configured OAuth app of each product: a provider's products share its app (Jira and Confluence the
// Atlassian 3LO app, Bitbucket its consumer). A product not in `products` has no app (no Connect button, API 400).
import type { OAuthAppConfig, ProviderApp } from '../oauth/contract';
import { providerOf, type Product, type ProviderId } from './registry';

/** Each provider's app by provider id (lib/config.ts builds them), and the products whose app is configured. */
export type AppsConfig = Partial<Record<ProviderId, OAuthAppConfig>> & { products: readonly Product[] };

export type ProductApps = (product: Product) => ProviderApp | undefined;

export function productApps(config: AppsConfig, extra: Pick<ProviderApp, 'fetch' | 'timeoutMs'> = {}): ProductApps {
  return (product) => {
    if (!config.products.includes(product)) return undefined;
    const app = config[providerOf(product).id];
    return app && { ...app, ...extra };
  };
}

export function isConfigured(config: Pick<AppsConfig, 'products'>, product: Product): boolean {
  return config.products.includes(product);
}
