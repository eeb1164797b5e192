import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PEER_HEADER, setPeerHeader } from '../../cli/server';

// The same request hook as `npm start`'s server, on a real socket: what the app reads is the TCP peer.
const server = createServer((req, res) => {
  setPeerHeader(req);
  const raw = req.rawHeaders.filter((_, i) => i % 2 === 1 && req.rawHeaders[i - 1].toLowerCase() === PEER_HEADER);
  res.end(JSON.stringify({ header: req.headers[PEER_HEADER], raw }));
});

beforeAll(() => new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve)));
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function get(headers: Record<string, string | string[]>): Promise<{ header: string; raw: string[] }> {
  const { port } = server.address() as AddressInfo;
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, headers }, (res) => {
      let body = '';
      res.on('data', (c) => (body += String(c)));
      res.on('end', () => resolve(JSON.parse(body)));
    });
    req.on('error', reject);
    req.end();
  });
}

describe(`${PEER_HEADER} request header`, () => {
  it('is the socket peer address when the client sends none', async () => {
    expect(await get({})).toEqual({ header: '127.0.0.1', raw: ['127.0.0.1'] });
  });

  it('overwrites every value a client sent, whatever its case', async () => {
    const seen = await get({ 'X-Reconnect-Peer': ['203.0.113.7', '198.51.100.1'] });
    expect(seen).toEqual({ header: '127.0.0.1', raw: ['127.0.0.1'] });
  });
});
