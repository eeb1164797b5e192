// The simulated Atlassian ({AUTH} and {API}) as a route table for the simulator core.
import { oauthRouteTable } from '../../../simulator/oauth-routes';
import type { SimulatorRouteTable } from '../../../simulator/route-table';
import { ATLASSIAN_API_PATH, handleApiRequest } from './api';
import { atlassianConsent } from './authorize';
import { ATLASSIAN_CONTROL_ROUTES } from './control';
import { AtlassianSimState, type SimConfig } from './state';
import { atlassianTokenEndpoint } from './token-endpoint';

const DAY_SECONDS = 24 * 60 * 60;

/** Atlassian's documented behaviour: 10-minute reuse leeway, 1-hour access tokens, 90 days inactivity, 365 days absolute. */
export function defaultAtlassianConfig(): SimConfig {
  return {
    leewaySeconds: 600,
    deadTokenError: 'invalid_grant',
    accessTokenTtlSeconds: 3600,
    accessRevokeGraceSeconds: 0,
    omitRefreshToken: false,
    inactivitySeconds: 90 * DAY_SECONDS,
    absoluteLifetimeSeconds: 365 * DAY_SECONDS,
    clientId: 'reconnect-sandbox',
    clientSecret: 'sandbox-secret',
  };
}

export function atlassianSimulator(config: SimConfig = defaultAtlassianConfig()): SimulatorRouteTable {
  return oauthRouteTable<AtlassianSimState>({
    id: 'atlassian',
    createState: (sim, hooks) => new AtlassianSimState(config, sim.clock, hooks),
    control: ATLASSIAN_CONTROL_ROUTES,
    consent: { path: '/authorize', decisionPath: '/authorize/decision', flow: atlassianConsent },
    token: { path: '/oauth/token', endpoint: atlassianTokenEndpoint },
    api: { path: ATLASSIAN_API_PATH, handle: handleApiRequest },
  });
}
