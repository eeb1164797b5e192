// Real sockets, real fetch: proves the error mapping against what undici actually throws.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TokenEndpointError } from '../../lib/oauth/errors';
import { exchangeCode, refreshTokens, type OAuthClientConfig } from '../../lib/providers/atlassian/oauth';

type Handler = (req: IncomingMessage, res: ServerResponse, body: string) => void;

const servers: Server[] = [];

afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

async function startServer(handler: Handler): Promise<{ url: string; bodies: string[] }> {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      bodies.push(body);
      handler(req, res, body);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, bodies };
}

async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

function cfg(authUrl: string, timeoutMs = 5000): OAuthClientConfig {
  return { authUrl, clientId: 'client-id', clientSecret: 'client-secret', timeoutMs };
}

async function caught(promise: Promise<unknown>): Promise<TokenEndpointError> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(TokenEndpointError);
  return err as TokenEndpointError;
}

describe('token requests over real sockets', () => {
  it('succeeds against a real server', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ access_token: 'at', refresh_token: 'rt2', expires_in: 3600, scope: 'a b', token_type: 'Bearer' }));
    });
    const set = await refreshTokens(cfg(server.url), 'rt1');
    expect(set).toMatchObject({ accessToken: 'at', refreshToken: 'rt2', scope: ['a', 'b'] });
    expect(JSON.parse(server.bodies[0])).toMatchObject({ grant_type: 'refresh_token', refresh_token: 'rt1' });
  });

  it('connection refused → network, outcome known', async () => {
    const err = await caught(refreshTokens(cfg(await closedPortUrl()), 'rt1'));
    expect(err.code).toBe('network');
    expect(err.transportCode).toBe('ECONNREFUSED');
    expect(err.outcomeUnknown).toBe(false);
  });

  it('socket destroyed after the body was read → outcome_unknown for a refresh', async () => {
    const server = await startServer((req) => req.socket.destroy());
    const err = await caught(refreshTokens(cfg(server.url), 'rt1'));
    expect(JSON.parse(server.bodies[0])).toMatchObject({ refresh_token: 'rt1' });
    expect(err.code).toBe('outcome_unknown');
    expect(err.errorClass).toBe('transient');
    expect(err.outcomeUnknown).toBe(true);
  });

  it('socket destroyed after the body was read → network for a code exchange', async () => {
    const server = await startServer((req) => req.socket.destroy());
    const err = await caught(exchangeCode(cfg(server.url), 'code', 'http://cb'));
    expect(err.code).toBe('network');
    expect(err.outcomeUnknown).toBe(false);
  });

  it('connection lost in the middle of a 200 body → outcome_unknown', async () => {
    const server = await startServer((req, res) => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
      res.write('{"access_token":"at');
      setTimeout(() => req.socket.destroy(), 20);
    });
    const err = await caught(refreshTokens(cfg(server.url), 'rt1'));
    expect(err.code).toBe('outcome_unknown');
  });

  it('server that never answers, timeoutMs 200 → timeout, outcome unknown', async () => {
    const server = await startServer(() => {});
    const started = Date.now();
    const err = await caught(refreshTokens(cfg(server.url, 200), 'rt1'));
    expect(err.code).toBe('timeout');
    expect(err.outcomeUnknown).toBe(true);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('body that stalls after the headers → timeout (the limit covers the whole exchange)', async () => {
    const server = await startServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"access_token":');
    });
    const err = await caught(refreshTokens(cfg(server.url, 200), 'rt1'));
    expect(err.code).toBe('timeout');
    expect(err.outcomeUnknown).toBe(true);
  });
});
