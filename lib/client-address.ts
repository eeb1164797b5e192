// Which address a request comes from, for rate limits. A client can write any header it likes, so
// only what our own HTTP server (cli/) or a trusted proxy wrote counts:
// - `x-reconnect-peer` is set by the server around Next to the TCP peer, replacing any value a client sent;
// - with TRUSTED_PROXY_HOPS = N, the N proxies in front of the app each append their peer to
//   X-Forwarded-For, so the Nth entry from the right is the client; entries further left are the client's own.
import ipaddr from 'ipaddr.js';
import { getConfig } from './config';

export const PEER_HEADER = 'x-reconnect-peer';

const UNKNOWN = 'unknown';

/** An address in one canonical text form (IPv4-mapped IPv6 as IPv4), or undefined when it is none. */
function canonical(text: string): string | undefined {
  let s = text.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(s); // [v6] or [v6]:port
  if (bracketed) s = bracketed[1]!;
  else if (/^\d{1,3}(\.\d{1,3}){3}:\d+$/.test(s)) s = s.slice(0, s.lastIndexOf(':')); // v4:port
  s = s.split('%')[0]!; // a zone id names an interface, not a client
  return ipaddr.isValid(s) ? ipaddr.process(s).toString() : undefined;
}

/**
 * The client's address: with `hops` = 0 the TCP peer (X-Forwarded-For is ignored), else the `hops`th
 * X-Forwarded-For entry from the right (or the leftmost one there is, when fewer proxies appended one).
 * 'unknown' when the trusted source holds no address.
 */
export function clientAddress(headers: Headers, hops: number = getConfig().trustedProxyHops): string {
  if (hops > 0) {
    const entries = (headers.get('x-forwarded-for') ?? '')
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    if (entries.length > 0) return canonical(entries[Math.max(0, entries.length - hops)]!) ?? UNKNOWN;
  }
  const peer = headers.get(PEER_HEADER);
  return (peer && canonical(peer)) || UNKNOWN;
}
