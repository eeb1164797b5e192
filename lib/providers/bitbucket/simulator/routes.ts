// The simulated Bitbucket Cloud ({BB_AUTH} and {BB_API}) as a route table for the simulator core.
import { oauthRouteTable } from '../../../simulator/oauth-routes';
import type { SimulatorRouteTable } from '../../../simulator/route-table';
import { BITBUCKET_API_PATH, handleBitbucketApiRequest } from './api';
import { BITBUCKET_AUTHORIZE_PATH, bitbucketConsent } from './authorize';
import { BITBUCKET_CONTROL_ROUTES } from './control';
import { BitbucketSimState, defaultBitbucketConfig, type BitbucketConfig } from './state';
import { BITBUCKET_TOKEN_PATH, bitbucketTokenEndpoint } from './token-endpoint';

export function bitbucketSimulator(config: BitbucketConfig = defaultBitbucketConfig()): SimulatorRouteTable {
  return oauthRouteTable<BitbucketSimState>({
    id: 'bitbucket',
    createState: (sim, hooks) => new BitbucketSimState(config, sim.clock, hooks),
    control: BITBUCKET_CONTROL_ROUTES,
    // Bitbucket posts the decision back to the authorize URL itself.
    consent: { path: BITBUCKET_AUTHORIZE_PATH, decisionPath: BITBUCKET_AUTHORIZE_PATH, flow: bitbucketConsent },
    token: { path: BITBUCKET_TOKEN_PATH, endpoint: bitbucketTokenEndpoint },
    api: { path: BITBUCKET_API_PATH, handle: handleBitbucketApiRequest },
  });
}
