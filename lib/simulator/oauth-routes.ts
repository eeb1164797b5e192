// The route table of a typical OAuth provider: its control routes, the consent page and its decision, the token
// endpoint and the API. A provider with other needs lists its routes with routeTable() directly.
import { showConsent, submitConsent, type ConsentFlow } from './consent';
import type { ProviderHooks, Route, RouteHandler, SimulatorRouteTable } from './route-table';
import { routeTable } from './route-table';
import type { OAuthProviderState } from './oauth-state';
import type { SimulatorState } from './state';
import { handleTokenRequest, type TokenEndpoint } from './token-endpoint';

export interface OAuthRoutes<S extends OAuthProviderState<object>> {
  id: string;
  createState(sim: SimulatorState, hooks: ProviderHooks): S;
  control: ReadonlyArray<Route<S>>;
  /** GET shows the consent page; the decision is POSTed to `decisionPath`. */
  consent: { path: string; decisionPath: string; flow: ConsentFlow<S> };
  token: { path: string; endpoint: TokenEndpoint<S> };
  api: { path: string | RegExp; handle: RouteHandler<S> };
}

export function oauthRouteTable<S extends OAuthProviderState<object>>(provider: OAuthRoutes<S>): SimulatorRouteTable {
  const { consent, token, api } = provider;
  return routeTable<S>({
    id: provider.id,
    createState: (sim, hooks) => {
      const part = provider.createState(sim, hooks);
      hooks.onSecretIssued(part.clientSecret()); // once built: a subclass's fields exist only then
      return part;
    },
    routes: [
      ...provider.control,
      { method: 'GET', path: consent.path, handle: (ctx, part) => showConsent(ctx, consent.flow, part) },
      { method: 'POST', path: consent.decisionPath, handle: (ctx, part) => submitConsent(ctx, consent.flow, part) },
      { path: token.path, handle: (ctx, part) => handleTokenRequest(ctx, token.endpoint, part) },
      { path: api.path, handle: api.handle },
    ],
  });
}
