const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'te', 'trailer', 'transfer-encoding', 'upgrade'];
// Never forwarded upstream: our caller's credentials and what the fetch layer sets itself.
const DROP_REQUEST = new Set([...HOP_BY_HOP, 'authorization', 'cookie', 'host', 'content-length', 'accept-encoding', 'origin', 'referer']);
// fetch has already decoded the body, so its original encoding and length no longer apply.
const DROP_RESPONSE = new Set([...HOP_BY_HOP, 'content-encoding', 'content-length', 'set-cookie']);

export const MAX_PROXY_BODY_BYTES = 10 * 1024 * 1024;

export function upstreamRequestHeaders(incoming: Headers): Headers {
  const out = new Headers();
  incoming.forEach((value, name) => {
    if (!DROP_REQUEST.has(name) && !name.startsWith('x-forwarded-')) out.set(name, value);
  });
  return out;
}

export function downstreamResponseHeaders(upstream: Headers): Headers {
  const out = new Headers();
  upstream.forEach((value, name) => {
    if (!DROP_RESPONSE.has(name)) out.set(name, value);
  });
  out.set('cache-control', upstream.get('cache-control') ?? 'no-store');
  return out;
}
