// One view of the simulator per provider, so that the engine, fault, storm and webhook tests run the same
// scenarios for Jira (Atlassian's 3LO app) and Bitbucket (its OAuth consumer): parameterised, not copied.
// Where the providers differ (dead-token bodies, access revocation on refresh, token lifetime), it says so.
import type { Product } from '../../lib/providers/registry';
import { BitbucketControl } from '../../lib/providers/bitbucket/simulator/client';
import { SimulatorControl, type Counters } from '../../lib/providers/atlassian/simulator/client';

export interface SimProduct {
  product: Product;
  counters(): Promise<Counters>;
  revokeApp(email: string): Promise<unknown>;
  /** The reuse leeway of rotated refresh tokens (0: strict) and the body a dead refresh token gets. */
  configure(o: { leewaySeconds?: number; deadTokenError?: string }): Promise<unknown>;
  /** Simulator dead-token settings and the stable error code the engine stores for each. */
  deadTokenAnswers: ReadonlyArray<readonly [simSetting: string, errorCode: string]>;
  /** An API path that needs only the connection's token: a 200 means the token works. */
  identityPath: string;
  /** Atlassian revokes the previous access token on refresh; Bitbucket lets it live out its 2 hours. */
  revokesAccessOnRefresh: boolean;
  accessTokenSeconds: number;
}

export const SIM_PRODUCTS: readonly Product[] = ['jira', 'bitbucket'];

export function simProduct(simUrl: string, product: Product): SimProduct {
  if (product === 'bitbucket') {
    const bb = new BitbucketControl(simUrl);
    return {
      product,
      counters: () => bb.counters(),
      revokeApp: (email) => bb.revokeApp(email),
      configure: ({ leewaySeconds, deadTokenError }) =>
        bb.patchConfig({
          ...(leewaySeconds === undefined ? {} : { leeway_seconds: leewaySeconds }),
          ...(deadTokenError === undefined ? {} : { dead_token_error: deadTokenError as 'invalid_request' | 'invalid_grant' }),
        }),
      deadTokenAnswers: [
        ['invalid_request', 'invalid_refresh_token'],
        ['invalid_grant', 'invalid_grant'],
      ],
      identityPath: '/2.0/user',
      revokesAccessOnRefresh: false,
      accessTokenSeconds: 7200,
    };
  }
  const control = new SimulatorControl(simUrl);
  return {
    product,
    counters: () => control.counters(),
    revokeApp: (email) => control.revokeApp(email),
    configure: ({ leewaySeconds, deadTokenError }) =>
      control.patchConfig({
        ...(leewaySeconds === undefined ? {} : { leeway_seconds: leewaySeconds }),
        ...(deadTokenError === undefined ? {} : { dead_token_error: deadTokenError as 'invalid_grant' | 'unauthorized_client' }),
      }),
    deadTokenAnswers: [
      ['invalid_grant', 'invalid_grant'],
      ['unauthorized_client', 'unauthorized_client'],
    ],
    identityPath: '/me',
    revokesAccessOnRefresh: true,
    accessTokenSeconds: 3600,
  };
}
