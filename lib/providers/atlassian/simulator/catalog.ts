// Seeded, never-changing data of the Atlassian simulator: sites, scopes (the people are the core's accounts).
import type { SandboxAccount } from '../../../simulator/accounts';

export type Product = 'jira' | 'confluence';

export const JIRA_SCOPES = ['read:jira-work', 'write:jira-work', 'read:jira-user'] as const;
export const CONFLUENCE_SCOPES = [
  'read:confluence-content.all',
  'write:confluence-content',
  'read:confluence-space.summary',
  'read:confluence-user',
] as const;
export const PROFILE_SCOPE = 'read:me';
export const OFFLINE_SCOPE = 'offline_access';

export const PRODUCT_SCOPES: Readonly<Record<Product, readonly string[]>> = {
  jira: JIRA_SCOPES,
  confluence: CONFLUENCE_SCOPES,
};

export const KNOWN_SCOPES: ReadonlySet<string> = new Set<string>([
  ...JIRA_SCOPES,
  ...CONFLUENCE_SCOPES,
  PROFILE_SCOPE,
  OFFLINE_SCOPE,
]);

export const SCOPE_DESCRIPTIONS: Readonly<Record<string, string>> = {
  'read:jira-work': 'View Jira issues, projects and workflows',
  'write:jira-work': 'Create and edit Jira issues, comments and worklogs',
  'read:jira-user': 'View user information in Jira that you have access to',
  'read:confluence-content.all': 'Read all Confluence content, including pages and blog posts',
  'write:confluence-content': 'Create and edit Confluence pages, blog posts and comments',
  'read:confluence-space.summary': 'Read a summary of Confluence spaces',
  'read:confluence-user': 'View Confluence user information',
  'read:me': 'View your Atlassian account profile',
  offline_access: 'Keep access to data you have given it access to, while you are offline',
};

export interface SandboxProject {
  id: string;
  key: string;
  name: string;
}

export interface SandboxSite {
  id: string;
  name: string;
  url: string;
  products: readonly Product[];
  avatarUrl: string;
  projects: readonly SandboxProject[];
}

const AVATAR_BASE = 'https://site-admin-avatar-cdn.prod.public.atl-paas.net/avatars/240';

export const SANDBOX_SITES: ReadonlyArray<SandboxSite> = [
  {
    id: '7a3c1e52-4b8d-4f0e-9c61-2d5a8e0f1b34',
    name: 'Acme',
    url: 'https://acme.atlassian.net',
    products: ['jira', 'confluence'],
    avatarUrl: `${AVATAR_BASE}/rocket.png`,
    projects: [
      { id: '10000', key: 'ACME', name: 'Acme Platform' },
      { id: '10001', key: 'OPS', name: 'Operations' },
    ],
  },
  {
    id: 'c5e0d9b7-1f2a-4e6c-8b3d-9a7f6e5d4c21',
    name: 'Globex',
    url: 'https://globex.atlassian.net',
    products: ['jira'],
    avatarUrl: `${AVATAR_BASE}/lightbulb.png`,
    projects: [{ id: '10100', key: 'GLX', name: 'Globex Roadmap' }],
  },
  {
    id: '2f8b6a4d-9e1c-4d7b-a05e-3c6d8f9b0a12',
    name: 'Initech',
    url: 'https://initech.atlassian.net',
    products: ['confluence'],
    avatarUrl: `${AVATAR_BASE}/star.png`,
    projects: [],
  },
];

/** The sites a sandbox account can reach: every account is on every site. */
export const ACCOUNT_SITE_IDS: readonly string[] = SANDBOX_SITES.map((site) => site.id);

export function findSite(cloudId: string): SandboxSite | undefined {
  return SANDBOX_SITES.find((site) => site.id === cloudId);
}

/** The grant's scopes that belong to one of the site's products. */
export function siteScopesFor(site: SandboxSite, grantScopes: readonly string[]): string[] {
  const productScopes = new Set(site.products.flatMap((product) => PRODUCT_SCOPES[product]));
  return grantScopes.filter((scope) => productScopes.has(scope));
}

export function hasProductScope(product: Product, grantScopes: readonly string[]): boolean {
  return PRODUCT_SCOPES[product].some((scope) => grantScopes.includes(scope));
}

export function avatarFor(account: SandboxAccount): string {
  return `https://avatar-management--avatars.us-west-2.prod.public.atl-paas.net/${account.accountId}/default-avatar.png`;
}
