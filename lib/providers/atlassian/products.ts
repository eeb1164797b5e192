// The products of Atlassian's 3LO apps: their scopes and identity calls. (Bitbucket has its own OAuth consumers.)
export const ATLASSIAN_PRODUCTS = ['jira', 'confluence'] as const;
export type AtlassianProduct = (typeof ATLASSIAN_PRODUCTS)[number];

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

export function isAtlassianProduct(value: unknown): value is AtlassianProduct {
  return ATLASSIAN_PRODUCTS.some((p) => p === value);
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
