// The simulator core's HTTP server: mounts the providers' route tables beside the core's own routes (sign-in,
// control API), dispatches each request to the first route that matches, and keeps the state file.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { CONTROL_PREFIX, CORE_CONTROL_ROUTES, methodNotAllowed, notFound } from './control';
import { html, json, send, type Reply, type RequestContext } from './http';
import { errorPage } from './pages';
import { restoreState, stateSaver, type StateFileUpgrade, type StateSaver } from './persist';
import { matchPath, type MountedRoute, type ProviderHooks, type SimulatorRouteTable } from './route-table';
import { showHome, showLogin, submitLogin, submitLogout } from './session';
import { SimulatorState } from './state';

export interface ServerOptions {
  routeTables: readonly SimulatorRouteTable[];
  /** Names the shared sign-in pages, e.g. "Atlassian". */
  brand: string;
  autoConsent: boolean;
  hooks: ProviderHooks;
  port?: number;
  host?: string;
  /** Sandbox mode: keep the state in this file across restarts (loaded at start, saved after changes and at stop). */
  stateFile?: string;
  upgradeStateFile?: StateFileUpgrade;
}

export interface RunningSimulator {
  url: string;
  port: number;
  state: SimulatorState;
  stop(): Promise<void>;
}

const SESSION_ROUTES: readonly MountedRoute[] = [
  { method: 'GET', path: '/login', handle: showLogin },
  { method: 'POST', path: '/login', handle: submitLogin },
  { method: 'POST', path: '/logout', handle: submitLogout },
  { method: 'GET', path: '/', handle: showHome },
];

function unmatched(ctx: RequestContext, routes: readonly MountedRoute[]): Reply {
  const { pathname } = ctx.url;
  if (pathname !== CONTROL_PREFIX && !pathname.startsWith(`${CONTROL_PREFIX}/`)) {
    return json(404, { code: 404, message: 'Not Found' });
  }
  const known = routes.some((route) => matchPath(route, pathname) !== undefined);
  return known ? methodNotAllowed(ctx.req.method, pathname) : notFound(pathname);
}

async function dispatch(ctx: RequestContext, routes: readonly MountedRoute[]): Promise<void> {
  const { pathname } = ctx.url;
  for (const route of routes) {
    if (route.method !== undefined && route.method !== ctx.req.method) continue;
    const params = matchPath(route, pathname);
    if (!params) continue;
    const reply = await route.handle(ctx, params);
    if (reply) send(ctx.res, reply);
    return;
  }
  send(ctx.res, unmatched(ctx, routes));
}

function requestHandler(state: SimulatorState, routes: readonly MountedRoute[], saver: () => StateSaver | undefined) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    // Any request may change the state (tokens, counters, consumed faults): saved shortly after, in one write.
    saver()?.changed();
    res.once('finish', () => saver()?.changed());
    const ctx: RequestContext = { req, res, url: new URL(req.url ?? '/', 'http://simulator.invalid'), sim: state };
    dispatch(ctx, routes).catch((error: unknown) => {
      // A client that hung up mid-body is not a simulator failure.
      if (req.destroyed || res.destroyed) return;
      console.error('[simulator]', error);
      send(res, html(500, errorPage(state.brand, 'Simulator error', 'The simulator failed to handle this request.')));
    });
  };
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server.address() as AddressInfo);
    });
  });
}

function closer(server: Server, sockets: Set<Socket>, saver?: StateSaver): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => {
    closing ??= new Promise<void>((resolve) => {
      server.close(() => {
        saver?.flush(); // after the last request: nothing issued is lost at a clean stop
        resolve();
      });
      // Hanging (timeout-fault) and keep-alive connections must not hold stop() open.
      for (const socket of sockets) socket.destroy();
      server.closeAllConnections();
    });
    return closing;
  };
}

export async function startServer(options: ServerOptions): Promise<RunningSimulator> {
  const state = new SimulatorState(options.autoConsent, options.brand);
  const providerRoutes = options.routeTables.flatMap((table) => table.mount(state, options.hooks));
  const routes = [...providerRoutes, ...CORE_CONTROL_ROUTES, ...SESSION_ROUTES];
  if (options.stateFile) restoreState(state, options.stateFile, options.upgradeStateFile);
  let saver: StateSaver | undefined;
  const server = createServer(requestHandler(state, routes, () => saver));
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  const address = await listen(server, options.port ?? 0, host);
  if (options.stateFile) {
    saver = stateSaver(state, options.stateFile, address.port);
    saver.changed(); // records the port
  }
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${urlHost}:${address.port}`, port: address.port, state, stop: closer(server, sockets, saver) };
}
