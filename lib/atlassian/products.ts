export type Product = 'jira' | 'confluence' | 'bitbucket';

/** The products of Atlassian's 3LO apps (Bitbucket has its own OAuth consumers). */
export type AtlassianProduct = 'jira' | 'confluence';

export const PRODUCTS: readonly Product[] = ['jira', 'confluence', 'bitbucket'];

// Frozen: these arrays are shared; callers get copies from scopesForConnect.
export const PRODUCT_SCOPES: Record<AtlassianProduct, string[]> = {
  jira: Object.freeze(['read:jira-work', 'write:jira-work', 'read:jira-user']) as string[],
  confluence: Object.freeze([
    'read:confluence-content.all',
    'write:confluence-content',
    'read:confluence-space.summary',
    'read:confluence-user',
  ]) as string[],
};

export const IDENTITY_PATH: Record<AtlassianProduct, string> = {
  jira: 'rest/api/3/myself',
  confluence: 'wiki/rest/api/user/current',
};

const LABELS: Record<Product, string> = { jira: 'Jira', confluence: 'Confluence', bitbucket: 'Bitbucket' };

export function isProduct(value: unknown): value is Product {
  return value === 'jira' || value === 'confluence' || value === 'bitbucket';
}

export function productLabel(p: Product): string {
  return LABELS[p];
}

export function scopesForConnect(p: AtlassianProduct): string[] {
  return [...PRODUCT_SCOPES[p], 'read:me', 'offline_access'];
}

// Classic scopes name the product first ("read:jira-work"), granular ones last
// ("read:issue:jira"); either way one ':'-separated segment is or starts with it.
export function siteHasProduct(resourceScopes: string[], p: AtlassianProduct): boolean {
  return resourceScopes.some((scope) =>
    scope.split(':').some((segment) => segment === p || segment.startsWith(`${p}-`) || segment.startsWith(`${p}.`)),
  );
}
