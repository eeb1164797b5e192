import { PEER_HEADER } from '../client-address';

// Hop-by-hop headers (RFC 9110 §7.6.1, plus the non-standard ones proxies still send) belong to one
// connection and are never passed on, nor is any header the Connection header names.
const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade'];
// Never forwarded upstream: our caller's credentials, what the fetch layer sets itself, where the
// request came from (Forwarded, X-Real-IP, X-Forwarded-*, Via, our own peer stamp) and the CSP that
// proxy.ts hands to the renderer.
const DROP_REQUEST = new Set([
  ...HOP_BY_HOP,
  'authorization',
  'cookie',
  'host',
  'content-length',
  'accept-encoding',
  'origin',
  'referer',
  'forwarded',
  'x-real-ip',
  'via',
  PEER_HEADER,
  'content-security-policy',
]);
// fetch has already decoded the body, so its original encoding and length no longer apply.
const DROP_RESPONSE = new Set([...HOP_BY_HOP, 'content-encoding', 'content-length', 'set-cookie']);

/** The header names a Connection header lists (they are hop-by-hop too). */
function connectionNamed(headers: Headers): Set<string> {
  return new Set((headers.get('connection') ?? '').split(',').map((n) => n.trim().toLowerCase()).filter(Boolean));
}

export const MAX_PROXY_BODY_BYTES = 10 * 1024 * 1024;

export function upstreamRequestHeaders(incoming: Headers): Headers {
  const out = new Headers();
  const named = connectionNamed(incoming);
  incoming.forEach((value, name) => {
    if (!DROP_REQUEST.has(name) && !named.has(name) && !name.startsWith('x-forwarded-')) out.set(name, value);
  });
  return out;
}

export function downstreamResponseHeaders(upstream: Headers): Headers {
  const out = new Headers();
  const named = connectionNamed(upstream);
  upstream.forEach((value, name) => {
    if (!DROP_RESPONSE.has(name) && !named.has(name)) out.set(name, value);
  });
  out.set('cache-control', upstream.get('cache-control') ?? 'no-store');
  return out;
}
