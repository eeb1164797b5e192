// Atlassian's side of the contract suite: the sandbox simulator (strict leeway) and its control API.
import type { ContractHarness } from '../harness';
import { scopesForConnect, type AtlassianProduct } from '../../../lib/providers/atlassian/products';
import { consentAndGetCode, SimulatorControl } from '../../../lib/providers/atlassian/simulator/client';
import { startSimulator } from '../../../lib/sandbox/simulator';

export const harness: ContractHarness = {
  startSimulator: () => startSimulator({ port: 0, leewaySeconds: 0 }),
  app: (url) => ({ authUrl: url, apiUrl: url, clientId: 'reconnect-sandbox', clientSecret: 'sandbox-secret', timeoutMs: 5000 }),
  consent: (url, product, email, redirectUri) => consentAndGetCode(url, { email, scopes: scopesForConnect(product as AtlassianProduct), redirectUri }),
  revoke: async (url, email) => void (await new SimulatorControl(url).revokeApp(email)),
  refreshes: async (url) => (await new SimulatorControl(url).counters()).refreshes,
  deadTokenBodies: [
    { status: 403, body: { error: 'invalid_grant', error_description: 'Unknown or invalid refresh token.' }, code: 'invalid_grant' },
    { status: 400, body: { error: 'invalid_grant' }, code: 'invalid_grant' },
    { status: 403, body: { error: 'unauthorized_client', error_description: 'refresh_token is invalid' }, code: 'unauthorized_client' },
  ],
  deadTokenSettings: (['invalid_grant', 'unauthorized_client'] as const).map((setting) => ({
    name: setting,
    apply: async (url: string) => void (await new SimulatorControl(url).patchConfig({ dead_token_error: setting })),
    code: setting,
  })),
};
