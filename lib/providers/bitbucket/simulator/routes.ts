// The simulated Bitbucket Cloud ({BB_AUTH} and {BB_API}) as a route table for the simulator core.
import { showConsent, submitConsent } from '../../../simulator/consent';
import { routeTable, type SimulatorRouteTable } from '../../../simulator/route-table';
import { handleTokenRequest } from '../../../simulator/token-endpoint';
import { BITBUCKET_API_PATH, handleBitbucketApiRequest } from './api';
import { BITBUCKET_AUTHORIZE_PATH, bitbucketConsent } from './authorize';
import { BITBUCKET_CONTROL_ROUTES } from './control';
import { BitbucketSimState, defaultBitbucketConfig, type BitbucketConfig } from './state';
import { BITBUCKET_TOKEN_PATH, bitbucketTokenEndpoint } from './token-endpoint';

export function bitbucketSimulator(config: BitbucketConfig = defaultBitbucketConfig()): SimulatorRouteTable {
  return routeTable<BitbucketSimState>({
    id: 'bitbucket',
    createState: (sim, hooks) => new BitbucketSimState(config, sim.clock, hooks),
    routes: [
      ...BITBUCKET_CONTROL_ROUTES,
      { method: 'GET', path: BITBUCKET_AUTHORIZE_PATH, handle: (ctx, bb) => showConsent(ctx, bitbucketConsent, bb) },
      { method: 'POST', path: BITBUCKET_AUTHORIZE_PATH, handle: (ctx, bb) => submitConsent(ctx, bitbucketConsent, bb) },
      { path: BITBUCKET_TOKEN_PATH, handle: (ctx, bb) => handleTokenRequest(ctx, bitbucketTokenEndpoint, bb) },
      { path: BITBUCKET_API_PATH, handle: handleBitbucketApiRequest },
    ],
  });
}
