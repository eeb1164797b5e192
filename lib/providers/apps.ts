// The configured OAuth app of each product: Jira and Confluence share the Atlassian 3LO app,
// Bitbucket has its consumer. A product not in `products` has no app (no Connect button, API 400).
import type { Product } from '../atlassian/products';
import type { OAuthAppConfig } from '../config';
import { providerFor } from './index';
import type { ProviderApp } from './types';

export interface AppsConfig {
  atlassian: OAuthAppConfig;
  bitbucket: OAuthAppConfig;
  products: readonly Product[];
}

export type ProductApps = (product: Product) => ProviderApp | undefined;

export function productApps(config: AppsConfig, extra: Pick<ProviderApp, 'fetch' | 'timeoutMs'> = {}): ProductApps {
  return (product) => {
    if (!config.products.includes(product)) return undefined;
    const app = config[providerFor(product).id];
    return { ...app, ...extra };
  };
}

export function isConfigured(config: Pick<AppsConfig, 'products'>, product: Product): boolean {
  return config.products.includes(product);
}
