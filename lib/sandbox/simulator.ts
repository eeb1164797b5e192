// The sandbox's simulator: the provider-neutral core (lib/simulator) with each provider's route table mounted.
// One HTTP server plays every provider's auth and API hosts, plus the control API.
import { atlassianSimulator, defaultAtlassianConfig } from '../providers/atlassian/simulator/routes';
import { defaultBitbucketConfig, type BitbucketConfig } from '../providers/bitbucket/simulator/state';
import { bitbucketSimulator } from '../providers/bitbucket/simulator/routes';
import type { SimulatorRouteTable } from '../simulator/route-table';
import { startServer } from '../simulator/server';
import { recordSecret } from './secret-sink';
import { upgradeStateFileV1 } from './state-file-v1';

export { SANDBOX_USERS } from '../simulator/accounts';
export { JIRA_SCOPES, CONFLUENCE_SCOPES } from '../providers/atlassian/simulator/catalog';

export interface SimulatorOptions {
  port?: number;
  host?: string;
  /** Refresh-token reuse leeway; 0 = strict. */
  leewaySeconds?: number;
  accessTokenTtlSeconds?: number;
  /** How long an old access token still works after a refresh. */
  accessRevokeGraceSeconds?: number;
  autoConsent?: boolean;
  clientId?: string;
  clientSecret?: string;
  inactivitySeconds?: number;
  absoluteLifetimeSeconds?: number;
  /** Sandbox mode: keep the state in this file across restarts (loaded at start, saved after changes and at stop). */
  stateFile?: string;
  /** The simulated Bitbucket OAuth consumer and its token rules (defaults: Bitbucket Cloud's documented ones). */
  bitbucket?: Partial<BitbucketConfig>;
  /** More providers' route tables to mount (e.g. a test-only provider), after the built-in ones. */
  routeTables?: readonly SimulatorRouteTable[];
}

export interface Simulator {
  url: string;
  port: number;
  stop(): Promise<void>;
}

/** The built-in providers' route tables; a provider's simulator is one entry here. */
function builtInRouteTables(opts: SimulatorOptions): SimulatorRouteTable[] {
  const atlassian = defaultAtlassianConfig();
  return [
    atlassianSimulator({
      ...atlassian,
      leewaySeconds: opts.leewaySeconds ?? atlassian.leewaySeconds,
      accessTokenTtlSeconds: opts.accessTokenTtlSeconds ?? atlassian.accessTokenTtlSeconds,
      accessRevokeGraceSeconds: opts.accessRevokeGraceSeconds ?? atlassian.accessRevokeGraceSeconds,
      inactivitySeconds: opts.inactivitySeconds ?? atlassian.inactivitySeconds,
      absoluteLifetimeSeconds: opts.absoluteLifetimeSeconds ?? atlassian.absoluteLifetimeSeconds,
      clientId: opts.clientId ?? atlassian.clientId,
      clientSecret: opts.clientSecret ?? atlassian.clientSecret,
    }),
    bitbucketSimulator({ ...defaultBitbucketConfig(), ...opts.bitbucket }),
  ];
}

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const running = await startServer({
    routeTables: [...builtInRouteTables(opts), ...(opts.routeTables ?? [])],
    brand: 'Atlassian',
    autoConsent: opts.autoConsent ?? false,
    hooks: { onSecretIssued: recordSecret },
    port: opts.port,
    host: opts.host,
    stateFile: opts.stateFile,
    upgradeStateFile: upgradeStateFileV1,
  });
  return { url: running.url, port: running.port, stop: running.stop };
}
