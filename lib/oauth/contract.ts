// The one seam between Reconnect and an OAuth provider. A product's provider answers everything the
// engine, the flows, the service API and the proxy need to know about it; nothing else branches on
// the product. Token requests follow oauth4webapi's split: `send…` only sends, `process…` turns the
// Response into a TokenSet or a TokenEndpointError whose stable code has a class (terminal /
// transient / operator), so that the engine's token rules (docs/architecture.md) stay the same for
// every provider. A ProviderDefinition bundles a provider's products with its configuration keys,
// wording, capabilities and seed data; lib/providers/registry.ts lists the definitions.
import type { AccessibleResource, Profile, TokenSet } from './types';

/** The configured credentials and base URLs of one provider's OAuth app. */
export interface OAuthAppConfig {
  clientId: string;
  clientSecret: string;
  authUrl: string;
  apiUrl: string;
}

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

/**
 * How people read a provider's connections: one vocabulary per provider, kept in its `wording.ts`. The card, the
 * timeline, the admin list and the mails all take their words from it, so that they never disagree.
 */
export interface ProviderWording {
  /** Who users deal with, in sentences: "Atlassian", "Bitbucket". */
  readonly issuerName: string;
  /** What the grant's sites are called on screen (singular): Atlassian "site", Bitbucket "workspace". */
  readonly siteNoun: string;
  /** Why a family that reached its absolute lifetime stopped, in one plain sentence for the owner. */
  readonly consentExpiredText: string | null;
  /** Why a connection needs a reconnect, for the reasons each provider words its own way, in one plain sentence for the owner. */
  readonly needsReauthText: { readonly revoked: string; readonly inactivity_expired: string };
}

export interface ConnectionProvider extends ProviderWording {
  /** The provider's id (ProviderDefinition.id). */
  readonly id: string;
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

  /** Identity and sites of a fresh access token; throws ProviderApiError. */
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

/** One product a provider offers: its id is what connections, the API and URLs carry. */
export interface ProductDefinition<P extends string = string> {
  readonly id: P;
  /** On buttons and cards: "Jira", "Bitbucket". */
  readonly label: string;
  readonly connection: ConnectionProvider;
  /** Demo data (`npm run cli -- seed`): this product's share of connections (weights are summed), their scopes and their sites'. */
  readonly seed: { weight: number; scopes: readonly string[]; siteScopes: readonly string[] };
}

export interface ProviderDefinition<Id extends string = string, P extends string = string> {
  readonly id: Id;
  readonly products: readonly ProductDefinition<P>[];
  /** Environment keys are `${envPrefix}_CLIENT_ID`, `_CLIENT_SECRET`, `_AUTH_URL`, `_API_URL`. */
  readonly envPrefix: string;
  /** The real provider's base URLs (live mode) and the simulator's client (sandbox mode). */
  readonly live: { authUrl: string; apiUrl: string };
  readonly sandbox: { clientId: string; clientSecret: string };
  readonly capabilities: {
    /** A refresh token family dies this long after consent whatever happens (null: no such limit). */
    absoluteLifetimeSeconds: number | null;
    /** Its OAuth app may sign people in to Reconnect (the first configured such product does). */
    signIn: boolean;
  };
  /** The stored error code of a dead refresh token, for seeded needs_reauth connections. */
  readonly deadTokenCode: string;
  /** Only registered when the configuration turns test providers on (RECONNECT_TEST_PROVIDERS). */
  readonly testOnly?: boolean;
}

/** Keeps the literal ids of a definition, so that the registry can derive the Product type. */
export function defineProvider<const Id extends string, const P extends string>(d: ProviderDefinition<Id, P>): ProviderDefinition<Id, P> {
  return d;
}
