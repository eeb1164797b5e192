// Providers looked up by product (lib/providers/registry.ts holds the list).
export {
  issuerName,
  isProduct,
  PRODUCTS,
  productLabel,
  providerFor,
  providerOf,
  siteNoun,
  type Product,
  type ProviderId,
} from './registry';
export type { ConnectionProvider, GrantDetails, ProviderApp } from '../oauth/contract';
