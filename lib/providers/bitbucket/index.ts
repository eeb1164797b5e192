// Bitbucket Cloud as Reconnect knows it: one product through a Bitbucket OAuth consumer (docs/bitbucket.md).
import { defineProvider } from '../../oauth/contract';
import { bitbucketProvider } from './provider';

/** The Bitbucket OAuth consumer's permissions the docs recommend. */
export const BITBUCKET_SCOPES = ['account', 'email', 'repository', 'pullrequest'];

export const bitbucket = defineProvider({
  id: 'bitbucket',
  products: [
    {
      id: 'bitbucket',
      label: 'Bitbucket',
      connection: bitbucketProvider,
      seed: { weight: 2, scopes: BITBUCKET_SCOPES, siteScopes: ['member'] },
    },
  ],
  envPrefix: 'BITBUCKET',
  live: { authUrl: 'https://bitbucket.org', apiUrl: 'https://api.bitbucket.org' },
  sandbox: { clientId: 'reconnect-bitbucket-sandbox', clientSecret: 'bitbucket-sandbox-secret' },
  // Refresh tokens die of disuse (3 months), not of age.
  capabilities: { absoluteLifetimeSeconds: null, signIn: true },
  deadTokenCode: 'invalid_refresh_token',
});
