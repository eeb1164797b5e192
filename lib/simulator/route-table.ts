// A provider's simulator is a route table: the state it keeps and the HTTP routes that serve it.
// The core (server.ts) mounts any number of them; it knows no provider itself.
//
//   export const acmeSimulator = (): SimulatorRouteTable =>
//     routeTable({
//       id: 'acme',                                  // the state file's key and faults' `provider`
//       createState: (sim, hooks) => new AcmeState(sim.clock, hooks),
//       routes: [
//         { method: 'GET', path: '/acme/authorize', handle: (ctx, acme) => showConsent(ctx, acmeConsent, acme) },
//         { path: '/acme/token', handle: (ctx, acme) => handleTokenRequest(ctx, acmeTokenEndpoint, acme) },
//         { path: /^\/acme\/api\/(.+)$/, handle: (ctx, acme, [rest]) => … },
//       ],
//     });
//
// The building blocks a route table reuses: consent.ts (consent pages and codes), families.ts (rotating
// token families), token-endpoint.ts (the token endpoint's skeleton and counters), faults.ts, control.ts.
import type { Reply, RequestContext } from './http';
import type { ProviderState, SimulatorState } from './state';

/** Answers with a Reply, or sends (or, for a timeout fault, withholds) the answer itself and returns undefined. */
export type RouteHandler<S> = (
  ctx: RequestContext,
  part: S,
  params: string[],
) => Reply | undefined | Promise<Reply | undefined>;

export interface Route<S> {
  /** Omitted: any method (the handler answers a wrong one itself). */
  method?: string;
  /** An exact path, or a pattern whose groups are passed (URL-decoded) as `params`. */
  path: string | RegExp;
  handle: RouteHandler<S>;
}

/** What the core asks of the place that starts it, for every provider alike. */
export interface ProviderHooks {
  /** Called with every token and client secret issued (a test aid that scans logs for them). */
  onSecretIssued(secret: string): void;
}

export interface RouteTableDefinition<S extends ProviderState> {
  /** The provider's id: its key in the state file and the `provider` a fault may name. */
  id: string;
  createState(sim: SimulatorState, hooks: ProviderHooks): S;
  routes: ReadonlyArray<Route<S>>;
}

export interface MountedRoute {
  method?: string;
  path: string | RegExp;
  handle(ctx: RequestContext, params: string[]): Reply | undefined | Promise<Reply | undefined>;
}

/** A route table ready to mount: creates its state in the simulator and binds its routes to it. */
export interface SimulatorRouteTable {
  id: string;
  mount(sim: SimulatorState, hooks: ProviderHooks): MountedRoute[];
}

export function routeTable<S extends ProviderState>(definition: RouteTableDefinition<S>): SimulatorRouteTable {
  return {
    id: definition.id,
    mount(sim, hooks) {
      const part = definition.createState(sim, hooks);
      sim.mount(definition.id, part);
      return definition.routes.map((route) => ({
        method: route.method,
        path: route.path,
        handle: (ctx, params) => route.handle(ctx, part, params),
      }));
    },
  };
}

/** The route's params when `path` matches it, else undefined. */
export function matchPath(route: Pick<MountedRoute, 'path'>, path: string): string[] | undefined {
  if (typeof route.path === 'string') return route.path === path ? [] : undefined;
  const match = route.path.exec(path);
  return match ? match.slice(1).map((param) => decodeURIComponent(param ?? '')) : undefined;
}
