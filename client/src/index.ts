// @reconnect/client: a typed client for Reconnect's service API, with the correct retry loop as the default.
// No runtime dependency: it needs only `fetch`. Webhook verification lives in '@reconnect/client/webhooks'.
import { errorFromBody, errorFromResponse, TokenRejectedError } from './errors.js';
import type { components, operations } from './types.js';

export * from './errors.js';
export type { components, operations, paths } from './types.js';

type Schemas = components['schemas'];
export type Connection = Schemas['Connection'];
export type ConnectionList = Schemas['ConnectionList'];
export type ConnectionStatus = Schemas['ConnectionStatus'];
export type Product = Schemas['Product'];
export type Site = Schemas['Site'];
export type AccessToken = Schemas['AccessToken'];
export type AccessTokenSite = Schemas['AccessTokenSite'];
export type ConnectionTestResult = Schemas['ConnectionTestResult'];
export type ConnectSession = Schemas['ConnectSession'];
export type ConnectSessionRequest = Schemas['ConnectSessionRequest'];
export type WebhookEndpoint = Schemas['WebhookEndpoint'];
export type WebhookEndpointWithSecret = Schemas['WebhookEndpointWithSecret'];
export type WebhookEndpointUpdated = Schemas['WebhookEndpointUpdated'];
export type CreateWebhookEndpointRequest = Schemas['CreateWebhookEndpointRequest'];
export type UpdateWebhookEndpointRequest = Schemas['UpdateWebhookEndpointRequest'];
export type WebhookEvent = Schemas['WebhookEvent'];
export type WebhookEventType = Schemas['WebhookEventType'];
export type ListConnectionsParams = NonNullable<operations['listConnections']['parameters']['query']>;

export interface ReconnectOptions {
  /** Where Reconnect runs, e.g. `https://reconnect.example.com`. */
  baseUrl: string;
  /** A service API key, `rk_live_…`. */
  apiKey: string;
  /** A fetch implementation (default: the global one). */
  fetch?: typeof fetch;
  /**
   * `withToken` keeps each connection's token in memory and asks Reconnect again only when it nears
   * expiry or Atlassian refuses it (default false: every `withToken` asks Reconnect).
   */
  cacheTokens?: boolean;
}

export interface AccessTokenOptions {
  /** The token stays valid at least this long (default 60 seconds, at most 3600). */
  minValiditySeconds?: number;
  /** A token that just got a 401 from Atlassian: Reconnect refreshes only if it still stores that one. */
  rejectedToken?: string;
}

/**
 * The callback of `withToken` signals that Atlassian refused the token (401) by returning a `Response`
 * with status 401, or by throwing an error whose `status`, `statusCode` or `response.status` is 401.
 */
function unauthorizedSignal(outcome: { value?: unknown; error?: unknown }): boolean {
  if ('error' in outcome) {
    const e = outcome.error as { status?: unknown; statusCode?: unknown; response?: { status?: unknown } } | null;
    return e?.status === 401 || e?.statusCode === 401 || e?.response?.status === 401;
  }
  return outcome.value instanceof Response && outcome.value.status === 401;
}

const enc = encodeURIComponent;

export class Reconnect {
  readonly #base: string;
  readonly #apiKey: string;
  readonly #fetch: typeof fetch;
  readonly #cache: Map<string, AccessToken> | undefined;

  constructor(options: ReconnectOptions) {
    if (!options.baseUrl) throw new TypeError('Reconnect: baseUrl is required');
    if (!options.apiKey) throw new TypeError('Reconnect: apiKey is required');
    this.#base = options.baseUrl.replace(/\/+$/, '');
    this.#apiKey = options.apiKey;
    this.#fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.#cache = options.cacheTokens ? new Map() : undefined;
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { authorization: `Bearer ${this.#apiKey}`, accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await this.#fetch(`${this.#base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!res.ok) throw await errorFromResponse(res);
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  /** A token valid for at least `minValiditySeconds`; after a 401 from Atlassian pass it as `rejectedToken`. */
  accessToken(connectionId: string, options: AccessTokenOptions = {}): Promise<AccessToken> {
    const body: Schemas['AccessTokenRequest'] = {};
    if (options.minValiditySeconds !== undefined) body.min_validity_seconds = options.minValiditySeconds;
    if (options.rejectedToken !== undefined) body.rejected_token = options.rejectedToken;
    return this.#call('POST', `/api/v1/connections/${enc(connectionId)}/access-token`, body);
  }

  /**
   * Runs `fn` with a valid token and the sites it covers. When `fn` signals a 401 from Atlassian (returns
   * a Response with status 401, or throws an error carrying status 401), asks Reconnect again with that
   * token as `rejected_token` and runs `fn` once more with the token it gets; a second 401 throws
   * `TokenRejectedError`. Reconnect's own refusals throw `NeedsReauthError`, `TemporarilyUnavailableError`…
   */
  async withToken<T>(
    connectionId: string,
    fn: (token: string, sites: AccessTokenSite[]) => Promise<T>,
    options: Pick<AccessTokenOptions, 'minValiditySeconds'> = {},
  ): Promise<T> {
    let token = await this.#cachedToken(connectionId, options);
    for (let attempt = 1; ; attempt++) {
      const outcome = await fn(token.access_token, token.sites).then(
        (value) => ({ value }),
        (error: unknown) => ({ error }),
      );
      if (!unauthorizedSignal(outcome)) {
        if ('error' in outcome) throw outcome.error;
        return outcome.value;
      }
      if (attempt === 2) {
        throw new TokenRejectedError('value' in outcome ? (outcome.value as Response) : undefined, 'error' in outcome ? outcome.error : undefined);
      }
      token = await this.#cachedToken(connectionId, { ...options, rejectedToken: token.access_token });
    }
  }

  async #cachedToken(connectionId: string, options: AccessTokenOptions): Promise<AccessToken> {
    const cached = this.#cache?.get(connectionId);
    const wanted = (options.minValiditySeconds ?? 60) * 1000;
    if (cached && !options.rejectedToken && Date.parse(cached.expires_at) - Date.now() > wanted) return cached;
    this.#cache?.delete(connectionId);
    const token = await this.accessToken(connectionId, options);
    this.#cache?.set(connectionId, token);
    return token;
  }

  /**
   * Calls Atlassian through Reconnect: `{API}/ex/{product}/{cloudId}/{path}` (path may hold a query string).
   * Reconnect refreshes and retries a 401 once. Atlassian's answer comes back as is, whatever its status;
   * Reconnect's own refusals (needs_reauth, unavailable, unknown connection or site…) throw typed errors.
   */
  async proxy(connectionId: string, cloudId: string, path: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    headers.set('authorization', `Bearer ${this.#apiKey}`);
    const url = `${this.#base}/api/v1/connections/${enc(connectionId)}/proxy/${enc(cloudId)}/${path.replace(/^\/+/, '')}`;
    const res = await this.#fetch(url, { ...init, headers });
    if (res.ok || !(res.headers.get('content-type') ?? '').includes('json')) return res;
    const body: unknown = await res.clone().json().catch(() => undefined);
    const error = errorFromBody(res.status, res.headers, body);
    if (error) throw error;
    return res;
  }

  readonly connections = {
    /** One page; pass `next_cursor` back as `cursor` for the next. */
    list: (params: ListConnectionsParams = {}): Promise<ConnectionList> => {
      const query = new URLSearchParams();
      for (const [key, value] of Object.entries(params)) if (value !== undefined) query.set(key, String(value));
      const qs = query.toString();
      return this.#call('GET', `/api/v1/connections${qs ? `?${qs}` : ''}`);
    },
    /**
     * Every connection whose `renew_by` comes before `before` (all pages, soonest first): what its users must
     * renew, with a new consent, before the provider ends it. Send each user a connect session for it.
     */
    toRenew: async (before: Date | string): Promise<Connection[]> => {
      const renew_before = typeof before === 'string' ? before : before.toISOString();
      const found: Connection[] = [];
      let cursor: string | undefined;
      do {
        const page = await this.connections.list({ renew_before, cursor, limit: 200 });
        found.push(...page.data);
        cursor = page.next_cursor ?? undefined;
      } while (cursor);
      return found.sort((a, b) => Date.parse(a.renew_by!) - Date.parse(b.renew_by!));
    },
    get: (id: string): Promise<Connection> => this.#call('GET', `/api/v1/connections/${enc(id)}`),
    test: (id: string): Promise<ConnectionTestResult> => this.#call('POST', `/api/v1/connections/${enc(id)}/test`),
    delete: (id: string): Promise<void> => this.#call('DELETE', `/api/v1/connections/${enc(id)}`),
  };

  readonly connectSessions = {
    /** `{user_email, product}` to connect a user, `{connection_id}` to reconnect a connection. */
    create: (body: ConnectSessionRequest): Promise<ConnectSession> => this.#call('POST', '/api/v1/connect-sessions', body),
  };

  readonly webhookEndpoints = {
    list: (): Promise<{ data: WebhookEndpoint[]; next_cursor: null }> => this.#call('GET', '/api/v1/webhook-endpoints'),
    get: (id: string): Promise<WebhookEndpoint> => this.#call('GET', `/api/v1/webhook-endpoints/${enc(id)}`),
    create: (body: CreateWebhookEndpointRequest): Promise<WebhookEndpointWithSecret> => this.#call('POST', '/api/v1/webhook-endpoints', body),
    update: (id: string, body: UpdateWebhookEndpointRequest): Promise<WebhookEndpointUpdated> =>
      this.#call('PATCH', `/api/v1/webhook-endpoints/${enc(id)}`, body),
    delete: (id: string): Promise<void> => this.#call('DELETE', `/api/v1/webhook-endpoints/${enc(id)}`),
  };
}
