// The client address rate limits key on: the TCP peer stamped by our own server, or the Nth
// X-Forwarded-For entry from the right behind N trusted proxies; never a value the client chose.
import { describe, expect, it } from 'vitest';
import { clientAddress, PEER_HEADER } from '../../lib/client-address';
import { ConfigError, loadConfig } from '../../lib/config';

const h = (entries: Record<string, string>) => new Headers(entries);

describe('clientAddress with TRUSTED_PROXY_HOPS=0 (the default)', () => {
  it('is the TCP peer, whatever X-Forwarded-For, X-Real-IP or Forwarded say', () => {
    const headers = h({ [PEER_HEADER]: '192.0.2.10', 'x-forwarded-for': '203.0.113.7', 'x-real-ip': '198.51.100.2', forwarded: 'for=198.51.100.3' });
    expect(clientAddress(headers, 0)).toBe('192.0.2.10');
  });

  it('a forged X-Forwarded-For, rotated on every request, always maps to the same client', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 50; i++) seen.add(clientAddress(h({ [PEER_HEADER]: '192.0.2.10', 'x-forwarded-for': `198.18.0.${i}` }), 0));
    expect([...seen]).toEqual(['192.0.2.10']);
  });

  it("a victim's address sent as X-Forwarded-For does not make the attacker that victim", () => {
    expect(clientAddress(h({ [PEER_HEADER]: '192.0.2.66', 'x-forwarded-for': '203.0.113.9' }), 0)).not.toBe('203.0.113.9');
  });

  it('writes IPv4-mapped IPv6 peers as IPv4, and is "unknown" without a peer', () => {
    expect(clientAddress(h({ [PEER_HEADER]: '::ffff:127.0.0.1' }), 0)).toBe('127.0.0.1');
    expect(clientAddress(h({ [PEER_HEADER]: '2001:DB8::1' }), 0)).toBe('2001:db8::1');
    expect(clientAddress(h({ 'x-forwarded-for': '203.0.113.7' }), 0)).toBe('unknown');
    expect(clientAddress(h({ [PEER_HEADER]: 'not an address' }), 0)).toBe('unknown');
  });
});

describe('clientAddress behind N trusted proxies', () => {
  it('is the Nth X-Forwarded-For entry from the right; what the client wrote further left is ignored', () => {
    const headers = h({ [PEER_HEADER]: '10.0.0.2', 'x-forwarded-for': '6.6.6.6, 203.0.113.7, 10.0.0.1' });
    expect(clientAddress(headers, 1)).toBe('10.0.0.1');
    expect(clientAddress(headers, 2)).toBe('203.0.113.7');
    expect(clientAddress(headers, 3)).toBe('6.6.6.6');
  });

  it('a client prepending forged entries cannot change the answer', () => {
    const real = clientAddress(h({ 'x-forwarded-for': '203.0.113.7' }), 1);
    for (const forged of ['1.2.3.4', '1.2.3.4, 5.6.7.8', 'garbage, 9.9.9.9']) {
      expect(clientAddress(h({ 'x-forwarded-for': `${forged}, 203.0.113.7` }), 1)).toBe(real);
    }
  });

  it('takes the leftmost entry when fewer proxies appended one, and the peer when none did', () => {
    expect(clientAddress(h({ 'x-forwarded-for': '203.0.113.7' }), 2)).toBe('203.0.113.7');
    expect(clientAddress(h({ [PEER_HEADER]: '192.0.2.1' }), 2)).toBe('192.0.2.1');
  });

  it('accepts the address forms proxies write (ports, brackets, mapped IPv6) and refuses non-addresses', () => {
    expect(clientAddress(h({ 'x-forwarded-for': '203.0.113.7:4431' }), 1)).toBe('203.0.113.7');
    expect(clientAddress(h({ 'x-forwarded-for': '[2001:db8::5]:443' }), 1)).toBe('2001:db8::5');
    expect(clientAddress(h({ 'x-forwarded-for': '::ffff:203.0.113.7' }), 1)).toBe('203.0.113.7');
    expect(clientAddress(h({ 'x-forwarded-for': 'unknown' }), 1)).toBe('unknown');
  });
});

describe('TRUSTED_PROXY_HOPS', () => {
  const load = (value?: string) => loadConfig({ AUTH_SECRET: 'x'.repeat(32), TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 1).toString('base64'), ...(value === undefined ? {} : { TRUSTED_PROXY_HOPS: value }) });

  it('defaults to 0 and takes a whole number', () => {
    expect(load().trustedProxyHops).toBe(0);
    expect(load('2').trustedProxyHops).toBe(2);
  });

  it('stops start-up with one line naming it on a bad value', () => {
    for (const bad of ['-1', '1.5', 'two', '11']) {
      let error: unknown;
      try {
        load(bad);
      } catch (err) {
        error = err;
      }
      expect(error, bad).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toMatch(/^Invalid configuration: TRUSTED_PROXY_HOPS must be .+$/);
    }
  });
});
