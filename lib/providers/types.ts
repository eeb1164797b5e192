// The one seam between Reconnect and an OAuth provider. A product's provider answers everything the
// engine, the flows, the service API and the proxy need to know about it; nothing else branches on
// the product. Token requests follow oauth4webapi's split: `send…` only sends, `process…` turns the
// Response into a TokenSet or a TokenEndpointError whose stable code has a class (terminal /
// transient / operator), so that the engine's rules (SPEC 4) stay the same for every provider.
import type { AccessibleResource, Profile, TokenSet } from '../atlassian/oauth';

export type ProviderId = 'atlassian' | 'bitbucket';

/** One configured OAuth app (an Atlassian 3LO app or a Bitbucket OAuth consumer). */
export interface ProviderApp {
  authUrl: string;
  apiUrl: string;
  clientId: string;
  clientSecret: string;
  fetch?: typeof fetch;
  /** Hard limit per request. Default 15000. */
  timeoutMs?: number;
}

/** What a fresh grant covers: who consented and the sites (Bitbucket: workspaces) the product reaches. */
export interface GrantDetails {
  profile: Profile;
  sites: AccessibleResource[];
}

export interface ConnectionProvider {
  readonly id: ProviderId;
  /** Who users deal with, in sentences: "Atlassian", "Bitbucket". */
  readonly issuerName: string;
  /** What the grant's sites are called on screen: Atlassian sites, Bitbucket workspaces. */
  readonly siteNoun: 'site' | 'workspace';
  /** How long a rotated refresh token may be sent again (0: never). */
  readonly reuseLeewaySeconds: number;
  /** An unused refresh token dies after this long. */
  readonly inactivitySeconds: number;
  /** The proxy's first path segment names one of the connection's sites (Atlassian's cloud id); else it is just a path segment. */
  readonly proxyPathNamesSite: boolean;

  authorizeUrl(app: ProviderApp, p: { state: string; redirectUri: string; purpose: 'signin' | 'connect' }): string;

  sendRefreshRequest(app: ProviderApp, refreshToken: string): Promise<Response>;
  sendCodeRequest(app: ProviderApp, code: string, redirectUri: string): Promise<Response>;
  processTokenResponse(res: Response): Promise<TokenSet>;
  /** send + process, every failure a TokenEndpointError. */
  refreshTokens(app: ProviderApp, refreshToken: string): Promise<TokenSet>;
  exchangeCode(app: ProviderApp, code: string, redirectUri: string): Promise<TokenSet>;

  /** Identity and sites of a fresh access token; throws AtlassianApiError. */
  grantDetails(app: ProviderApp, accessToken: string): Promise<GrantDetails>;
  /** The URL a proxied request goes to; throws on any path escaping the product's API. */
  apiRequestUrl(app: ProviderApp, site: string, path: string): string;
  /** `api_base_url` of a site in access-token answers. */
  siteApiBaseUrl(app: ProviderApp, siteId: string): string;
  /** The identity call "Test connection" makes: a path for apiRequestUrl on the given site. */
  identityPath(siteId: string): { site: string; path: string };
  /** An API 401/403 answer: a refused token, a missing scope (only a new consent fixes it), or neither. */
  classifyApiRefusal(status: number, body: unknown): 'unauthorized' | 'scope_mismatch' | null;
}
