// The one list of providers. PRODUCTS, the Product type, labels, wording, the configuration keys and every
// list of products on screen derive from it: adding a provider is its folder plus one line here.
// It imports provider folders and lib/oauth only (never config or db: both derive from this file).
import type { ConnectionProvider, ProductDefinition, ProviderDefinition } from '../oauth/contract';
import { atlassian } from './atlassian';
import { bitbucket } from './bitbucket';
import { acme } from '../../tests/fixtures/providers/acme';

/** The providers real users see. */
export const BUILT_IN_PROVIDERS = [atlassian, bitbucket] as const;
/** Test-only providers: known to the code, shown and configured only when the configuration turns them on. */
export const TEST_PROVIDERS = [acme] as const;

type Registered = (typeof BUILT_IN_PROVIDERS)[number] | (typeof TEST_PROVIDERS)[number];
export type ProviderId = Registered['id'];
export type BuiltInProviderId = (typeof BUILT_IN_PROVIDERS)[number]['id'];
export type Product = Registered['products'][number]['id'];

export const PROVIDERS: readonly ProviderDefinition<ProviderId, Product>[] = [...BUILT_IN_PROVIDERS, ...TEST_PROVIDERS];

const PRODUCT_DEFINITIONS = new Map<string, { product: ProductDefinition<Product>; provider: ProviderDefinition<ProviderId, Product> }>(
  PROVIDERS.flatMap((provider) => provider.products.map((product) => [product.id, { product, provider }] as const)),
);

/** Every product the code knows (the database column, URLs and forms are checked against it). */
export const PRODUCTS: readonly Product[] = PROVIDERS.flatMap((p) => p.products.map((d) => d.id));
/** The products of the providers real users see: the service API's documented list. */
export const PUBLIC_PRODUCTS = PRODUCTS.filter((p) => !providerOf(p).testOnly) as [Product, ...Product[]];

/** The providers in use: the built-in ones, and the test-only ones when the configuration turns them on. */
export function enabledProviders(testProviders: boolean): readonly ProviderDefinition<ProviderId, Product>[] {
  return PROVIDERS.filter((p) => testProviders || !p.testOnly);
}

/** The built-in providers' ids, and the name users know each by (the sandbox's "which provider fails"). */
export const BUILT_IN_PROVIDER_IDS = BUILT_IN_PROVIDERS.map((p) => p.id) as [BuiltInProviderId, ...BuiltInProviderId[]];
export function providerName(id: ProviderId | string): string {
  return PROVIDERS.find((p) => p.id === id)?.products[0].connection.issuerName ?? id;
}

/** The products lists on screen offer (the admin filter), in registry order. */
export function listedProducts(testProviders: boolean): Product[] {
  return enabledProviders(testProviders).flatMap((p) => p.products.map((d) => d.id));
}

export function isProduct(value: unknown): value is Product {
  return typeof value === 'string' && PRODUCT_DEFINITIONS.has(value);
}

function definition(product: Product) {
  const found = PRODUCT_DEFINITIONS.get(product);
  if (!found) throw new Error(`Unknown product: ${String(product).slice(0, 40)}`);
  return found;
}

export function productLabel(product: Product): string {
  return definition(product).product.label;
}

/** The provider definition a product belongs to. */
export function providerOf(product: Product): ProviderDefinition<ProviderId, Product> {
  return definition(product).provider;
}

/** A product's connection behaviour: the only place that knows which product speaks which OAuth. */
export function providerFor(product: Product): ConnectionProvider {
  return definition(product).product.connection;
}

/** Who users deal with for a product, in sentences: "Atlassian", "Bitbucket". */
export function issuerName(product: Product): string {
  return providerFor(product).issuerName;
}

/** What a product's sites are called on screen ("workspaces" for Bitbucket). */
export function siteNoun(product: Product, count = 2): string {
  const noun = providerFor(product).siteNoun;
  return count === 1 ? noun : `${noun}s`;
}

/** The product whose app signs people in: the first configured one, in registry order, whose provider may. */
export function signInProduct(configured: readonly Product[]): Product | undefined {
  return PRODUCTS.find((p) => configured.includes(p) && providerOf(p).capabilities.signIn);
}

/** Sign-in state rows written before products were stored were the first provider's. */
export const LEGACY_SIGN_IN_PRODUCT: Product = PRODUCTS[0];
