// The simulated Atlassian ({AUTH} and {API}) as a route table for the simulator core.
import { showConsent, submitConsent } from '../../../simulator/consent';
import { routeTable, type SimulatorRouteTable } from '../../../simulator/route-table';
import { handleTokenRequest } from '../../../simulator/token-endpoint';
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
  return routeTable<AtlassianSimState>({
    id: 'atlassian',
    createState: (sim, hooks) => new AtlassianSimState(config, sim.clock, hooks),
    routes: [
      ...ATLASSIAN_CONTROL_ROUTES,
      { method: 'GET', path: '/authorize', handle: (ctx, atlassian) => showConsent(ctx, atlassianConsent, atlassian) },
      {
        method: 'POST',
        path: '/authorize/decision',
        handle: (ctx, atlassian) => submitConsent(ctx, atlassianConsent, atlassian),
      },
      { path: '/oauth/token', handle: (ctx, atlassian) => handleTokenRequest(ctx, atlassianTokenEndpoint, atlassian) },
      { path: ATLASSIAN_API_PATH, handle: handleApiRequest },
    ],
  });
}
