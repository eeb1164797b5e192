// Atlassian as Reconnect knows it: Jira and Confluence through one 3LO app (docs/architecture.md).
import { defineProvider } from '../../oauth/contract';
import { PRODUCT_SCOPES, scopesForConnect } from './products';
import { atlassianProvider } from './provider';

const DAY_SECONDS = 86_400;

export const atlassian = defineProvider({
  id: 'atlassian',
  products: [
    {
      id: 'jira',
      label: 'Jira',
      connection: atlassianProvider('jira'),
      seed: { weight: 5, scopes: scopesForConnect('jira'), siteScopes: PRODUCT_SCOPES.jira },
    },
    {
      id: 'confluence',
      label: 'Confluence',
      connection: atlassianProvider('confluence'),
      seed: { weight: 3, scopes: scopesForConnect('confluence'), siteScopes: PRODUCT_SCOPES.confluence },
    },
  ],
  envPrefix: 'ATLASSIAN',
  live: { authUrl: 'https://auth.atlassian.com', apiUrl: 'https://api.atlassian.com' },
  sandbox: { clientId: 'reconnect-sandbox', clientSecret: 'sandbox-secret' },
  // A rotating refresh token's family lives at most 365 days from consent.
  capabilities: { absoluteLifetimeSeconds: 365 * DAY_SECONDS, signIn: true },
  deadTokenCode: 'invalid_grant',
});
