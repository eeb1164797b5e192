// Webhook targets are URLs typed in by API callers and admins: without these checks the worker could be
// pointed at the database, the cloud metadata service (169.254.169.254) or anything else on the
// private network. Checked when an endpoint is saved, and again for every delivery on the address the
// socket actually connects to (DNS may have changed since, or may answer differently each time).
import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Why an address is refused: the name of its ipaddr.js special range (`loopback`, `private`,
 * `linkLocal`, `uniqueLocal`, `carrierGradeNat`, `rfc6145`, `rfc6052`, `6to4`, `teredo`, `reserved`…),
 * `reserved` for IPv6 outside the global unicast space 2000::/3, or `invalid` for what is no IP address.
 */
export type AddressKind = string;

export type UrlCheck = { ok: true; url: URL } | { ok: false; reason: string };

export type HostLookup = (hostname: string) => Promise<LookupAddress[]>;

export interface UrlCheckOptions {
  allowPrivate: boolean;
  /** Resolves a host name to all its addresses; node:dns `lookup` with `all: true` by default. */
  lookup?: HostLookup;
}

export const MAX_WEBHOOK_URL_LENGTH = 2048;

// How a refusal names the range, where its ipaddr.js name is not plain English.
const RANGE_WORDS: Record<string, string> = {
  linkLocal: 'link-local',
  uniqueLocal: 'private (unique local)',
  deprecatedSiteLocal: 'private (site-local)',
  carrierGradeNat: 'private (carrier-grade NAT)',
  rfc6145: 'IPv4-translated (rfc6145)',
  rfc6052: 'NAT64 (rfc6052)',
  teredo: 'Teredo',
  invalid: 'non-IP',
};

/** "a loopback address", "an IPv4-translated (rfc6145) address"… */
function describeKind(kind: AddressKind): string {
  const words = RANGE_WORDS[kind] ?? kind;
  return `${/^[aeiouAEIOU]/.test(words) ? 'an' : 'a'} ${words} address`;
}

/** Raised (as a connection error) when a delivery's host resolves to a refused address. */
export class ForbiddenAddressError extends Error {
  readonly code = 'ERR_WEBHOOK_FORBIDDEN_ADDRESS';

  constructor(
    readonly address: string,
    readonly kind: AddressKind,
  ) {
    super(`refused: the host resolves to ${describeKind(kind)} (${address})`);
    this.name = 'ForbiddenAddressError';
  }
}

// IANA allocates global unicast IPv6 only from 2000::/3; ipaddr.js names no range for the rest of the
// space (e.g. the deprecated IPv4-compatible ::a.b.c.d written in hex), so anything else is refused too.
const GLOBAL_UNICAST_V6 = ipaddr.parseCIDR('2000::/3');

/**
 * Why `address` (an IPv4 or IPv6 literal) is not a public unicast address; undefined when it is one.
 * IPv4-mapped IPv6 (::ffff:a.b.c.d) is judged as the IPv4 address it maps to.
 */
export function forbiddenAddressKind(address: string): AddressKind | undefined {
  const bare = address.replace(/^\[|\]$/g, '');
  if (isIP(bare.split('%')[0]!) === 0 || !ipaddr.isValid(bare)) return 'invalid'; // never connect to it
  const ip = ipaddr.process(bare);
  const range = ip.range();
  if (range !== 'unicast') return range;
  if (ip.kind() === 'ipv6' && !ip.match(GLOBAL_UNICAST_V6)) return 'reserved';
  return undefined;
}

const systemLookup: HostLookup = (hostname) =>
  new Promise((resolve, reject) => {
    dnsLookup(hostname, { all: true, verbatim: true }, (err, addresses) => (err ? reject(err) : resolve(addresses)));
  });

/**
 * The checks that need no DNS: http(s) only, no credentials, a host, and (unless `allowPrivate`) an
 * IP-literal host must be public. A host name passes here; its addresses are judged by the caller.
 */
export function checkWebhookUrlSyntax(raw: string, opts: { allowPrivate: boolean }): UrlCheck {
  if (typeof raw !== 'string' || raw.length > MAX_WEBHOOK_URL_LENGTH) {
    return { ok: false, reason: `must be a string of at most ${MAX_WEBHOOK_URL_LENGTH} characters` };
  }
  // The URL parser would quietly percent-encode a control character; the stored URL must be what was meant.
  if (/[\u0000-\u001f\u007f]/.test(raw)) return { ok: false, reason: 'must not contain control characters' };
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: 'is not a valid absolute URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: 'must use http or https' };
  if (url.username || url.password) return { ok: false, reason: 'must not contain a user name or password' };
  if (!url.hostname) return { ok: false, reason: 'has no host' };
  const host = bareHost(url);
  if (!opts.allowPrivate && isIP(host)) {
    const kind = forbiddenAddressKind(host);
    if (kind) return { ok: false, reason: refusal(kind, host) };
  }
  return { ok: true, url };
}

/**
 * Checks a webhook URL: http(s) only, no credentials, and unless `allowPrivate`, every address the host
 * resolves to must be public (an IP literal is checked as it is; a host that does not resolve is
 * refused). The reason reads as the end of "The URL …" (e.g. "resolves to a loopback address (127.0.0.1); …").
 */
export async function checkWebhookUrl(raw: string, opts: UrlCheckOptions): Promise<UrlCheck> {
  const syntax = checkWebhookUrlSyntax(raw, opts);
  if (!syntax.ok || opts.allowPrivate) return syntax;
  const host = bareHost(syntax.url);
  if (isIP(host)) return syntax;
  let addresses: LookupAddress[];
  try {
    addresses = await (opts.lookup ?? systemLookup)(host);
  } catch (err) {
    const code = (err as { code?: string }).code;
    return { ok: false, reason: `has a host that does not resolve (${host}${code ? `: ${code}` : ''})` };
  }
  if (addresses.length === 0) return { ok: false, reason: `has a host that does not resolve (${host})` };
  for (const a of addresses) {
    const kind = forbiddenAddressKind(a.address);
    if (kind) return { ok: false, reason: refusal(kind, a.address) };
  }
  return syntax;
}

function bareHost(url: URL): string {
  return url.hostname.replace(/^\[|\]$/g, '');
}

function refusal(kind: AddressKind, address: string): string {
  return `resolves to ${describeKind(kind)} (${address}); only public unicast targets are accepted unless WEBHOOK_ALLOW_PRIVATE=true`;
}

/**
 * A `lookup` for node:http(s) / node:net that refuses to connect when the host resolves to a
 * non-public address: the check and the connection use the same answer, so DNS rebinding between
 * them is not possible. `resolve` is for tests (defaults to node:dns); `allowPrivate` skips the check.
 */
export function guardedLookup(resolve: HostLookup = systemLookup, allowPrivate = false): LookupFunction {
  return (hostname: string, options: LookupOptions, callback) => {
    resolve(hostname).then(
      (addresses) => {
        const wanted = options.family === 4 || options.family === 6 ? addresses.filter((a) => a.family === options.family) : addresses;
        for (const a of allowPrivate ? [] : addresses) {
          const kind = forbiddenAddressKind(a.address);
          if (kind) return callback(new ForbiddenAddressError(a.address, kind), '');
        }
        if (wanted.length === 0) {
          const err: NodeJS.ErrnoException = new Error(`getaddrinfo ENOTFOUND ${hostname}`);
          err.code = 'ENOTFOUND';
          return callback(err, '');
        }
        if (options.all) return callback(null, wanted);
        return callback(null, wanted[0].address, wanted[0].family);
      },
      (err: NodeJS.ErrnoException) => callback(err, ''),
    );
  };
}
