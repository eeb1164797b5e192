// Bitbucket's side of the contract suite: the sandbox simulator's Bitbucket consumer and its control API.
import type { ContractHarness } from '../harness';
import { BitbucketControl, bitbucketConsentAndGetCode, BITBUCKET_SANDBOX_KEY, BITBUCKET_SANDBOX_SECRET } from '../../../lib/providers/bitbucket/simulator/client';
import { startSimulator } from '../../../lib/sandbox/simulator';

export const harness: ContractHarness = {
  startSimulator: () => startSimulator({ port: 0, bitbucket: { leewaySeconds: 0 } }),
  app: (url) => ({ authUrl: url, apiUrl: url, clientId: BITBUCKET_SANDBOX_KEY, clientSecret: BITBUCKET_SANDBOX_SECRET, timeoutMs: 5000 }),
  consent: (url, _product, email, redirectUri) => bitbucketConsentAndGetCode(url, { email, redirectUri }),
  revoke: async (url, email) => void (await new BitbucketControl(url).revokeApp(email)),
  refreshes: async (url) => (await new BitbucketControl(url).counters()).refreshes,
  deadTokenBodies: [
    { status: 400, body: { error: 'invalid_request', error_description: 'Invalid refresh_token' }, code: 'invalid_refresh_token' },
    { status: 400, body: { error: 'invalid_grant', error_description: 'Invalid refresh_token' }, code: 'invalid_grant' },
  ],
  deadTokenSettings: (['invalid_request', 'invalid_grant'] as const).map((setting) => ({
    name: setting,
    apply: async (url: string) => void (await new BitbucketControl(url).patchConfig({ dead_token_error: setting })),
    code: setting === 'invalid_request' ? 'invalid_refresh_token' : 'invalid_grant',
  })),
};
