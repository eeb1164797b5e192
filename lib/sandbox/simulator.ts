// The Atlassian simulator: one HTTP server that plays both {AUTH} and {API}, plus a control API.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { handleApiRequest, isApiPath } from './api';
import { handleBitbucketApiRequest, isBitbucketApiPath } from './bitbucket/api';
import { showBitbucketAuthorize, submitBitbucketDecision } from './bitbucket/authorize';
import { handleBitbucketControl, isBitbucketControlPath } from './bitbucket/control';
import { defaultBitbucketConfig, type BitbucketConfig } from './bitbucket/state';
import { handleBitbucketTokenRequest } from './bitbucket/token-endpoint';
import { showAuthorize, submitDecision } from './authorize';
import { handleControlRequest } from './control';
import { html, json, send, type Reply, type RequestContext } from './http';
import { errorPage } from './pages';
import { restoreState, stateSaver, type StateSaver } from './persist';
import { recordSecret } from './secret-sink';
import { showHome, showLogin, submitLogin, submitLogout } from './session';
import { SimState, type SimConfig } from './state';
import { handleTokenRequest } from './token-endpoint';

export { SANDBOX_USERS, JIRA_SCOPES, CONFLUENCE_SCOPES } from './catalog';

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
  /** The simulated Bitbucket OAuth consumer and its token rules (defaults: section 1b). */
  bitbucket?: Partial<BitbucketConfig>;
}

export interface Simulator {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const DAY_SECONDS = 24 * 60 * 60;

function configFrom(opts: SimulatorOptions): SimConfig {
  return {
    leewaySeconds: opts.leewaySeconds ?? 600,
    autoConsent: opts.autoConsent ?? false,
    deadTokenError: 'invalid_grant',
    accessTokenTtlSeconds: opts.accessTokenTtlSeconds ?? 3600,
    accessRevokeGraceSeconds: opts.accessRevokeGraceSeconds ?? 0,
    omitRefreshToken: false,
    inactivitySeconds: opts.inactivitySeconds ?? 90 * DAY_SECONDS,
    absoluteLifetimeSeconds: opts.absoluteLifetimeSeconds ?? 365 * DAY_SECONDS,
    clientId: opts.clientId ?? 'reconnect-sandbox',
    clientSecret: opts.clientSecret ?? 'sandbox-secret',
  };
}

async function browserRoute(ctx: RequestContext): Promise<Reply> {
  const { pathname } = ctx.url;
  const method = ctx.req.method;
  if (pathname === '/authorize' && method === 'GET') return showAuthorize(ctx);
  if (pathname === '/authorize/decision' && method === 'POST') return submitDecision(ctx);
  if (pathname === '/site/oauth2/authorize' && method === 'GET') return showBitbucketAuthorize(ctx);
  if (pathname === '/site/oauth2/authorize' && method === 'POST') return submitBitbucketDecision(ctx);
  if (pathname === '/login' && method === 'GET') return showLogin(ctx);
  if (pathname === '/login' && method === 'POST') return submitLogin(ctx);
  if (pathname === '/logout' && method === 'POST') return submitLogout(ctx);
  if (pathname === '/' && method === 'GET') return showHome(ctx);
  return json(404, { code: 404, message: 'Not Found' });
}

async function route(ctx: RequestContext): Promise<void> {
  const { pathname } = ctx.url;
  if (isBitbucketControlPath(pathname)) return send(ctx.res, await handleBitbucketControl(ctx));
  if (pathname === '/_control' || pathname.startsWith('/_control/')) return send(ctx.res, await handleControlRequest(ctx));
  if (pathname === '/oauth/token') return handleTokenRequest(ctx);
  if (isApiPath(pathname)) return handleApiRequest(ctx);
  if (pathname === '/site/oauth2/access_token') return handleBitbucketTokenRequest(ctx);
  if (isBitbucketApiPath(pathname)) return handleBitbucketApiRequest(ctx);
  return send(ctx.res, await browserRoute(ctx));
}

function requestHandler(state: SimState, saver: () => StateSaver | undefined) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    // Any request may change the state (tokens, counters, consumed faults): saved shortly after, in one write.
    saver()?.changed();
    res.once('finish', () => saver()?.changed());
    const ctx: RequestContext = { req, res, url: new URL(req.url ?? '/', 'http://simulator.invalid'), state };
    route(ctx).catch((error: unknown) => {
      // A client that hung up mid-body is not a simulator failure.
      if (req.destroyed || res.destroyed) return;
      console.error('[atlassian-simulator]', error);
      send(res, html(500, errorPage('Simulator error', 'The simulator failed to handle this request.')));
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

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const state = new SimState(configFrom(opts), { ...defaultBitbucketConfig(), ...opts.bitbucket });
  if (opts.stateFile) restoreState(state, opts.stateFile);
  recordSecret(state.config.clientSecret);
  recordSecret(state.bitbucket.config.consumerSecret);
  let saver: StateSaver | undefined;
  const server = createServer(requestHandler(state, () => saver));
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  const host = opts.host ?? '127.0.0.1';
  const address = await listen(server, opts.port ?? 0, host);
  if (opts.stateFile) {
    saver = stateSaver(state, opts.stateFile, address.port);
    saver.changed(); // records the port
  }
  const urlHost = host.includes(':') ? `[${host}]` : host;
  return { url: `http://${urlHost}:${address.port}`, port: address.port, stop: closer(server, sockets, saver) };
}
